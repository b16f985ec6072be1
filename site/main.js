// Loads the page's Go program (lwf.wasm), which draws the page and runs the
// training workers. The module is compiled once, here. The first worker starts at
// once and gets the module (and the page's query) as soon as it is compiled, so that
// its data downloads while the page's program starts; the page's program takes it
// over, with the messages it sent meanwhile. All this loader leaves for Go is one
// object, globalThis.lwfStartup = {module, worker, early}, which Go reads in one
// place (package wasm/internal/startup). Besides sw.js, which keeps it all
// working offline, and worker.js's early start of the data, nothing else is
// written in JavaScript.
"use strict";
(async () => {
  const go = new Go();
  try {
    // The first worker loads its scripts while the module compiles.
    const startup = globalThis.lwfStartup = {};
    if (!document.getElementById("bench-table")) {
      startup.worker = new Worker("worker.js", {name: "lwf-first"}); // it begins the data at once
      startup.early = [];
      startup.worker.onmessage = (event) => startup.early.push(event);
    }
    let module;
    try {
      const response = await fetch("lwf.wasm");
      if (response.ok && !navigator.serviceWorker?.controller && globalThis.caches) {
        // A first visit: the service worker (sw.js) does not see this fetch; keep
        // the code in its cache for the next visit, rather than fetch it twice.
        const copy = response.clone();
        caches.open("lwf-BUILD").then((cache) => cache.put("lwf.wasm", copy)).catch(() => {});
      }
      module = await WebAssembly.compileStreaming(response);
    } catch (streamingError) { // a host that serves .wasm with another type
      module = await WebAssembly.compile(await (await fetch("lwf.wasm")).arrayBuffer());
    }
    startup.module = module;
    if (startup.worker) startup.worker.postMessage({page: location.search, module});
    await go.run(await WebAssembly.instantiate(module, go.importObject));
  } catch (err) {
    const status = document.getElementById("status");
    const box = document.getElementById("error");
    status.textContent = "error";
    status.dataset.state = "error";
    box.textContent = "The trainer could not start: " + err;
    box.hidden = false;
  }
})();
