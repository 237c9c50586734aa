// Keeps a petition's count fresh without a reload, from the small cacheable count endpoint.
(function () {
  "use strict";
  var INTERVAL = 5000;
  function refresh(element) {
    fetch(element.dataset.countUrl, { cache: "no-cache", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body) { return; }
        element.textContent = body.total.toLocaleString("en-GB");
        var bar = document.querySelector("[data-count-progress]");
        if (bar) { bar.value = body.total; }
      })
      .catch(function () { /* offline for a moment: try again next time */ });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-count-url]").forEach(function (element) {
      refresh(element);
      setInterval(function () { if (!document.hidden) { refresh(element); } }, INTERVAL);
    });
  });
})();
