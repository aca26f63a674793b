// Live pages: one WebSocket per open page (garden/core/consumers.py).
//
// The server renders everything. When a garden event arrives whose name is listed in a
// region's data-live-events, this script refetches the page it is on and swaps each
// [data-live-region] for the freshly rendered one, keeping focus and scroll, and tells
// screen-reader users politely. Without JavaScript the pages work the same, only not live.
//
// Other scripts can listen for "allmende:live" (every event, detail = {event, data}) on
// document and for "allmende:swapped" on a region that was just replaced.
(function () {
  "use strict";
  if (!("WebSocket" in window) || !window.fetch || !window.DOMParser) return;

  var root = document.documentElement;
  var status = document.getElementById("live-status");
  var texts = status ? status.dataset : {};
  var DEBOUNCE_MS = 250;
  var MAX_DELAY_MS = 30000;

  // ---- announcements -------------------------------------------------------------------
  var announceTimer = null;
  var recent = [];        // what was said in the last few seconds
  var recentUntil = 0;
  function announce(text) {
    if (!status || !text) return;
    // Messages close together are said together, so a page update does not cut off the
    // notification that caused it.
    var now = Date.now();
    if (now > recentUntil) recent = [];
    if (recent.indexOf(text) === -1) recent.push(text);
    recentUntil = now + 3000;
    // Clearing first makes screen readers repeat an identical message.
    status.textContent = "";
    clearTimeout(announceTimer);
    announceTimer = setTimeout(function () { status.textContent = recent.join(" "); }, 100);
  }
  function format(template, value) {
    return (template || "").replace("{name}", value || "");
  }

  // ---- the unread badge ----------------------------------------------------------------
  function setUnread(count) {
    if (typeof count !== "number" || count < 0) return;
    var badges = document.querySelectorAll('[data-live="unread-count"]');
    Array.prototype.forEach.call(badges, function (badge) {
      var number = badge.querySelector('[data-live="unread-number"]') || badge;
      number.textContent = String(count);
      badge.hidden = count === 0;
    });
  }
  function fetchUnread() {
    if (!texts.unreadUrl) return;
    fetch(texts.unreadUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) { if (body) setUnread(body.unread); })
      .catch(function () {});
  }

  // ---- regions -------------------------------------------------------------------------
  function allRegions(doc) {
    return Array.prototype.slice.call(doc.querySelectorAll("[data-live-region]"));
  }
  function listensTo(region, event) {
    var events = (region.getAttribute("data-live-events") || "").split(/\s+/);
    return events.indexOf(event) !== -1;
  }
  function isEditing(region) {
    // Never pull a form out from under someone typing in it.
    var active = document.activeElement;
    if (active && region.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) {
      var type = (active.getAttribute("type") || "").toLowerCase();
      if (["submit", "button", "reset", "hidden"].indexOf(type) === -1) return true;
    }
    var fields = region.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked !== field.defaultChecked) return true;
      } else if (field.tagName === "SELECT") {
        for (var j = 0; j < field.options.length; j++) {
          if (field.options[j].selected !== field.options[j].defaultSelected) return true;
        }
      } else if (field.type !== "hidden" && field.value !== field.defaultValue) {
        return true;
      }
    }
    return false;
  }
  function comparable(element) {
    // CSRF tokens are masked afresh on every render; they are not a change.
    var copy = element.cloneNode(true);
    Array.prototype.forEach.call(
      copy.querySelectorAll('input[name="csrfmiddlewaretoken"]'),
      function (input) { input.removeAttribute("value"); }
    );
    return copy.outerHTML;
  }
  var FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";
  function focusKey(region) {
    var active = document.activeElement;
    if (!active || active === document.body || !region.contains(active)) return null;
    if (active === region) return { self: true };
    if (active.id) return { id: active.id };
    var all = Array.prototype.slice.call(region.querySelectorAll(FOCUSABLE));
    return { index: all.indexOf(active), text: active.textContent };
  }
  function restoreFocus(region, key) {
    if (!key) return;
    var target = null;
    if (key.id) target = document.getElementById(key.id);
    if (!target && key.index !== undefined && key.index >= 0) {
      var all = region.querySelectorAll(FOCUSABLE);
      target = all[key.index] || null;
    }
    if (!target || !region.contains(target)) {
      // The focused thing is gone: keep focus in the region instead of dropping it on <body>.
      target = region;
      if (!region.hasAttribute("tabindex")) region.setAttribute("tabindex", "-1");
    }
    target.focus({ preventScroll: true });
  }
  function swap(region, fresh) {
    var key = focusKey(region);
    var above = region.getBoundingClientRect().bottom <= 0;
    var before = region.offsetHeight;
    var replacement = document.importNode(fresh, true);
    region.replaceWith(replacement);
    restoreFocus(replacement, key);
    replacement.classList.add("live-updated");
    setTimeout(function () { replacement.classList.remove("live-updated"); }, 2000);
    replacement.dispatchEvent(new CustomEvent("allmende:swapped", { bubbles: true }));
    // A region that grew or shrank above the viewport must not push the reader's place away.
    return above ? replacement.offsetHeight - before : 0;
  }

  function bump(attribute, by) {
    root.setAttribute(attribute, String((parseInt(root.getAttribute(attribute), 10) || 0) + by));
  }

  var wanted = {};     // region names to refresh, collected while debouncing
  var deferred = {};   // regions skipped because someone is editing in them
  var timer = null;
  var busy = false;

  function schedule(names) {
    names.forEach(function (name) { wanted[name] = true; });
    clearTimeout(timer);
    timer = setTimeout(refresh, DEBOUNCE_MS);
  }
  function refresh() {
    if (busy) { timer = setTimeout(refresh, DEBOUNCE_MS); return; }
    var names = Object.keys(wanted);
    wanted = {};
    if (!names.length) return;
    busy = true;
    root.setAttribute("data-live-fetching", "true");
    fetch(location.href.split("#")[0], {
      credentials: "same-origin",
      cache: "no-store",
      headers: { "X-Requested-With": "allmende-live" },
    })
      .then(function (response) {
        var sameOrigin = new URL(response.url, location.href).origin === location.origin;
        // A redirect (e.g. to the login page) or an error is not a newer version of this page.
        if (!response.ok || response.redirected || !sameOrigin) return null;
        return response.text();
      })
      .then(function (html) {
        if (html) apply(new DOMParser().parseFromString(html, "text/html"), names);
      })
      .catch(function () {})
      .then(function () {
        busy = false;
        root.removeAttribute("data-live-fetching");
        // Counters on <html> let tests (and curious people) see that a refresh happened.
        bump("data-live-fetches", 1);
      });
  }
  function apply(doc, names) {
    var x = window.scrollX, y = window.scrollY, shift = 0, labels = [];
    allRegions(document).forEach(function (region) {
      var name = region.getAttribute("data-live-region");
      if (names.indexOf(name) === -1) return;
      var fresh = doc.querySelector('[data-live-region="' + CSS.escape(name) + '"]');
      if (!fresh || comparable(fresh) === comparable(region)) return;
      if (isEditing(region)) { deferred[name] = true; return; }
      delete deferred[name];
      shift += swap(region, fresh);
      labels.push(fresh.getAttribute("data-live-label") || "");
    });
    window.scrollTo(x, y + shift);
    var unread = doc.querySelector('[data-live="unread-number"]');
    if (unread) setUnread(parseInt(unread.textContent, 10) || 0);
    if (labels.length) {
      var named = labels.filter(Boolean);
      announce(named.length ? format(texts.textUpdatedNamed, named.join(", ")) : texts.textUpdated);
    }
    bump("data-live-swaps", labels.length);
  }
  // A region put aside while someone typed catches up once they leave it.
  document.addEventListener("focusout", function (event) {
    var region = event.target.closest && event.target.closest("[data-live-region]");
    if (!region) return;
    var name = region.getAttribute("data-live-region");
    if (deferred[name]) {
      setTimeout(function () {
        if (!isEditing(region)) schedule([name]);
      }, 0);
    }
  });

  function regionsFor(event) {
    return allRegions(document)
      .filter(function (region) { return listensTo(region, event); })
      .map(function (region) { return region.getAttribute("data-live-region"); });
  }

  // ---- the socket ----------------------------------------------------------------------
  var delay = 1000;
  var everConnected = false;
  var socket = null;
  var retry = null;

  function handle(payload) {
    if (!payload || typeof payload.event !== "string") return;
    var data = payload.data || {};
    if (payload.event === "notification") {
      if (typeof data.unread === "number") setUnread(data.unread); else fetchUnread();
      announce(format(texts.textNotification, data.message));
    } else if (payload.event === "notifications-read") {
      if (typeof data.unread === "number") setUnread(data.unread); else fetchUnread();
    }
    var names = regionsFor(payload.event);
    if (names.length) schedule(names);
    document.dispatchEvent(new CustomEvent("allmende:live", { detail: payload }));
  }
  function connect() {
    retry = null;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/live/");
    socket.onopen = function () {
      delay = 1000;
      root.setAttribute("data-live", "open");
      if (everConnected) {
        // Events may have been missed while we were away: catch up once.
        fetchUnread();
        schedule(allRegions(document).map(function (r) { return r.getAttribute("data-live-region"); }));
      }
      everConnected = true;
    };
    socket.onmessage = function (message) {
      try { handle(JSON.parse(message.data)); } catch (error) { /* not ours */ }
    };
    socket.onclose = function (event) {
      root.setAttribute("data-live", "closed");
      socket = null;
      if (event.code === 4401 || event.code === 4403) return; // logged out: no point retrying
      // Exponential backoff with jitter, so a restarted server is not stampeded.
      var wait = delay * (0.5 + Math.random() / 2);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
      retry = setTimeout(connect, wait);
    };
  }
  function reconnectNow() {
    if (socket || !retry) return;
    clearTimeout(retry);
    connect();
  }
  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") reconnectNow();
  });
  root.setAttribute("data-live", "connecting");
  connect();
})();
