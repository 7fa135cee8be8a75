// The signed-in navbar (50-ui §1.3) and live updates (NTF-6).
//
// Panels are <details> elements, so they open by keyboard and without JavaScript; this adds what the pattern asks on
// top: opening one closes the others, Esc closes and returns focus to its button, arrow keys move through a panel's
// links, and a click elsewhere closes them.
(function () {
  "use strict";
  var panels = Array.prototype.slice.call(document.querySelectorAll(".navbar details.mega"));
  function closeAll(except) {
    panels.forEach(function (panel) { if (panel !== except) { panel.open = false; } });
  }
  panels.forEach(function (panel) {
    panel.addEventListener("toggle", function () { if (panel.open) { closeAll(panel); } });
    panel.addEventListener("keydown", function (event) {
      var links = Array.prototype.slice.call(panel.querySelectorAll(".panel a, .panel button"));
      var at = links.indexOf(document.activeElement);
      if (event.key === "Escape" && panel.open) {
        panel.open = false;
        panel.querySelector("summary").focus();
        event.preventDefault();
      } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && panel.open && links.length) {
        var step = event.key === "ArrowDown" ? 1 : -1;
        links[(at + step + links.length) % links.length].focus();
        event.preventDefault();
      }
    });
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".navbar details.mega")) { closeAll(null); }
  });
})();

// Live notifications: one EventSource per page. The bell's count follows `unread_count`; a new notification is
// announced in a polite live region, counts a message when it is one, and joins the list on /notifications.
(function () {
  "use strict";
  if (!window.EventSource) { return; }
  var toast = document.querySelector("[data-live-toast]");
  function setCount(kind, value) {
    var badge = document.querySelector('[data-count="' + kind + '"]');
    var link = badge && badge.closest("a");
    if (!badge || !link) { return; }
    badge.textContent = String(value);
    badge.hidden = value <= 0;
    var label = kind === "notifications" ? "Notifications" : "Messages";
    link.setAttribute("aria-label", value > 0 ? label + ", " + value + " unread" : label);
  }
  function count(kind) {
    var badge = document.querySelector('[data-count="' + kind + '"]');
    return badge ? parseInt(badge.textContent, 10) || 0 : 0;
  }
  var stream = new EventSource("/api/v1/notifications/stream");
  // Marks the page as live (tests and styles can tell a connected page from one still connecting).
  stream.addEventListener("open", function () { document.documentElement.setAttribute("data-live", "open"); });
  stream.addEventListener("error", function () { document.documentElement.setAttribute("data-live", "reconnecting"); });
  stream.addEventListener("unread_count", function (event) {
    try { setCount("notifications", JSON.parse(event.data).unread_count); } catch (ignored) { /* a malformed event changes nothing */ }
  });
  stream.addEventListener("notification", function (event) {
    var notice;
    try { notice = JSON.parse(event.data); } catch (ignored) { return; }
    if (notice.type === "new_message") { setCount("messages", count("messages") + 1); }
    if (toast) {
      toast.textContent = "New: " + notice.title + " — " + notice.message;
      toast.hidden = false;
      window.clearTimeout(toast.hideTimer);
      toast.hideTimer = window.setTimeout(function () { toast.hidden = true; }, 8000);
    }
    var list = document.querySelector("[data-live-list]");
    if (list) {
      var item = document.createElement("li");
      item.className = "notification unread";
      var badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = "new";
      var title = document.createElement("strong");
      title.textContent = notice.title;
      item.appendChild(badge);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(title);
      item.appendChild(document.createTextNode(" — "));
      if (notice.link) {
        var link = document.createElement("a");
        link.href = notice.link;
        link.textContent = notice.message;
        item.appendChild(link);
      } else {
        item.appendChild(document.createTextNode(notice.message));
      }
      item.setAttribute("data-notification-id", String(notice.id));
      list.insertBefore(item, list.firstChild);
      var empty = document.querySelector("[data-live-empty]");
      if (empty) { empty.hidden = true; }
    }
  });
  window.addEventListener("pagehide", function () { stream.close(); });
})();

// /settings/notifications (50-ui §4.3): quick actions change the boxes on the page only, and leaving with unsaved
// changes asks first.
(function () {
  "use strict";
  var form = document.querySelector("form[data-unsaved-warning]");
  if (!form) { return; }
  var dirty = false;
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
  var actions = form.querySelector("[data-quick-actions]");
  if (!actions) { return; }
  actions.hidden = false;
  actions.addEventListener("click", function (event) {
    var button = event.target.closest("[data-quick]");
    if (!button) { return; }
    var choice = button.getAttribute("data-quick");
    form.querySelectorAll("input[type=checkbox][data-channel]").forEach(function (box) {
      var channel = box.getAttribute("data-channel");
      box.checked = choice === "all" || (choice === "email" && channel === "email") || (choice === "push" && channel === "push");
    });
    dirty = true;
  });
})();
