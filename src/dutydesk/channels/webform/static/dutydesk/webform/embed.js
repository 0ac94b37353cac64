// On a client's site: sizes every iframe that shows a DutyDesk web form to its content.
// Load it once, anywhere on the page: <script src=".../static/dutydesk/webform/embed.js" async>
(function () {
  "use strict";
  var MAX = 5000;
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.dutydeskForm !== true || typeof data.height !== "number") return;
    var frames = document.querySelectorAll("iframe[data-dutydesk-form]");
    for (var i = 0; i < frames.length; i++) {
      var frame = frames[i];
      // Only the frame that sent it, and only if it really comes from that frame's origin.
      if (frame.contentWindow !== event.source) continue;
      if (new URL(frame.src, document.baseURI).origin !== event.origin) continue;
      frame.style.height = Math.min(Math.max(data.height, 200), MAX) + "px";
    }
  });
})();
