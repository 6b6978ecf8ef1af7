// The share link's copy button: without JavaScript the link is a read-only field to select and copy.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    const field = document.getElementById(button.dataset.copy);
    const status = document.querySelector("[data-copy-status='" + button.dataset.copy + "']");
    if (!field) return;
    button.hidden = false;
    field.addEventListener("focus", function () { field.select(); });
    function say(text) { if (status) status.textContent = text; }
    button.addEventListener("click", function () {
      field.select();
      const done = function () { say(button.dataset.copied); };
      const failed = function () { say(button.dataset.failed); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, failed);
      } else {
        try {
          (document.execCommand("copy") ? done : failed)();
        } catch (error) {
          failed();
        }
      }
    });
  });
})();
