// Live updates: one WebSocket per page; pages listen for "allmende:live" events.
(function () {
  "use strict";
  if (!("WebSocket" in window)) return;
  var scheme = location.protocol === "https:" ? "wss://" : "ws://";
  var delay = 1000;
  function connect() {
    var socket = new WebSocket(scheme + location.host + "/ws/live/");
    socket.onopen = function () { delay = 1000; };
    socket.onmessage = function (message) {
      var payload = JSON.parse(message.data);
      if (payload.event === "notification") {
        var badge = document.querySelector('[data-live="unread-count"]');
        if (badge) { badge.textContent = String((parseInt(badge.textContent, 10) || 0) + 1); badge.hidden = false; }
      }
      document.dispatchEvent(new CustomEvent("allmende:live", { detail: payload }));
    };
    socket.onclose = function (event) {
      if (event.code === 4401) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
