// The installable app: registers the service worker (/sw.js), asks it to keep the pages a
// member needs offline, and queues a shift sign-up or check-off made without a connection,
// sending it when the connection returns.
//
// A queued action carries an idempotency key (garden/core/idempotency.py): sent twice (a
// retry whose answer was lost, two open tabs), it is applied once. The queue lives in
// localStorage; <html data-queued="n"> and #queue-status show it. Without JavaScript the
// forms post as usual.
(function () {
  "use strict";
  var root = document.documentElement;
  var STORE = "allmende-queue";
  var RETRY_MS = 5000;
  var status = document.getElementById("queue-status");
  var texts = status ? status.dataset : {};
  var signedIn = root.hasAttribute("data-user");

  // ---- the service worker --------------------------------------------------------------
  if ("serviceWorker" in navigator && root.dataset.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "kept") root.setAttribute("data-kept", "true");
    });
    navigator.serviceWorker.register(root.dataset.serviceWorker, { scope: "/" })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        root.setAttribute("data-sw", "ready");
        var worker = registration.active;
        if (!worker) return;
        if (!signedIn) {
          // Nobody is logged in (any more): nothing personal stays on this device.
          worker.postMessage({ type: "forget" });
          try { localStorage.removeItem(STORE); } catch (error) { /* private mode */ }
          return;
        }
        var keep = document.getElementById("keep-offline");
        if (keep && root.dataset.served === "network") {
          worker.postMessage({ type: "keep", urls: keep.dataset.urls.split(" ") });
        }
      })
      .catch(function () {});
  }

  // ---- the queue -----------------------------------------------------------------------
  function load() {
    try { return JSON.parse(localStorage.getItem(STORE)) || []; } catch (error) { return []; }
  }
  function save(items) {
    try { localStorage.setItem(STORE, JSON.stringify(items)); } catch (error) { /* full */ }
    show(items);
  }
  function show(items) {
    root.setAttribute("data-queued", String(items.length));
    if (status) {
      status.hidden = !items.length;
      status.textContent = items.length
        ? (texts.textQueued || "").replace("{n}", String(items.length)) + " " +
          items.map(function (item) { return item.label; }).join("; ")
        : "";
    }
    items.forEach(function (item) {
      var forms = document.querySelectorAll("form[data-queue]");
      Array.prototype.forEach.call(forms, function (form) {
        if (form.getAttribute("action") === item.action) markQueued(form);
      });
    });
  }
  function markQueued(form) {
    if (form.classList.contains("queued")) return;
    form.classList.add("queued");
    var button = form.querySelector("button");
    if (button) button.disabled = true;
    var note = document.createElement("span");
    note.className = "status queued";
    note.textContent = texts.textQueuedOne || "";
    form.appendChild(note);
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  // Resolves when the server answered (it applied or refused the action), rejects when it
  // could not be reached or could not answer (then the action waits in the queue).
  function send(item) {
    return fetch(item.action, {
      method: "POST",
      body: new URLSearchParams(item.body),
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-Requested-With": "allmende-queue" },
    }).then(function (response) {
      if (response.type === "opaqueredirect" || (response.status > 0 && response.status < 500)) {
        return response;
      }
      throw new Error("try again later");
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-queue]") || !window.fetch) return;
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    body.set("idempotency_key", newKey());
    var item = {
      action: form.getAttribute("action"),
      body: body.toString(),
      label: form.getAttribute("data-queue"),
      next: body.get("next") || location.pathname,
      at: Date.now(),
    };
    send(item)
      .then(function () { location.assign(item.next); })
      .catch(function () {
        var items = load();
        items.push(item);
        save(items);
        markQueued(form);
      });
  });

  // Still logged in? A queued action sent without a session would only be redirected to
  // the login page (which looks like success to fetch with redirect: "manual").
  function signedInStill() {
    return fetch(texts.sessionUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error("not logged in");
      });
  }

  var flushing = false;
  function flush() {
    if (flushing) return;
    flushing = true;
    var sent = 0;
    function next() {
      var items = load();
      if (!items.length) return finish();
      send(items[0])
        .then(function () { save(load().slice(1)); sent += 1; next(); })
        .catch(finish);
    }
    function finish() {
      flushing = false;
      // Show what the garden says now (and the messages about what was sent).
      if (sent) location.reload();
    }
    signedInStill().then(next, finish);
  }

  // Back online? Send what waits, and replace a page read from the cache with a fresh one.
  function tick() {
    if (load().length) {
      flush();
    } else if (root.dataset.served === "cache") {
      fetch("/healthz", { cache: "no-store" })
        .then(function (response) { if (response.ok) location.reload(); })
        .catch(function () {});
    }
  }
  if (signedIn) {
    show(load());
    window.addEventListener("online", tick);
    setInterval(tick, RETRY_MS);
    tick();
  }
})();
