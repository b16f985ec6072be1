// Runs the same Go program inside a training worker, where it trains. Its first
// message is the module the page compiled: alone, or, for the worker the page
// starts at once, with the page's query, which the Go program reads (lwfBoot) to
// fetch the data before the page asks.
"use strict";
importScripts("wasm_exec.js");
onmessage = async (event) => {
  onmessage = null;
  const go = new Go();
  try {
    let module = event.data;
    if (!(module instanceof WebAssembly.Module)) {
      globalThis.lwfBoot = event.data;
      module = event.data.module;
    }
    await go.run(await WebAssembly.instantiate(module, go.importObject));
    postMessage({kind: "error", body: JSON.stringify({Message: "The training worker stopped unexpectedly", Fatal: true}), buffers: []});
  } catch (err) {
    postMessage({kind: "error", body: JSON.stringify({Message: "The training worker could not start: " + err, Fatal: true}), buffers: []});
  }
};
