// Inside a DutyDesk web form shown in an iframe: tell the embedding page our height, so
// its embed.js can size the frame (no scrollbars inside the client's site).
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = 0;
  function report() {
    // The body's own height: the document's is never less than the frame, so could not shrink.
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ dutydeskForm: true, height: height }, "*");
  }
  window.addEventListener("load", report);
  if (window.ResizeObserver) new ResizeObserver(report).observe(document.body);
  else window.addEventListener("resize", report);
})();
