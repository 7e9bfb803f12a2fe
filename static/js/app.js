// INLOOP's own script: small enhancements; every page works without it.
(function () {
  "use strict";

  // Dates in the reader's own time zone.
  function localize(root) {
    root.querySelectorAll("time[data-local]").forEach(function (element) {
      var date = new Date(element.getAttribute("datetime"));
      if (!isNaN(date)) {
        element.title = element.textContent;
        element.textContent = date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
      }
    });
  }

  function describe(seconds) {
    if (seconds >= 2 * 86400) return "in " + Math.floor(seconds / 86400) + " days";
    if (seconds >= 3600) return "in " + Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " min";
    if (seconds >= 60) return "in " + Math.floor(seconds / 60) + " min " + (seconds % 60) + " s";
    return "in " + seconds + " s";
  }

  // Live countdowns. An opening time reloads the page when it comes, to show what opened; a
  // deadline turns red in its last five minutes and then says it has passed (the editor keeps
  // its work, so the page is not reloaded under the student's hands).
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-countdown]").forEach(function (element) {
      var seconds = Math.ceil((new Date(element.getAttribute("datetime")) - now) / 1000);
      if (isNaN(seconds)) return;
      var deadline = element.dataset.countdown === "deadline";
      if (seconds <= 0) {
        if (deadline) {
          element.textContent = "passed";
          element.closest(".deadline").classList.add("expired");
        } else if (!element.dataset.reloaded) {
          element.dataset.reloaded = "1";
          element.textContent = "now";
          window.setTimeout(function () { window.location.reload(); }, 1500);
        }
        return;
      }
      if (deadline && seconds <= 300) element.closest(".deadline").classList.add("deadline-close");
      element.textContent = describe(seconds);
    });
  }

  // Code in task texts and submitted files, highlighted where the language is known.
  function highlight(root) {
    if (!window.hljs) return;
    root.querySelectorAll('pre code[class*="language-"]').forEach(function (element) {
      if (!element.dataset.highlighted) window.hljs.highlightElement(element);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    localize(document);
    highlight(document);
    tick();
    window.setInterval(tick, 1000);
  });
  document.addEventListener("htmx:afterSwap", function (event) { localize(event.target); highlight(event.target); });
})();
