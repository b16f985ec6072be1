// Loads the page's Go program (lwf.wasm), which draws the page and starts the
// training worker; the worker gets the compiled module rather than compiling it
// again. Besides sw.js, which keeps it all working offline, nothing else is
// written in JavaScript.
"use strict";
if ("serviceWorker" in navigator) { // offline once loaded (sw.js)
  navigator.serviceWorker.register("sw.js").catch(() => {});
}
(async () => {
  const go = new Go();
  try {
    let result;
    try {
      result = await WebAssembly.instantiateStreaming(fetch("lwf.wasm"), go.importObject);
    } catch (streamingError) { // a host that serves .wasm with another type
      const bytes = await (await fetch("lwf.wasm")).arrayBuffer();
      result = await WebAssembly.instantiate(bytes, go.importObject);
    }
    globalThis.lwfModule = result.module;
    await go.run(result.instance);
  } catch (err) {
    const status = document.getElementById("status");
    const box = document.getElementById("error");
    status.textContent = "error";
    status.dataset.state = "error";
    box.textContent = "The trainer could not start: " + err;
    box.hidden = false;
  }
})();
