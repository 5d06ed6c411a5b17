// portal.js: small enhancements on top of htmx. Loaded with defer on every
// page; no inline script anywhere (the Content-Security-Policy forbids it).
(function () {
  "use strict";

  // After htmx swaps in a form with errors, move focus to the error summary,
  // so screen readers announce it, as the no-JS page load does by autofocus.
  document.addEventListener("htmx:after:swap", function () {
    var summary = document.getElementById("error-summary");
    if (summary && document.activeElement !== summary) {
      summary.focus();
    }
  });
})();
