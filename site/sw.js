// Keeps the trainer working offline, as lecture halls often need, and makes the next
// visit start from this machine: everything it holds is served from its cache first.
// On install it keeps the page's small files. lwf.wasm is kept as it is first fetched
// (on a first visit main.js puts it here: the service worker does not yet see that
// fetch), so nothing is downloaded twice. The data files are not this worker's: the
// training worker keeps them in a cache of its own ("lwf-data-…"), filled as they
// arrive, which outlives builds. The build replaces BUILD by a hash of the site, so a
// new build is a new service worker with a new cache.
"use strict";
const CACHE = "lwf-BUILD";
const SHELL = ["./", "index.html", "bench.html", "style.css", "early.js", "main.js", "worker.js", "wasm_exec.js", "icon.svg"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("lwf-") && !k.startsWith("lwf-data-") && k !== CACHE)
      .map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.includes("/data/")) return;
  event.respondWith(caches.open(CACHE).then((cache) => cache.match(request, {ignoreSearch: true}).then((hit) => hit ||
    fetch(request).then((response) => {
      if (response.status === 200) cache.put(request, response.clone());
      return response;
    }))));
});
