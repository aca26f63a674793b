// Allmende's service worker: the app opens without a connection, and the pages a member
// needs in the garden (home, this week's shifts, the roster, their plot) stay readable as
// they were when last online. Served from /sw.js (garden/home/app.py), so its scope is the
// whole site. No framework; pages that were not kept fall back to the offline page.
"use strict";

const VERSION = "{{ version }}";
const SHELL_CACHE = "allmende-shell-" + VERSION;
const PAGES_CACHE = "allmende-pages";  // kept across versions: it holds what was last seen
const SHELL = {{ shell_json|safe }};
const OFFLINE_URL = "{{ offline_url }}";
// Pages kept for offline reading, by path.
const KEPT = [/^\/$/, /^\/shifts\/$/, /^\/shifts\/roster\/$/, /^\/plots\/\d+\/$/];

function kept(url) {
  return url.origin === self.location.origin && !url.search && KEPT.some((re) => re.test(url.pathname));
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL.concat([OFFLINE_URL])))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith("allmende-shell-") && name !== SHELL_CACHE)
          .map((name) => caches.delete(name))
      ))
      .then(() => self.clients.claim())
  );
});

// A page taken from the cache says so: base.html then shows when it was rendered ("as of").
async function fromCache(request) {
  const cached = await caches.match(request, { cacheName: PAGES_CACHE, ignoreVary: true });
  if (!cached) return null;
  const html = await cached.text();
  return new Response(html.replace('data-served="network"', 'data-served="cache"'), {
    status: 200,
    headers: { "Content-Type": "text/html; charset=utf-8" },
  });
}

async function keep(request, response) {
  if (response.ok && !response.redirected && response.type === "basic") {
    const cache = await caches.open(PAGES_CACHE);
    await cache.put(request.url, response);
  }
}

async function navigate(event) {
  const url = new URL(event.request.url);
  try {
    const response = await fetch(event.request);
    if (kept(url)) event.waitUntil(keep(event.request, response.clone()));
    return response;
  } catch (offline) {
    return (await fromCache(event.request.url)) ||
      (await caches.match(OFFLINE_URL)) ||
      Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;  // actions go to the network (pwa.js queues them)
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(event));
  } else if (url.pathname.startsWith("/static/")) {
    // Static files: the network when it answers (they change with the code), else the shell.
    event.respondWith(
      fetch(request).catch(() => caches.match(request).then((hit) => hit || Response.error()))
    );
  }
});

// Pages ask to keep what they will need offline (their links to my shifts and plot), and to
// forget everything when nobody is logged in any more.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "keep" && Array.isArray(data.urls)) {
    event.waitUntil(Promise.all(data.urls.map(async (path) => {
      const url = new URL(path, self.location.origin);
      if (!kept(url)) return;
      try {
        const response = await fetch(url, { credentials: "same-origin", redirect: "follow" });
        await keep(new Request(url), response);
      } catch (offline) { /* next time */ }
    })).then(() => event.source && event.source.postMessage({ type: "kept" })));
  } else if (data.type === "forget") {
    event.waitUntil(caches.delete(PAGES_CACHE));
  }
});

// Web Push (garden/reminders): show what the garden's worker sent, open its page on a tap.
self.addEventListener("push", (event) => {
  let message = {};
  try { message = event.data ? event.data.json() : {}; } catch (notJson) { message = { body: event.data.text() }; }
  event.waitUntil(self.registration.showNotification(message.title || "Allmende", {
    body: message.body || "",
    tag: message.tag || undefined,
    icon: SHELL.find((path) => path.endsWith("icon-192.png")),
    data: { url: message.url || "/" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin);
  if (url.origin !== self.location.origin) return;
  event.waitUntil(self.clients.matchAll({ type: "window" }).then((windows) => {
    const open = windows.find((client) => client.url === url.href);
    return open ? open.focus() : self.clients.openWindow(url.href);
  }));
});
