/* The field app's service worker (portal/field.py says what a device may keep). It precaches the app
   shell — one page without data, its scripts, styles, fonts and icons — and answers exactly those URLs
   from its cache when the network fails. It caches nothing else: no page of the site, no API answer.
   The work list and the entries typed offline live in the page's IndexedDB (static/js/field-db.js). */
"use strict";

var VERSION = "__VERSION__";
var CACHE = "care-shell-" + VERSION;
var SHELL = __SHELL__;
var STATIC = "__STATIC__";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(SHELL.map(function (url) { return new Request(url, {credentials: "omit"}); }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name !== CACHE; })
        .map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || SHELL.indexOf(url.pathname) === -1) { return; }
  // A query string only on static files (the icon font's cache-buster): a page with one is not the shell.
  if (url.search && url.pathname.indexOf(STATIC) !== 0) { return; }
  // The field page: the network's copy when there is one (a newer shell), the cached one otherwise.
  // Static files are named by their content in production: the cached copy is the right one.
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () {
      return caches.open(CACHE).then(function (cache) { return cache.match(url.pathname); });
    }));
    return;
  }
  event.respondWith(caches.open(CACHE).then(function (cache) {
    return cache.match(url.pathname).then(function (hit) { return hit || fetch(request); });
  }));
});
