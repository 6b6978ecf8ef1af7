// Event times: the page shows the wall-clock time at the event with its zone; this adds the
// reader's own time when their browser is in another zone.
(function () {
  "use strict";
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  document.querySelectorAll("[data-local-output]").forEach(function (output) {
    var time = output.parentElement.querySelector("[data-local-time]");
    if (!time || time.dataset.zone === zone) return;
    var start = new Date(time.getAttribute("datetime"));
    if (isNaN(start)) return;
    var fmt = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
      weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
      hourCycle: "h23",
    });
    output.textContent = (output.dataset.label || "") + fmt.format(start) + " (" + zone.replace(/_/g, " ") + ")";
    output.hidden = false;
  });
})();
