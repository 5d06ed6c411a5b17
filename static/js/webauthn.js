// webauthn.js: passkeys. Part of the script bundle every page loads (after
// portal.js); it acts on the pages that offer passkeys (method choice,
// passkey setup, second step of login, login) and does nothing elsewhere.
// Plain script, no framework, no inline script and no eval (the CSP forbids
// both).
//
// - Shows [data-needs-webauthn] and hides [data-no-webauthn] where the
//   browser supports passkeys; without this script (or support) the page
//   keeps its explanation and shows no button that cannot work.
// - form[data-webauthn-register]: names and creates a passkey.
// - button[data-webauthn-verify]: the passkey as second factor.
// - button[data-webauthn-login]: passwordless login; on the login page the
//   browser's autofill also offers passkeys (conditional mediation).
//
// Each ceremony POSTs JSON to the element's data-webauthn-begin URL, runs
// navigator.credentials and POSTs the answer to data-webauthn-finish. The
// server answers {"redirect": path} to go on or {"error": text} to show.
(function () {
  "use strict";

  var supported = !!(window.PublicKeyCredential && navigator.credentials && window.fetch && window.Promise);
  document.querySelectorAll("[data-needs-webauthn]").forEach(function (el) {
    el.hidden = !supported;
  });
  document.querySelectorAll("[data-no-webauthn]").forEach(function (el) {
    el.hidden = supported;
  });
  if (!supported) {
    return;
  }

  var texts = document.querySelector("[data-webauthn-messages]");

  function text(name) {
    return (texts && texts.getAttribute("data-msg-" + name)) || "";
  }

  // Failure is an error to show to the customer; field names the form field
  // it concerns, if any.
  function Failure(message, field) {
    this.message = message;
    this.field = field || "";
  }

  // csrfToken comes from portal.js, which every page loads first.
  function csrfToken() {
    return window.Portal ? window.Portal.csrfToken() : "";
  }

  // never is a promise that stays pending while the page navigates away.
  function never() {
    return new Promise(function () {});
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-Csrf-Token": csrfToken(),
      },
      body: JSON.stringify(body || {}),
    }).then(function (res) {
      var type = res.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") !== 0) {
        // A redirect the server sent for a page (the session ended, the
        // login moved on): follow it as the page would.
        if (res.redirected) {
          window.location.assign(res.url);
          return never();
        }
        throw new Failure(text(res.status === 429 ? "throttled" : "failed"));
      }
      return res.json().then(function (data) {
        if (data.redirect) {
          window.location.assign(data.redirect);
          return never();
        }
        if (!res.ok || data.error) {
          throw new Failure(data.error || text("failed"), data.field);
        }
        return data;
      });
    });
  }

  // Base64url helpers, for browsers without the WebAuthn JSON methods.
  function bytes(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) {
      s += "=";
    }
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      out[i] = bin.charCodeAt(i);
    }
    return out.buffer;
  }

  function b64url(buf) {
    var b = new Uint8Array(buf);
    var s = "";
    for (var i = 0; i < b.length; i++) {
      s += String.fromCharCode(b[i]);
    }
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withIDs(list) {
    return (list || []).map(function (c) {
      return Object.assign({}, c, { id: bytes(c.id) });
    });
  }

  function creationOptions(json) {
    if (PublicKeyCredential.parseCreationOptionsFromJSON) {
      return PublicKeyCredential.parseCreationOptionsFromJSON(json);
    }
    return Object.assign({}, json, {
      challenge: bytes(json.challenge),
      user: Object.assign({}, json.user, { id: bytes(json.user.id) }),
      excludeCredentials: withIDs(json.excludeCredentials),
    });
  }

  function requestOptions(json) {
    if (PublicKeyCredential.parseRequestOptionsFromJSON) {
      return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    }
    return Object.assign({}, json, {
      challenge: bytes(json.challenge),
      allowCredentials: withIDs(json.allowCredentials),
    });
  }

  function credentialJSON(cred) {
    if (typeof cred.toJSON === "function") {
      return cred.toJSON();
    }
    var r = cred.response;
    var out = {
      id: cred.id,
      rawId: b64url(cred.rawId),
      type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: { clientDataJSON: b64url(r.clientDataJSON) },
    };
    if (r.attestationObject) {
      out.response.attestationObject = b64url(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = b64url(r.authenticatorData);
      out.response.signature = b64url(r.signature);
      if (r.userHandle) {
        out.response.userHandle = b64url(r.userHandle);
      }
    }
    return out;
  }

  // message is what to tell the customer about err: the server's text, or
  // the browser's reason (cancelled or timed out, passkey exists already).
  function message(err) {
    if (err instanceof Failure) {
      return err.message;
    }
    if (err && err.name === "NotAllowedError") {
      return text("cancelled");
    }
    if (err && err.name === "InvalidStateError") {
      return text("exists");
    }
    return text("failed");
  }

  function errorBox(el) {
    var box = el.querySelector("[data-webauthn-error]");
    return box || el.parentNode.querySelector("[data-webauthn-error]");
  }

  function clearError(box, form) {
    box.hidden = true;
    box.textContent = "";
    if (form) {
      form.querySelectorAll("[aria-invalid]").forEach(function (f) {
        f.removeAttribute("aria-invalid");
      });
    }
  }

  // showError shows the message and moves the focus to it (it is a
  // role=alert element, so it is announced as well); a field it concerns
  // is marked invalid and described by it.
  function showError(box, err, form) {
    box.textContent = message(err);
    box.hidden = false;
    var field = form && err instanceof Failure && err.field ? form.elements.namedItem(err.field) : null;
    if (field) {
      field.setAttribute("aria-invalid", "true");
      var ids = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (ids.indexOf(box.id) < 0) {
        ids.unshift(box.id);
        field.setAttribute("aria-describedby", ids.join(" "));
      }
    }
    box.focus();
  }

  // run runs one ceremony for button: busy meanwhile, the error shown after
  // a failure, and the button usable again. It ignores clicks while busy.
  function run(button, box, form, ceremony) {
    if (button.getAttribute("aria-busy") === "true") {
      return Promise.resolve();
    }
    clearError(box, form);
    button.setAttribute("aria-busy", "true");
    return ceremony().catch(function (err) {
      button.removeAttribute("aria-busy");
      if (err && err.name === "AbortError") {
        return;
      }
      showError(box, err, form);
    });
  }

  // Registration.
  document.querySelectorAll("form[data-webauthn-register]").forEach(function (form) {
    var button = form.querySelector('[type="submit"]');
    var box = errorBox(form);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      run(button, box, form, function () {
        var field = form.elements.namedItem("name");
        var name = field ? field.value : "";
        return post(form.getAttribute("data-webauthn-begin"), { name: name })
          .then(function (data) {
            return navigator.credentials.create({ publicKey: creationOptions(data.publicKey) });
          })
          .then(function (cred) {
            return post(form.getAttribute("data-webauthn-finish"), { credential: credentialJSON(cred) });
          });
      });
    });
  });

  // Second factor.
  document.querySelectorAll("[data-webauthn-verify]").forEach(function (button) {
    var box = errorBox(button.parentNode);
    button.addEventListener("click", function () {
      run(button, box, null, function () {
        return post(button.getAttribute("data-webauthn-begin"))
          .then(function (data) {
            return navigator.credentials.get({ publicKey: requestOptions(data.publicKey) });
          })
          .then(function (cred) {
            return post(button.getAttribute("data-webauthn-finish"), { credential: credentialJSON(cred) });
          });
      });
    });
  });

  // Passwordless login, by button and by autofill.
  var loginButton = document.querySelector("[data-webauthn-login]");
  if (!loginButton) {
    return;
  }
  var loginBox = errorBox(loginButton.parentNode);
  var autofill = null; // AbortController of the pending autofill request
  var autofillRuns = 0;

  function nextPath() {
    var next = document.querySelector('#login-form input[name="next"]');
    return next ? next.value : "";
  }

  function passkeyLogin(mediation, signal) {
    return post(loginButton.getAttribute("data-webauthn-begin")).then(function (data) {
      var options = { publicKey: requestOptions(data.publicKey) };
      if (mediation) {
        options.mediation = mediation;
        options.signal = signal;
      }
      return navigator.credentials.get(options).then(function (cred) {
        return post(loginButton.getAttribute("data-webauthn-finish"), {
          flow: data.flow,
          credential: credentialJSON(cred),
          next: nextPath(),
        }).catch(function (err) {
          if (err instanceof Failure) {
            err.picked = true; // the customer chose a passkey: tell them
          }
          throw err;
        });
      });
    });
  }

  function stopAutofill() {
    if (autofill) {
      autofill.abort();
      autofill = null;
    }
  }

  // startAutofill offers passkeys in the e-mail field's autofill. The
  // request waits until the customer picks one; it is renewed when it ends
  // without a choice (a few times at most).
  function startAutofill() {
    if (autofill || autofillRuns >= 5) {
      return;
    }
    autofillRuns++;
    var controller = new AbortController();
    autofill = controller;
    passkeyLogin("conditional", controller.signal).catch(function (err) {
      if (autofill === controller) {
        autofill = null;
      }
      if (controller.signal.aborted || (err && err.name === "AbortError")) {
        return;
      }
      if (err instanceof Failure && err.picked) {
        showError(loginBox, err, null);
      }
      startAutofill();
    });
  }

  loginButton.addEventListener("click", function () {
    stopAutofill();
    run(loginButton, loginBox, null, function () {
      return passkeyLogin(null, null);
    }).then(function () {
      // Back on the page after a failure: offer autofill again.
      if (loginButton.getAttribute("aria-busy") !== "true") {
        startAutofill();
      }
    });
  });

  if (PublicKeyCredential.isConditionalMediationAvailable) {
    PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
      if (available) {
        startAutofill();
      }
    }, function () {});
  }
})();
