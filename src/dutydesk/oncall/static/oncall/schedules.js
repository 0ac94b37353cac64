/* Schedule page: copy a feed address to the clipboard. No inline scripts (CSP). */
(function () {
  "use strict";
  function flash(button) {
    var label = button.textContent;
    button.textContent = button.dataset.done || label;
    window.setTimeout(function () { button.textContent = label; }, 1500);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var input = document.getElementById(button.dataset.copy);
    if (!input) return;
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(function () { flash(button); });
    } else if (document.execCommand("copy")) {
      flash(button);
    }
  });
})();
