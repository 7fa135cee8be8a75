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

// The rules builder: groups of rules edited as rows of field, operator and value, kept in step with the JSON text
// beside it (which stays the one the form sends, and works without scripts).
(function () {
  "use strict";
  var fields = [
    ["major", "Major"], ["gpa", "GPA"], ["graduation_year", "Graduation year"], ["class_standing", "Class standing"],
    ["department_id", "Department (number)"], ["role", "Role"], ["enrollment_status", "Enrolment"],
    ["state_of_residence", "State of residence"], ["first_generation", "First-generation student"],
    ["financial_need", "Financial need on file"], ["credit_hours", "Credit hours"], ["answer", "Answer to a question…"]
  ];
  var ops = [["in", "is one of"], ["not_in", "is none of"], ["eq", "is"], ["gte", "is at least"], ["lte", "is at most"], ["is_true", "is yes"]];
  var counter = 0;

  function option(value, label, selected) {
    var element = document.createElement("option");
    element.value = value;
    element.textContent = label;
    if (selected) { element.selected = true; }
    return element;
  }
  function labelled(text, control) {
    var id = "rb-" + (++counter);
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = text;
    control.id = id;
    var wrap = document.createElement("span");
    wrap.className = "rb-cell";
    wrap.appendChild(label);
    wrap.appendChild(control);
    return wrap;
  }
  function valueText(rule) {
    if (rule.value === undefined) { return ""; }
    return Array.isArray(rule.value) ? rule.value.join(", ") : String(rule.value);
  }
  function parseValue(text, op, field) {
    var numeric = ["gpa", "graduation_year", "credit_hours", "department_id"].indexOf(field) >= 0;
    function one(item) { var trimmed = item.trim(); return numeric && trimmed !== "" && !isNaN(Number(trimmed)) ? Number(trimmed) : trimmed; }
    if (op === "is_true") { return undefined; }
    if (op === "in" || op === "not_in") { return text.split(",").map(one).filter(function (item) { return item !== ""; }); }
    return one(text);
  }

  document.querySelectorAll("textarea[data-rules-builder]").forEach(function (area) {
    var document_ = { groups: [] };
    try { document_ = JSON.parse(area.value || "{}"); } catch (ignored) { return; }
    if (!Array.isArray(document_.groups)) { document_.groups = []; }
    var root = document.createElement("div");
    root.className = "rules-builder";
    // Above the JSON's own label, so that label stays next to its text box.
    var label = document.querySelector('label[for="' + area.id + '"]');
    area.parentNode.insertBefore(root, label && label.parentNode === area.parentNode ? label : area);

    function sync() { area.value = JSON.stringify(document_, null, 2); }

    function render() {
      root.innerHTML = "";
      var intro = document.createElement("p");
      intro.className = "muted";
      intro.textContent = document_.groups.length === 0
        ? "No rules: every student and alumnus is eligible."
        : "A student is eligible when every rule of at least one group passes.";
      root.appendChild(intro);
      document_.groups.forEach(function (group, g) {
        var box = document.createElement("fieldset");
        box.className = "rb-group";
        var legend = document.createElement("legend");
        legend.textContent = "Group " + (g + 1);
        box.appendChild(legend);
        var name = document.createElement("input");
        name.value = group.name || "";
        name.maxLength = 120;
        name.addEventListener("input", function () { group.name = name.value; sync(); });
        box.appendChild(labelled("Group name", name));
        (group.rules || []).forEach(function (rule, r) {
          var row = document.createElement("div");
          row.className = "rb-rule";
          var field = document.createElement("select");
          var isAnswer = rule.field && rule.field.indexOf("answer:") === 0;
          fields.forEach(function (item) { field.appendChild(option(item[0], item[1], isAnswer ? item[0] === "answer" : item[0] === rule.field)); });
          var key = document.createElement("input");
          key.value = isAnswer ? rule.field.slice(7) : "";
          key.placeholder = "question key";
          var keyCell = labelled("Question key", key);
          keyCell.hidden = !isAnswer;
          var op = document.createElement("select");
          ops.forEach(function (item) { op.appendChild(option(item[0], item[1], item[0] === rule.op)); });
          var value = document.createElement("input");
          value.value = valueText(rule);
          value.placeholder = "values, separated by commas";
          function update() {
            rule.field = field.value === "answer" ? "answer:" + key.value.trim() : field.value;
            keyCell.hidden = field.value !== "answer";
            rule.op = op.value;
            var parsed = parseValue(value.value, op.value, rule.field);
            if (parsed === undefined) { delete rule.value; } else { rule.value = parsed; }
            value.disabled = op.value === "is_true";
            sync();
          }
          [field, op].forEach(function (control) { control.addEventListener("change", update); });
          [key, value].forEach(function (control) { control.addEventListener("input", update); });
          var remove = document.createElement("button");
          remove.type = "button";
          remove.className = "small secondary";
          remove.textContent = "Remove rule " + (r + 1);
          remove.addEventListener("click", function () { group.rules.splice(r, 1); sync(); render(); });
          row.appendChild(labelled("Rule " + (r + 1) + ": field", field));
          row.appendChild(keyCell);
          row.appendChild(labelled("Condition", op));
          row.appendChild(labelled("Value", value));
          row.appendChild(remove);
          value.disabled = rule.op === "is_true";
          box.appendChild(row);
        });
        var addRule = document.createElement("button");
        addRule.type = "button";
        addRule.className = "small";
        addRule.textContent = "Add a rule to group " + (g + 1);
        addRule.addEventListener("click", function () {
          group.rules = group.rules || [];
          group.rules.push({ field: "gpa", op: "gte", value: 3 });
          sync();
          render();
        });
        var removeGroup = document.createElement("button");
        removeGroup.type = "button";
        removeGroup.className = "small secondary";
        removeGroup.textContent = "Remove group " + (g + 1);
        removeGroup.addEventListener("click", function () { document_.groups.splice(g, 1); sync(); render(); });
        box.appendChild(addRule);
        box.appendChild(removeGroup);
        root.appendChild(box);
      });
      var addGroup = document.createElement("button");
      addGroup.type = "button";
      addGroup.textContent = "Add a group of rules";
      addGroup.addEventListener("click", function () {
        document_.groups.push({ name: "Group " + (document_.groups.length + 1), rules: [{ field: "major", op: "in", value: [] }] });
        sync();
        render();
      });
      root.appendChild(addGroup);
    }
    // Typing JSON directly redraws the builder once it reads again.
    area.addEventListener("change", function () {
      try { var parsed = JSON.parse(area.value); if (Array.isArray(parsed.groups)) { document_ = parsed; render(); } } catch (ignored) { /* keep */ }
    });
    render();
  });
})();
