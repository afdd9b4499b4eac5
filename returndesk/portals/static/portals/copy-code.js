// The return page's Copy button: copies the grouped code and says so in the live region next to
// it. Without JavaScript, or where the page may not write the clipboard, the button stays hidden.
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) {
    return;
  }
  document.querySelectorAll("button[data-copy-code]").forEach(function (button) {
    var status = button.parentElement.querySelector("[data-copy-status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.dataset.copyCode).then(
        function () {
          if (status) { status.textContent = button.dataset.copied; }
        },
        function () {
          if (status) { status.textContent = button.dataset.copyFailed; }
        }
      );
    });
  });
})();
