// The scholarship pages' behaviour beyond the shared API forms (account.js): live word counts against an essay's
// limits, files that go up first and are then named by the API call that uses them (a transcript, a thank-you
// letter), and the recommender's letter upload, which needs no account.
(function () {
  "use strict";
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');

  // Words as the server counts them (20-services §7.5): letters and digits, with apostrophe endings.
  function words(text) {
    var found = text.match(/[A-Za-z0-9]+(['’][A-Za-z]+)*/g);
    return found ? found.length : 0;
  }
  document.querySelectorAll("textarea[data-word-count]").forEach(function (area) {
    var out = document.getElementById(area.dataset.wordCount);
    if (!out) { return; }
    var min = parseInt(area.dataset.minWords || "0", 10);
    var max = parseInt(area.dataset.maxWords || "0", 10);
    function update() {
      var count = words(area.value);
      var text = count + (count === 1 ? " word" : " words");
      if (max > 0) {
        if (count < min) { text += " · " + (min - count) + " more needed (at least " + min + ")"; }
        else if (count > max) { text += " · " + (count - max) + " over the limit of " + max; }
        else { text += " · within " + min + " to " + max; }
      }
      out.textContent = text;
    }
    area.addEventListener("input", update);
    update();
  });

  function headers() {
    var result = { "Accept": "application/json" };
    if (csrfMeta) { result["X-CSRF-Token"] = csrfMeta.content; }
    return result;
  }
  function answer(response) {
    return response.text().then(function (text) {
      var data = {};
      try { data = text ? JSON.parse(text) : {}; } catch (ignored) { data = {}; }
      return { ok: response.ok, data: data };
    });
  }
  function showError(form, result) {
    var box = form.querySelector(".form-error");
    if (!box) { return; }
    var message = result.data.message || "That did not work; please try again.";
    var fields = result.data.fields || {};
    Object.keys(fields).forEach(function (name) { message += " " + name.replace(/_/g, " ") + ": " + fields[name].join(", ") + "."; });
    box.textContent = message;
    box.hidden = false;
  }
  function unreachable(form) {
    return function () { showError(form, { data: { message: "The server could not be reached; check your connection." } }); };
  }
  function uploadFile(kind, file) {
    var body = new FormData();
    body.append("kind", kind);
    body.append("file", file, file.name);
    return fetch("/api/v1/uploads", { method: "POST", headers: headers(), credentials: "same-origin", body: body }).then(answer);
  }
  function sendJSON(method, path, value) {
    var sent = headers();
    sent["Content-Type"] = "application/json";
    return fetch(path, { method: method, headers: sent, credentials: "same-origin", body: JSON.stringify(value) }).then(answer);
  }

  // A transcript: uploaded as kind "transcript", then attached to the application.
  document.querySelectorAll("form[data-upload-then]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var file = form.querySelector('input[type="file"]').files[0];
      if (!file) { showError(form, { data: { message: "Choose a PDF first." } }); return; }
      uploadFile(form.dataset.uploadKind, file).then(function (uploaded) {
        if (!uploaded.ok) { showError(form, uploaded); return; }
        return sendJSON("PUT", form.dataset.uploadThen, { upload_id: uploaded.data.id }).then(function (result) {
          if (!result.ok) { showError(form, result); return; }
          location.reload();
        });
      }).catch(unreachable(form));
    });
  });

  // Answering an award, with an optional thank-you letter uploaded first.
  document.querySelectorAll("form[data-award]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var accept = form.querySelector('input[name="accept"]:checked');
      var body = { accept: !accept || accept.value === "true", share_with_donor: form.querySelector('input[name="share_with_donor"]').checked };
      var file = form.querySelector('input[type="file"]').files[0];
      var upload = file ? uploadFile("document", file) : Promise.resolve(null);
      upload.then(function (uploaded) {
        if (uploaded && !uploaded.ok) { showError(form, uploaded); return; }
        if (uploaded) { body.thank_you_upload_id = uploaded.data.id; }
        return sendJSON("POST", form.dataset.award, body).then(function (result) {
          if (!result.ok) { showError(form, result); return; }
          location.reload();
        });
      }).catch(unreachable(form));
    });
  });

  // The recommender's letter: one multipart request with the link's token in its path.
  document.querySelectorAll("form[data-letter]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var file = form.querySelector('input[type="file"]').files[0];
      if (!file) { showError(form, { data: { message: "Choose your letter (a PDF) first." } }); return; }
      var body = new FormData();
      body.append("recommender_name", form.querySelector('input[name="recommender_name"]').value);
      body.append("file", file, file.name);
      fetch(form.dataset.letter, { method: "POST", headers: { "Accept": "application/json" }, credentials: "same-origin", body: body })
        .then(answer).then(function (result) {
          if (!result.ok) { showError(form, result); return; }
          form.hidden = true;
          var done = document.querySelector("[data-done]");
          if (done) { done.hidden = false; done.focus(); }
        }).catch(unreachable(form));
    });
  });
})();
