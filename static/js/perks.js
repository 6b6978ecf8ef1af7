// Copy buttons for perk codes under "My perks": without JavaScript the code stays selectable text.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-code]").forEach(function (button) {
    const code = document.getElementById(button.dataset.copyCode);
    const status = document.querySelector("[data-copy-code-status='" + button.dataset.copyCode + "']");
    if (!code) return;
    button.hidden = false;
    function say(text) { if (status) status.textContent = text; }
    function selectCode() {
      const range = document.createRange();
      range.selectNodeContents(code);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
    button.addEventListener("click", function () {
      const text = code.textContent.trim();
      const done = function () { say(button.dataset.copied); };
      const failed = function () { selectCode(); say(button.dataset.failed); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, failed);
      } else {
        selectCode();
        try {
          (document.execCommand("copy") ? done : failed)();
        } catch (error) {
          failed();
        }
      }
    });
  });
})();
