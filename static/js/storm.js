// The storm page: keeps "pledged" and "posted" fresh from the small cacheable counts
// endpoint, ticks the countdown, and copies the post. The page works without it.
(function () {
  "use strict";
  var INTERVAL = 5000;

  function refreshCounts(element) {
    fetch(element.dataset.stormCountsUrl, { cache: "no-cache", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body) { return; }
        element.querySelectorAll("[data-storm-count]").forEach(function (count) {
          var value = body[count.dataset.stormCount];
          if (typeof value === "number") { count.textContent = value.toLocaleString("en-GB"); }
        });
      })
      .catch(function () { /* offline for a moment: try again next time */ });
  }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function tick(element) {
    var left = Math.max(0, Math.floor((Date.parse(element.dataset.countdown) - Date.now()) / 1000));
    if (left === 0) { element.textContent = "moments: reload the page"; return false; }
    var days = Math.floor(left / 86400), hours = Math.floor(left % 86400 / 3600);
    var minutes = Math.floor(left % 3600 / 60), seconds = left % 60;
    element.textContent = days ? plural(days, "day") + ", " + plural(hours, "hour")
      : hours ? plural(hours, "hour") + ", " + plural(minutes, "minute")
      : plural(minutes, "minute") + ", " + plural(seconds, "second");
    return true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-storm-counts-url]").forEach(function (element) {
      setInterval(function () { if (!document.hidden) { refreshCounts(element); } }, INTERVAL);
    });
    document.querySelectorAll("[data-countdown]").forEach(function (element) {
      if (tick(element)) {
        var timer = setInterval(function () { if (!tick(element)) { clearInterval(timer); } }, 1000);
      }
    });
    var source = document.querySelector("[data-copy-source]");
    var button = document.querySelector("[data-copy-button]");
    if (source && button && navigator.clipboard) {
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.value).then(function () { button.textContent = "Copied"; });
      });
    }
  });
})();
