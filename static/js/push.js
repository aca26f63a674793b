// Push notifications for this device (templates/reminders/settings.html): subscribe with the
// node's VAPID key, and send the subscription with the chosen kinds to the server, which
// pushes from its worker. The service worker (/sw.js) shows the messages.
(function () {
  "use strict";
  var section = document.getElementById("push");
  var form = document.getElementById("push-form");
  var state = document.getElementById("push-state");
  if (!section || !form) return;
  var texts = section.dataset;
  var off = document.getElementById("push-off");

  function say(text) { state.textContent = text || ""; }
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !window.Notification) {
    say(texts.textUnsupported);
    return;
  }
  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }
  function post(url, fields) {
    var body = new URLSearchParams(new FormData(form));
    Object.keys(fields).forEach(function (name) { body.set(name, fields[name]); });
    return fetch(url, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error(data.detail || response.statusText);
          return data;
        });
      });
  }
  function fill(choices) {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!(field.name in choices)) return;
      if (field.type === "checkbox") field.checked = !!choices[field.name];
      else field.value = choices[field.name];
    });
  }

  var registration = null;
  navigator.serviceWorker.ready.then(function (ready) {
    registration = ready;
    form.hidden = false;
    return ready.pushManager.getSubscription();
  }).then(function (subscription) {
    if (!subscription) {
      // Blocked in the browser's site settings: asking again would not even show a prompt.
      say(Notification.permission === "denied" ? texts.textDenied : texts.textOff);
      return;
    }
    off.hidden = false;
    return fetch(texts.deviceUrl + "?endpoint=" + encodeURIComponent(subscription.endpoint), {
      credentials: "same-origin",
    }).then(function (response) { return response.json(); }).then(function (choices) {
      if (choices.subscribed) { fill(choices); say(texts.textOn); } else { say(texts.textOff); }
    });
  }).catch(function (error) { say(error.message); });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!registration) return;
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") throw new Error(texts.textDenied);
      return registration.pushManager.getSubscription().then(function (existing) {
        return existing || registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(texts.publicKey),
        });
      });
    }).then(function (subscription) {
      var json = subscription.toJSON();
      return post(texts.subscribeUrl, {
        endpoint: json.endpoint, p256dh: json.keys.p256dh, auth: json.keys.auth,
      });
    }).then(function (data) { off.hidden = false; say(data.detail); })
      .catch(function (error) { say(error.message); });
  });

  off.addEventListener("click", function () {
    registration.pushManager.getSubscription().then(function (subscription) {
      if (!subscription) return null;
      var endpoint = subscription.endpoint;
      return subscription.unsubscribe().then(function () {
        return post(texts.unsubscribeUrl, { endpoint: endpoint });
      });
    }).then(function () { off.hidden = true; say(texts.textOff); })
      .catch(function (error) { say(error.message); });
  });
})();
