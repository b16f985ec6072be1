// Loads the same Go program inside the training worker, where it trains.
"use strict";
importScripts("wasm_exec.js");
(async () => {
  const go = new Go();
  try {
    let result;
    try {
      result = await WebAssembly.instantiateStreaming(fetch("lwf.wasm"), go.importObject);
    } catch (streamingError) {
      const bytes = await (await fetch("lwf.wasm")).arrayBuffer();
      result = await WebAssembly.instantiate(bytes, go.importObject);
    }
    await go.run(result.instance);
  } catch (err) {
    postMessage({kind: "error", body: JSON.stringify({Message: "The training worker could not start: " + err, Fatal: true}), buffers: []});
  }
})();
