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
