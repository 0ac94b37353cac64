/* Monitoring pages: copy buttons for ping and intake URLs. No inline scripts (CSP). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button) return;
    var field = document.getElementById(button.dataset.copy);
    if (!field) return;
    var done = function () {
      var label = button.textContent;
      button.textContent = button.dataset.copied || label;
      setTimeout(function () { button.textContent = label; }, 1500);
    };
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });

  // The maintenance form shows the fields of the chosen recurrence only.
  var SHOWN = {
    once: ["starts_at", "ends_at"],
    weekly: ["starts_at", "ends_at", "weekdays", "start_time", "duration_minutes"],
    cron: ["starts_at", "ends_at", "cron", "duration_minutes"]
  };
  var RECURRING = ["starts_at", "ends_at", "weekdays", "start_time", "cron", "duration_minutes"];
  function recurrence(form) {
    var select = form.querySelector("select[name=recurrence]");
    if (!select) return;
    var shown = SHOWN[select.value] || RECURRING;
    RECURRING.forEach(function (name) {
      var input = form.querySelector("[name=" + name + "]");
      var box = input && input.closest(".field, fieldset");
      if (box) box.hidden = shown.indexOf(name) < 0 && !box.querySelector(".errorlist");
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "recurrence" && event.target.form) recurrence(event.target.form);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-recurrence-form]").forEach(recurrence);
  });
})();
