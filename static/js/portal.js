// portal.js: small enhancements on top of htmx. Part of the script bundle
// every page loads with defer (after htmx); no inline script anywhere (the
// Content-Security-Policy forbids it).
(function () {
  "use strict";

  // csrfToken is the page's CSRF token, which htmx sends from the body's
  // hx-headers; fetch() calls (here and in webauthn.js) send it the same way.
  function csrfToken() {
    try {
      var headers = JSON.parse(document.body.getAttribute("hx-headers:inherited") || "{}");
      return headers["X-Csrf-Token"] || "";
    } catch (e) {
      return "";
    }
  }
  window.Portal = { csrfToken: csrfToken };

  // After htmx swaps in a form with errors, move focus to the error summary,
  // so screen readers announce it, as the no-JS page load does by autofocus.
  // Only a summary the swap brought in takes focus: the live password check
  // swaps the rule list while the customer types and must not steal focus.
  var shownSummary = document.getElementById("error-summary");
  document.addEventListener("htmx:after:swap", function () {
    var summary = document.getElementById("error-summary");
    if (summary && summary !== shownSummary) {
      summary.focus();
    }
    shownSummary = summary;
  });

  // A stale error does not stay on screen: once the live check shows every
  // password rule met, the errors of the last submit about the new password
  // are removed (other errors, such as a wrong current password, stay).
  var passwordFields = ["new_password", "confirm_password"];
  function clearStalePasswordErrors() {
    var rules = document.getElementById("password-rules");
    if (!rules || rules.querySelector('li[data-state="failed"], li[data-state="open"]')) {
      return;
    }
    passwordFields.forEach(function (name) {
      var field = document.getElementById(name);
      var error = document.getElementById(name + "-error");
      if (error) {
        error.remove();
      }
      if (field) {
        field.removeAttribute("aria-invalid");
        var wrap = field.closest(".field--error");
        if (wrap) {
          wrap.classList.remove("field--error");
        }
        var ids = (field.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
          return id && id !== name + "-error";
        });
        if (ids.length) {
          field.setAttribute("aria-describedby", ids.join(" "));
        } else {
          field.removeAttribute("aria-describedby");
        }
      }
    });
    var summary = rules.closest("form") && rules.closest("form").querySelector(".error-summary");
    if (!summary) {
      return;
    }
    summary.querySelectorAll("li").forEach(function (li) {
      var link = li.querySelector("a");
      if (link && passwordFields.indexOf(link.getAttribute("href").slice(1)) >= 0) {
        li.remove();
      }
    });
    if (!summary.querySelector("li")) {
      summary.remove();
      shownSummary = null;
    }
  }
  document.addEventListener("htmx:after:swap", clearStalePasswordErrors);

  // "Passwort anzeigen": the buttons exist in the markup, hidden, since
  // without JavaScript they could not work. Pressing one switches its field
  // between hidden and plain text; aria-pressed and the field's status line
  // say which. Sending the form hides the password again, so the browser
  // never stores it as plain text.
  function showPasswordButtons() {
    document.querySelectorAll("[data-show-password][hidden]").forEach(function (b) {
      b.hidden = false;
    });
  }
  function setShown(button, shown) {
    var field = document.getElementById(button.getAttribute("data-show-password"));
    var status = document.getElementById(button.getAttribute("data-show-password") + "-visibility");
    if (!field) {
      return;
    }
    field.type = shown ? "text" : "password";
    button.setAttribute("aria-pressed", shown ? "true" : "false");
    if (status) {
      status.textContent = button.getAttribute(shown ? "data-shown" : "data-concealed");
    }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-show-password]");
    if (button) {
      setShown(button, button.getAttribute("aria-pressed") !== "true");
    }
  });
  document.addEventListener("htmx:after:swap", showPasswordButtons);
  showPasswordButtons();

  // The print button of the recovery codes' print view.
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      window.print();
    });
  });

  // Buttons show that something is happening (slow phones) and a second
  // click does not send the form twice: a sent form is busy until the next
  // page, or until htmx has its answer.
  function setBusy(form, busy) {
    form.querySelectorAll('button[type="submit"]').forEach(function (b) {
      b.classList.toggle("is-busy", busy);
      if (busy) {
        b.setAttribute("aria-disabled", "true");
      } else {
        b.removeAttribute("aria-disabled");
      }
    });
    if (busy) {
      form.setAttribute("data-busy", "true");
    } else {
      form.removeAttribute("data-busy");
    }
  }
  // In the capture phase, so that a busy form's submit stops here, before
  // htmx's own listener on the form sends it a second time.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.getAttribute("data-busy") === "true") {
      event.preventDefault();
      event.stopPropagation();
      return;
    }
    form.querySelectorAll("[data-show-password]").forEach(function (b) {
      setShown(b, false);
    });
    setTimeout(function () {
      if (!event.defaultPrevented) {
        setBusy(form, true);
      }
    }, 0);
  }, true);
  document.addEventListener("htmx:before:request", function (event) {
    if (event.target && event.target.tagName === "FORM") {
      setBusy(event.target, true);
    }
  });
  document.addEventListener("htmx:after:request", function (event) {
    if (event.target && event.target.tagName === "FORM") {
      setBusy(event.target, false);
    }
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-busy]").forEach(function (f) {
      setBusy(f, false);
    });
  });

  // Session timeout (WCAG 2.2.1): one minute before the automatic logout a
  // notice offers to stay logged in; at the end the page goes to the login
  // page, which returns here after login.
  var box = document.getElementById("session-timeout");
  if (!box) {
    return;
  }
  var idle = parseInt(box.getAttribute("data-idle-seconds"), 10) * 1000;
  var expiredURL = box.getAttribute("data-expired-url");
  var ends = document.getElementById("session-ends");
  var warnTimer, endTimer, before;

  function clock(ms) {
    var d = new Date(Date.now() + ms);
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(warn, Math.max(idle - 60000, 0));
    endTimer = setTimeout(function () {
      window.location.assign(expiredURL);
    }, idle);
    if (ends) {
      ends.textContent = ends.textContent.replace(/\d{1,2}:\d{2}/, clock(idle));
    }
  }

  function warn() {
    before = document.activeElement;
    box.hidden = false;
    document.getElementById("session-extend").focus();
  }

  box.querySelector("form").addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(this.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-Csrf-Token": csrfToken(), "X-Requested-With": "fetch" },
    }).then(function (res) {
      if (!res.ok) {
        window.location.assign(expiredURL);
        return;
      }
      box.hidden = true;
      if (before && before.focus) {
        before.focus();
      }
      schedule();
    });
  });

  // Any htmx request renews the session on the server, so restart the clock.
  document.addEventListener("htmx:after:request", schedule);
  schedule();
})();
