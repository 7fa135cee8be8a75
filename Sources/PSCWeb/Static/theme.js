// The small-screen menu (50-ui §1.3): one button shows and hides the navbar's links, with aria-expanded telling
// screen readers its state; Esc closes it and gives focus back to the button.
(function () {
  "use strict";
  var navbar = document.querySelector(".navbar");
  var toggle = navbar && navbar.querySelector(".menu-toggle");
  if (!toggle) { return; }
  function set(open) {
    navbar.setAttribute("data-menu", open ? "open" : "closed");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }
  toggle.hidden = false;
  set(false);
  toggle.addEventListener("click", function () { set(toggle.getAttribute("aria-expanded") !== "true"); });
  navbar.addEventListener("keydown", function (event) {
    // A panel inside the menu closes first (live.js marks that Esc handled).
    if (event.key === "Escape" && !event.defaultPrevented && toggle.getAttribute("aria-expanded") === "true") {
      set(false);
      toggle.focus();
    }
  });
})();

// Theme toggle: without JavaScript the footer form posts to /theme; with it, the choice applies at once and is
// kept in the first-party psc_theme cookie, which the server reads to render the right theme with no flash.
(function () {
  "use strict";
  var picker = document.querySelector(".theme-picker");
  if (!picker) { return; }
  picker.addEventListener("click", function (event) {
    var button = event.target.closest("[data-theme-choice]");
    if (!button) { return; }
    event.preventDefault();
    var theme = button.getAttribute("data-theme-choice");
    document.cookie = "psc_theme=" + theme + "; Path=/; Max-Age=31536000; SameSite=Lax";
    document.documentElement.setAttribute("data-theme", theme);
    picker.querySelectorAll("[data-theme-choice]").forEach(function (other) {
      other.setAttribute("aria-pressed", other === button ? "true" : "false");
    });
  });
})();
