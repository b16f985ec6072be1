// Runs the page's Go program inside a training worker, where it trains. Its first
// message is the module the page compiled: alone, or, for the worker the page
// starts at once, as {page, module}, with the page's query, which the Go program
// reads (globalThis.lwfStartup, package wasm/internal/startup) to fetch the data
// before the page asks. When the program cannot start or ends, the page hears it as
// a "stopped" message whose body is the reason in plain text (protocol.Stopped).
"use strict";
importScripts("wasm_exec.js");
onmessage = async (event) => {
  onmessage = null;
  const stopped = (why) => postMessage({kind: "stopped", body: why, buffers: []});
  const go = new Go();
  try {
    let module = event.data;
    if (!(module instanceof WebAssembly.Module)) {
      globalThis.lwfStartup = {page: event.data.page};
      module = event.data.module;
    }
    await go.run(await WebAssembly.instantiate(module, go.importObject));
    stopped("The training worker stopped unexpectedly");
  } catch (err) {
    stopped("The training worker could not start: " + err);
  }
};
