// A form that came back with errors starts at its error summary ([data-error-summary]):
// focused, so a screen reader reads it out, and scrolled to the top of the screen, so a
// phone shows it instead of the top of a long page. (The summary's `autofocus` does the
// focusing without this script.) Its links move focus to a field and bring the field's
// label into view with it, as in the GOV.UK error summary.
(function () {
  "use strict";
  function labelFor(input) {
    return input.id ? document.querySelector('label[for="' + CSS.escape(input.id) + '"]') : null;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.focus({ preventScroll: true });
    summary.scrollIntoView({ block: "start" });
    summary.addEventListener("click", function (event) {
      var link = event.target.closest('a[href^="#"]');
      var input = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!input) { return; }
      event.preventDefault();
      (labelFor(input) || input).scrollIntoView({ block: "start" });
      input.focus({ preventScroll: true });
    });
  });
})();
