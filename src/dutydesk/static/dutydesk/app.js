/* DutyDesk: small behaviours for the server-rendered pages. No inline scripts (CSP). */
(function () {
  "use strict";

  function typing(target) {
    var tag = target.tagName;
    return target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function focusComposer(kind) {
    var radio = document.querySelector('input[name="kind"][value="' + kind + '"]');
    if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
    var box = document.getElementById("reply-body");
    if (box) { box.focus(); box.scrollIntoView({ block: "center" }); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var shortcuts = document.body.dataset.shortcuts;
    if (!shortcuts) return;
    if (event.key === "r") { event.preventDefault(); focusComposer("reply"); }
    else if (event.key === "n") { event.preventDefault(); focusComposer("note"); }
    else if (event.key === "a") {
      var take = document.getElementById("take-form");
      if (take) { event.preventDefault(); take.requestSubmit(); }
    } else if (event.key === "j") {
      var next = document.body.dataset.nextUrl;
      if (next) { event.preventDefault(); window.location.assign(next); }
    }
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]")) {
      target.form.requestSubmit();
    }
    if (target.name === "kind" && target.form) {
      target.form.classList.toggle("is-note", target.value === "note");
      var submit = target.form.querySelector("[data-label-reply]");
      if (submit) {
        submit.textContent = target.value === "note" ? submit.dataset.labelNote : submit.dataset.labelReply;
      }
    }
    if (target.matches && target.matches("[data-select-all]")) {
      document.querySelectorAll("input[name=tickets]").forEach(function (box) { box.checked = target.checked; });
    }
  });

  // A confirmation for destructive buttons, without inline handlers.
  document.addEventListener("submit", function (event) {
    var question = event.submitter && event.submitter.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // While tickets are ticked for a bulk action, the queue does not refresh under the hand.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail.elt;
    if (source && source.dataset && source.dataset.poll !== undefined &&
        document.querySelector("input[name=tickets]:checked")) {
      event.preventDefault();
    }
  });
})();

// Filters stay open beside the queue on a wide screen and fold away on a phone.
(function () {
  var wide = window.matchMedia("(min-width: 861px)");
  function apply() {
    document.querySelectorAll("details[data-open-wide]").forEach(function (d) { d.open = wide.matches; });
  }
  document.addEventListener("DOMContentLoaded", apply);
  wide.addEventListener("change", apply);
})();
