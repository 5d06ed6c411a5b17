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
