// The account pages: forms post JSON to the API (the one place the rules live) with the page's CSRF token, show
// errors in each form's alert region, and run the passkey ceremonies. Every form also names its fields with
// labels, so it stays usable with a keyboard and a screen reader.
(function () {
  "use strict";
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var challengeKey = "psc_login_challenge";

  function b64urlToBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }
  function bytesToB64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function api(method, path, body, extraHeaders) {
    var headers = { "Accept": "application/json" };
    Object.keys(extraHeaders || {}).forEach(function (name) { headers[name] = extraHeaders[name]; });
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    if (csrfMeta && method !== "GET") { headers["X-CSRF-Token"] = csrfMeta.content; }
    return fetch(path, { method: method, headers: headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (response) {
        return response.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (ignored) { data = null; }
          return { status: response.status, ok: response.ok, data: data || {} };
        });
      });
  }

  // Recent authentication: ask for the password in the dialog, then run the request again.
  function withReauth(run) {
    return run().then(function (result) {
      if (result.status !== 403 || result.data.error !== "recent_auth_required") { return result; }
      var dialog = document.querySelector("[data-reauth]");
      if (!dialog) { return result; }
      return new Promise(function (resolve) {
        var form = dialog.querySelector("form");
        var onSubmit = function (event) {
          event.preventDefault();
          api("POST", "/api/v1/auth/reauthenticate", { password: form.password.value }).then(function (answer) {
            if (!answer.ok) { showError(form, answer); return; }
            form.removeEventListener("submit", onSubmit);
            form.reset();
            dialog.close();
            run().then(resolve);
          });
        };
        form.addEventListener("submit", onSubmit);
        dialog.showModal();
        form.password.focus();
      });
    });
  }

  // A field's name as the form shows it ("Email"), not as the API spells it ("email").
  function fieldLabel(form, name) {
    var input = form.querySelector('[name="' + name + '"]');
    var label = input && input.id ? form.querySelector('label[for="' + input.id + '"]') : null;
    if (!label && input) { label = input.closest("label"); }
    var text = label ? label.textContent.trim() : name.replace(/_/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function clearError(form) {
    var box = form.querySelector(".form-error");
    if (box) { box.hidden = true; box.textContent = ""; }
    form.querySelectorAll("[aria-invalid]").forEach(function (input) { input.removeAttribute("aria-invalid"); });
  }

  function showError(form, result) {
    var box = form.querySelector(".form-error");
    if (!box) { return; }
    var message = result.data.message || "That did not work; please try again.";
    var fields = result.data.fields || {};
    Object.keys(fields).forEach(function (name) { message += " " + fieldLabel(form, name) + " " + fields[name].join(", ") + "."; });
    box.textContent = message;
    box.hidden = false;
    form.querySelectorAll("[aria-invalid]").forEach(function (input) { input.removeAttribute("aria-invalid"); });
    Object.keys(fields).forEach(function (name) {
      var input = form.querySelector('[name="' + name + '"]');
      if (input) { input.setAttribute("aria-invalid", "true"); }
    });
  }

  function formBody(form) {
    var body = {};
    Array.prototype.forEach.call(form.elements, function (input) {
      // data-local fields stay in the page (a typed confirmation).
      if (!input.name || input.disabled || input.closest("[hidden]") || input.hasAttribute("data-local")) { return; }
      if (input.type === "checkbox") {
        var group = form.querySelectorAll('input[type="checkbox"][name="' + input.name + '"]');
        if (group.length > 1) {
          body[input.name] = body[input.name] || [];
          if (input.checked) { body[input.name].push(input.value); }
        } else {
          body[input.name] = input.checked;
        }
      } else if (input.type === "radio") {
        if (input.checked && input.value !== "") { body[input.name] = input.value; }
      } else if (input.dataset.type === "null") {
        body[input.name] = null;  // a button that clears a field (the best answer)
      } else if (input.value === "" && input.tagName === "SELECT" && (input.dataset.type === "integer" || input.dataset.type === "boolean")) {
        body[input.name] = null;  // "No department", "Not on file" clear the field
      } else if (input.value !== "") {
        var value = input.value;
        if (input.dataset.type === "integer") { value = parseInt(input.value, 10); }
        if (input.dataset.type === "number") { value = Number(input.value); }
        if (input.dataset.type === "boolean") { value = input.value === "true"; }
        // Rules, prompts and other structured fields edited as JSON text (an unreadable one goes as text and the
        // server names the field).
        if (input.dataset.type === "json") { try { value = JSON.parse(input.value); } catch (ignored) { value = input.value; } }
        // "1,250.50" dollars → 125050 cents; a datetime-local value is the browser's own time, sent as UTC.
        if (input.dataset.type === "cents") { value = Math.round(Number(input.value.replace(/[$,\s]/g, "")) * 100); }
        if (input.dataset.type === "datetime") {
          var when = new Date(input.value);
          value = isNaN(when.getTime()) ? input.value : when.toISOString();
        }
        if (input.dataset.type === "idlist") {
          value = input.value.split(",").map(function (item) { return parseInt(item.trim(), 10); }).filter(function (item) { return !isNaN(item); });
        }
        if (input.dataset.type === "list") {
          value = input.value.split(",").map(function (item) { return item.trim(); }).filter(function (item) { return item; });
        }
        // "fields.bio" nests one level: {"fields": {"bio": …}} (USR-5).
        var dot = input.name.indexOf(".");
        if (dot > 0) {
          var group = input.name.slice(0, dot);
          body[group] = body[group] || {};
          body[group][input.name.slice(dot + 1)] = value;
        } else {
          body[input.name] = value;
        }
      }
    });
    if (form.hasAttribute("data-challenge")) { body.login_challenge = sessionStorage.getItem(challengeKey) || ""; }
    return body;
  }

  // The same rule as the server's: a plain same-site path, with no control character, space or backslash that a
  // browser would drop or read as "/".
  function safeNext(next) {
    return next && next.charAt(0) === "/" && next.charAt(1) !== "/" && !/[\u0000-\u0020\u007f\\]/.test(next) ? next : "/feed";
  }

  function afterLogin(data, next) {
    if (data.two_factor_required) {
      sessionStorage.setItem(challengeKey, data.login_challenge);
      location.assign("/login/2fa" + (next ? "?next=" + encodeURIComponent(next) : ""));
      return;
    }
    sessionStorage.removeItem(challengeKey);
    location.assign(data.enrol_two_factor ? "/settings/security" : safeNext(next));
  }

  function reveal(selector) {
    var element = document.querySelector(selector);
    if (element) { element.hidden = false; element.focus(); }
    return element;
  }

  function showCodes(codes) {
    var list = document.querySelector("[data-codes-list]");
    list.innerHTML = "";
    codes.forEach(function (code) { var item = document.createElement("li"); item.textContent = code; list.appendChild(item); });
    var link = document.querySelector("[data-codes-download]");
    link.href = "data:text/plain;charset=utf-8," + encodeURIComponent(codes.join("\n") + "\n");
    document.querySelector("[data-twofactor-enrol]").hidden = true;
    reveal("[data-recovery-codes]");
  }

  var successes = {
    login: function (data, form) { afterLogin(data, form.dataset.next); },
    registered: function (data, form) { form.hidden = true; reveal("[data-registered]"); },
    done: function (data, form) { form.hidden = true; reveal("[data-done]"); },
    confirmed: function (data) { showCodes(data.recovery_codes || []); loadSecurity(); },
    codes: function (data, form) { form.reset(); showCodes(data.recovery_codes || []); },
    reload: function () { location.reload(); },
    // Shows a summary the API answered (a rollover's counts) in the form's result region.
    summary: function (data, form) {
      var out = form.querySelector("[data-result]");
      if (!out) { return; }
      out.textContent = Object.keys(data).map(function (key) {
        var value = data[key];
        return key.replace(/_/g, " ") + ": " + (Array.isArray(value) ? value.length : value);
      }).join(" · ");
      out.hidden = false;
    },
    created: function (data, form) { location.assign(form.dataset.created + data.id); },
    saved: function (data, form) {
      var note = form.querySelector("[data-saved]");
      if (note) { note.hidden = false; }
    },
    passwordChanged: function (data, form) {
      form.reset();
      var box = form.querySelector(".form-error");
      box.textContent = "Password changed. Other sessions signed out: " + (data.revoked || 0) + ".";
      box.hidden = false;
      loadSecurity();
    },
    keyCreated: function (data, form) {
      form.reset();
      var shown = document.querySelector("[data-new-key]");
      shown.querySelector("code").textContent = data.key;
      reveal("[data-new-key]");
    },
    tokenCreated: function (data, form) {
      form.reset();
      var shown = document.querySelector("[data-new-token]");
      shown.querySelector("code").textContent = data.token;
      reveal("[data-new-token]");
      loadSecurity();
    }
  };

  document.querySelectorAll("form[data-api]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      // A destructive action asks first: a question, or the item's name typed out.
      if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) { return; }
      if (form.dataset.confirmName !== undefined) {
        var typed = form.querySelector('[name="confirm_name"]');
        if (!typed || typed.value.trim() !== form.dataset.confirmName) {
          showError(form, { data: { message: "Type the name exactly to confirm." } });
          if (typed) { typed.setAttribute("aria-invalid", "true"); typed.focus(); }
          return;
        }
      }
      var button = form.querySelector('button[type="submit"]');
      if (button) { button.disabled = true; }
      var method = form.dataset.method || "POST";
      var body = method === "DELETE" || method === "PUT" && !form.querySelector("[name]") ? undefined : formBody(form);
      // A form that may notify many people sends one key per page load, so a second press answers the first send.
      var headers = {};
      if (form.hasAttribute("data-idempotent")) {
        form.dataset.key = form.dataset.key || (Date.now().toString(36) + Math.random().toString(36).slice(2, 12));
        headers["Idempotency-Key"] = form.dataset.key;
      }
      withReauth(function () { return api(method, form.dataset.api, body, headers); }).then(function (result) {
        if (button) { button.disabled = false; }
        if (!result.ok) { showError(form, result); return; }
        var box = form.querySelector(".form-error");
        if (box) { box.hidden = true; }
        clearError(form);
        (successes[form.dataset.onSuccess] || function () {})(result.data, form);
      }, function () {
        if (button) { button.disabled = false; }
        showError(form, { data: { message: "The server could not be reached; check your connection." } });
      });
    });
  });

  // A file as multipart form data, with the page's CSRF token; resolves like api().
  function upload(method, path, fields, file) {
    var form = new FormData();
    Object.keys(fields).forEach(function (name) { form.append(name, fields[name]); });
    form.append("file", file, file.name);
    var headers = { "Accept": "application/json" };
    if (csrfMeta) { headers["X-CSRF-Token"] = csrfMeta.content; }
    return fetch(path, { method: method, headers: headers, credentials: "same-origin", body: form })
      .then(function (response) { return response.json().then(function (data) { return { ok: response.ok, data: data }; }); });
  }
  function unreachable(form) {
    return function () { showError(form, { data: { message: "The server could not be reached; check your connection." } }); };
  }

  // The profile photo: a multipart PUT, then the page shows the new one.
  document.querySelectorAll("form[data-avatar]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var file = form.querySelector('input[type="file"]').files[0];
      if (!file) { showError(form, { data: { message: "Choose an image first." } }); return; }
      upload("PUT", "/api/v1/users/me/avatar", {}, file)
        .then(function (result) { if (!result.ok) { showError(form, result); return; } location.reload(); })
        .catch(unreachable(form));
    });
  });

  // Applying to a job: the résumé goes up first as an upload of kind "resume", then the application names it.
  document.querySelectorAll("form[data-apply]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var file = form.querySelector('input[type="file"]').files[0];
      if (!file) { showError(form, { data: { message: "Choose your résumé (a PDF) first." } }); return; }
      upload("POST", "/api/v1/uploads", { kind: "resume" }, file)
        .then(function (uploaded) {
          if (!uploaded.ok) { showError(form, uploaded); return; }
          var letter = form.querySelector('[name="cover_letter"]').value;
          var application = { resume_upload_id: uploaded.data.id };
          if (letter) { application.cover_letter = letter; }
          return api("POST", form.dataset.apply, application).then(function (result) {
            if (!result.ok) { showError(form, result); return; }
            clearError(form);
            form.hidden = true;
            reveal("[data-done]");
          });
        })
        .catch(unreachable(form));
    });
  });

  // Registration: the fields of the chosen role.
  document.querySelectorAll('input[name="requested_role"]').forEach(function (radio) {
    radio.addEventListener("change", function () {
      document.querySelectorAll("[data-role-fields]").forEach(function (group) {
        group.hidden = group.getAttribute("data-role-fields") !== radio.value;
      });
      document.querySelectorAll("[data-role-fields-except]").forEach(function (group) {
        group.hidden = group.getAttribute("data-role-fields-except") === radio.value;
      });
    });
  });

  var toggle = document.querySelector("[data-toggle-recovery]");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var code = document.querySelector("[data-code-entry]");
      var recovery = document.querySelector("[data-recovery-entry]");
      var useRecovery = recovery.hidden;
      recovery.hidden = !useRecovery;
      code.hidden = useRecovery;
      toggle.textContent = useRecovery ? "Use a code from the app" : "Use a recovery code";
      (useRecovery ? recovery : code).querySelector("input").focus();
    });
  }

  // Passkeys, where the browser has them.
  var passkeys = window.PublicKeyCredential !== undefined && navigator.credentials !== undefined;
  if (passkeys) { document.querySelectorAll(".passkey-only").forEach(function (element) { element.hidden = false; }); }

  function assertion(options) {
    var publicKey = options.publicKey;
    publicKey.challenge = b64urlToBytes(publicKey.challenge);
    publicKey.allowCredentials = (publicKey.allowCredentials || []).map(function (item) {
      return { type: item.type, id: b64urlToBytes(item.id) };
    });
    return navigator.credentials.get({ publicKey: publicKey }).then(function (credential) {
      return {
        id: credential.id, rawId: bytesToB64url(credential.rawId), type: credential.type,
        response: {
          clientDataJSON: bytesToB64url(credential.response.clientDataJSON),
          authenticatorData: bytesToB64url(credential.response.authenticatorData),
          signature: bytesToB64url(credential.response.signature),
          userHandle: credential.response.userHandle ? bytesToB64url(credential.response.userHandle) : undefined
        }
      };
    });
  }

  function passkeyFlow(button, optionsBody, finish) {
    var form = document.querySelector("form[data-api]");
    api("POST", "/api/v1/auth/webauthn/login/options", optionsBody).then(function (options) {
      if (!options.ok) { showError(form, options); return; }
      return assertion(options.data).then(function (credential) {
        return finish(options.data.ceremony_id, credential);
      }).then(function (result) {
        if (!result.ok) { showError(form, result); return; }
        afterLogin(result.data, button.dataset.next);
      });
    }).catch(function () { showError(form, { data: { message: "The passkey was not used." } }); });
  }

  var passkeyLogin = document.querySelector("[data-passkey-login]");
  if (passkeyLogin) {
    passkeyLogin.addEventListener("click", function () {
      passkeyFlow(passkeyLogin, {}, function (ceremony, credential) {
        return api("POST", "/api/v1/auth/webauthn/login", { ceremony_id: ceremony, credential: credential });
      });
    });
  }
  var passkeySecond = document.querySelector("[data-passkey-second]");
  if (passkeySecond) {
    passkeySecond.addEventListener("click", function () {
      var challenge = sessionStorage.getItem(challengeKey) || "";
      passkeyFlow(passkeySecond, { login_challenge: challenge }, function (ceremony, credential) {
        return api("POST", "/api/v1/auth/login/2fa",
          { login_challenge: challenge, webauthn: { ceremony_id: ceremony, credential: credential } });
      });
    });
  }

  // The security page: lists drawn from the API, each row with its own buttons.
  var page = document.querySelector("[data-security-page]");

  function row(list, text, actions) {
    var item = document.createElement("li");
    var label = document.createElement("span");
    label.textContent = text;
    item.appendChild(label);
    actions.forEach(function (action) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary small";
      button.textContent = action.label;
      button.setAttribute("aria-label", action.label + ": " + text);
      button.addEventListener("click", action.run);
      item.appendChild(button);
    });
    list.appendChild(item);
  }

  function act(method, path, body) {
    return withReauth(function () { return api(method, path, body); }).then(function (result) {
      if (!result.ok) { alert(result.data.message || "That did not work."); }
      loadSecurity();
      return result;
    });
  }

  function loadSecurity() {
    if (!page) { return; }
    api("GET", "/api/v1/security/2fa/status").then(function (result) {
      if (result.status === 401) { location.assign("/login?next=/settings/security"); return; }
      var status = result.data;
      var text = status.enabled
        ? "On" + (status.enrolled_at ? " (authenticator app), " + status.recovery_codes_remaining + " recovery codes left" : " (passkey)") + "."
        : "Off. Add an authenticator app or a passkey to protect your account.";
      page.querySelector("[data-twofactor-status]").textContent = text;
      page.querySelector("[data-twofactor-start]").hidden = !!status.enrolled_at;
      page.querySelector("[data-twofactor-manage]").hidden = !status.enrolled_at;
    });
    api("GET", "/api/v1/auth/sessions").then(function (result) {
      var list = page.querySelector("[data-sessions]");
      list.innerHTML = "";
      (result.data.items || []).forEach(function (session) {
        var text = (session.current ? "This browser" : (session.user_agent || "Unknown device")) + " · " + (session.ip || "unknown place")
          + " · last seen " + (session.last_seen_at || session.created_at);
        row(list, text, session.current ? [] : [{ label: "Sign out", run: function () { act("DELETE", "/api/v1/auth/sessions/" + session.id); } }]);
      });
    });
    api("GET", "/api/v1/auth/tokens").then(function (result) {
      var list = page.querySelector("[data-tokens]");
      list.innerHTML = "";
      (result.data.items || []).forEach(function (token) {
        row(list, token.name + " (" + token.prefix + "…, " + token.scopes.join(", ") + ", expires " + token.expires_at + ")",
          [{ label: "Revoke", run: function () { act("DELETE", "/api/v1/auth/tokens/" + token.id); } }]);
      });
    });
    api("GET", "/api/v1/security/webauthn/credentials").then(function (result) {
      var list = page.querySelector("[data-passkeys]");
      list.innerHTML = "";
      (result.data.items || []).forEach(function (key) {
        row(list, (key.device_name || "Passkey") + (key.flagged ? " (flagged: possible copy)" : ""), [
          { label: "Rename", run: function () {
            var name = prompt("New name for this passkey", key.device_name || "");
            if (name) { act("PATCH", "/api/v1/security/webauthn/credentials/" + key.id, { device_name: name }); }
          } },
          { label: "Remove", run: function () { act("DELETE", "/api/v1/security/webauthn/credentials/" + key.id); } }
        ]);
      });
    });
    api("GET", "/api/v1/security/audit-logs?limit=10").then(function (result) {
      var list = page.querySelector("[data-activity]");
      list.innerHTML = "";
      (result.data.logs || []).forEach(function (entry) {
        row(list, entry.occurred_at + " · " + entry.action.replace(/[._]/g, " ") + (entry.outcome === "failure" ? " (failed)" : "")
          + (entry.ip_address ? " · " + entry.ip_address : ""), []);
      });
    });
  }

  if (page) {
    loadSecurity();
    page.querySelector("[data-twofactor-start]").addEventListener("click", function () {
      withReauth(function () { return api("POST", "/api/v1/security/2fa/enable"); }).then(function (result) {
        if (!result.ok) { alert(result.data.message || "That did not work."); return; }
        page.querySelector("[data-qr]").src = "data:image/png;base64," + result.data.qr_code;
        page.querySelector("[data-secret]").textContent = result.data.secret;
        reveal("[data-twofactor-enrol]");
        document.getElementById("confirm-code").focus();
      });
    });
    page.querySelector("[data-revoke-others]").addEventListener("click", function () {
      act("POST", "/api/v1/auth/sessions/revoke-others");
    });
    var add = page.querySelector("[data-passkey-add]");
    if (add) {
      add.addEventListener("click", function () {
        var error = page.querySelector("[data-passkey-error]");
        withReauth(function () { return api("POST", "/api/v1/security/webauthn/register/options", { device_name: "Passkey" }); })
          .then(function (options) {
            if (!options.ok) { error.textContent = options.data.message; error.hidden = false; return; }
            var publicKey = options.data.publicKey;
            publicKey.challenge = b64urlToBytes(publicKey.challenge);
            publicKey.user.id = b64urlToBytes(publicKey.user.id);
            publicKey.excludeCredentials = publicKey.excludeCredentials.map(function (item) {
              return { type: item.type, id: b64urlToBytes(item.id) };
            });
            return navigator.credentials.create({ publicKey: publicKey }).then(function (credential) {
              return api("POST", "/api/v1/security/webauthn/register", {
                ceremony_id: options.data.ceremony_id,
                credential: { id: credential.id, rawId: bytesToB64url(credential.rawId), type: credential.type,
                  response: { clientDataJSON: bytesToB64url(credential.response.clientDataJSON),
                    attestationObject: bytesToB64url(credential.response.attestationObject),
                    transports: credential.response.getTransports ? credential.response.getTransports() : [] } }
              });
            }).then(function (result) {
              if (!result.ok) { error.textContent = result.data.message; error.hidden = false; }
              loadSecurity();
            });
          }).catch(function () { error.textContent = "The passkey was not created."; error.hidden = false; });
      });
    }
  }
})();
