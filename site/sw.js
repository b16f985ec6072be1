// Keeps the trainer working offline, as lecture halls often need: on install it
// caches the page, its code and the MNIST files; afterwards it answers from the
// network when it can (refreshing the cache) and from the cache when it cannot.
// The build replaces BUILD by a hash of lwf.wasm, so a new build gets a new cache.
"use strict";
const CACHE = "lwf-BUILD";
const FILES = ["./", "index.html", "bench.html", "style.css", "main.js", "worker.js", "wasm_exec.js", "lwf.wasm", "icon.svg",
  "data/t10k-images-idx3-ubyte.gz", "data/t10k-labels-idx1-ubyte.gz", "data/train-images-idx3-ubyte.gz", "data/train-labels-idx1-ubyte.gz"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("lwf-") && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(fetch(request).then((response) => {
    if (response.ok) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(request, copy));
    }
    return response;
  }).catch(() => caches.match(request, {ignoreSearch: true}).then((cached) => cached || Response.error())));
});
