// Runs the same Go program inside the training worker, where it trains. The page
// sends the module it has already compiled as its first message.
"use strict";
importScripts("wasm_exec.js");
onmessage = async (event) => {
  onmessage = null;
  const go = new Go();
  try {
    let instance;
    if (event.data instanceof WebAssembly.Module) {
      instance = await WebAssembly.instantiate(event.data, go.importObject);
    } else {
      instance = (await WebAssembly.instantiateStreaming(fetch("lwf.wasm"), go.importObject)).instance;
    }
    await go.run(instance);
    postMessage({kind: "error", body: JSON.stringify({Message: "The training worker stopped unexpectedly", Fatal: true}), buffers: []});
  } catch (err) {
    postMessage({kind: "error", body: JSON.stringify({Message: "The training worker could not start: " + err, Fatal: true}), buffers: []});
  }
};
