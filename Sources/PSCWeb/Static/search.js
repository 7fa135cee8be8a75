// Suggestions under the navbar search box (SRC-2): after two characters, up to eight titles from people, events,
// jobs and departments, as links; arrow keys move through them and Escape closes them. Without JavaScript the box
// still submits to /search.
(function () {
  "use strict";
  var input = document.getElementById("global-search");
  var list = document.getElementById("search-suggestions");
  if (!input || !list || !window.fetch) { return; }
  var timer = null;
  var latest = 0;

  function close() {
    list.hidden = true;
    list.innerHTML = "";
  }

  function show(suggestions) {
    list.innerHTML = "";
    suggestions.forEach(function (item) {
      var option = document.createElement("li");
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.title;
      var kind = document.createElement("span");
      kind.className = "muted";
      kind.textContent = " · " + item.type;
      option.appendChild(link);
      option.appendChild(kind);
      list.appendChild(option);
    });
    list.hidden = suggestions.length === 0;
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var text = input.value.trim();
    if (text.length < 2 || text.length > 50) { close(); return; }
    timer = setTimeout(function () {
      var ask = ++latest;
      fetch("/api/v1/search/suggest?q=" + encodeURIComponent(text), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (data) { if (ask === latest) { show(data.suggestions || []); } })
        .catch(close);
    }, 150);
  });

  input.addEventListener("keydown", function (event) {
    var links = Array.prototype.slice.call(list.querySelectorAll("a"));
    if (event.key === "Escape") { close(); return; }
    if (event.key === "ArrowDown" && links.length) { event.preventDefault(); links[0].focus(); }
  });
  list.addEventListener("keydown", function (event) {
    var links = Array.prototype.slice.call(list.querySelectorAll("a"));
    var at = links.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && at < links.length - 1) { event.preventDefault(); links[at + 1].focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); (at > 0 ? links[at - 1] : input).focus(); }
    if (event.key === "Escape") { close(); input.focus(); }
  });
  document.addEventListener("click", function (event) { if (!list.contains(event.target) && event.target !== input) { close(); } });
})();
