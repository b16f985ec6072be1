// Runs the page's Go program inside a training worker, where it trains. Its first
// message is the module the page compiled: alone, or, for the worker the page
// starts at once, as {page, module}, with the page's query, which the Go program
// reads (globalThis.lwfStartup, package wasm/internal/startup) to fetch the data
// before the page asks. When the program cannot start or ends, the page hears it as
// a "stopped" message whose body is the reason in plain text (protocol.Stopped).
"use strict";
importScripts("wasm_exec.js");

// The page's first worker (main.js names it) begins at once, while the module still
// downloads and compiles, the files a run needs first: the data cache's copies where
// a visit before kept them, else the network's. The Go loader (wasm/worker) takes
// them over as lwfStartup.data; a download cut here is the loader's to finish, with
// its retries and Range requests from where it stopped. The names are
// protocol.EarlyFiles and protocol.DataCache (a test checks that they agree).
const DATA_CACHE = "lwf-data-1";
const EARLY_FILES = ["train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.part00.gz",
  "t10k-quick-images-idx3-ubyte.gz", "t10k-quick-labels-idx1-ubyte.gz"];
const STALL_MS = 10000; // without a byte: the download is cut

// fetchEarly resolves to {bytes, cached}, {bytes, partial} (the file's first bytes,
// where the download was cut) or null (nothing the loader can go on from).
const fetchEarly = async (url, entry) => {
  const cache = globalThis.caches ? await caches.open(DATA_CACHE).catch(() => null) : null;
  const hit = cache && await cache.match(url);
  if (hit) return {bytes: new Uint8Array(await hit.arrayBuffer()), cached: true};
  const abort = new AbortController();
  let stall = setTimeout(() => abort.abort(), STALL_MS);
  const chunks = [];
  const joined = () => {
    const bytes = new Uint8Array(entry.loaded);
    chunks.reduce((at, c) => (bytes.set(c, at), at + c.length), 0);
    return bytes;
  };
  let recoded = true; // until a whole file's bytes are coming, as they are on the host
  try {
    const response = await fetch(url, {signal: abort.signal});
    if (response.status !== 200) return null;
    recoded = !!response.headers.get("Content-Encoding");
    if (!recoded) entry.total = Number(response.headers.get("Content-Length")) || 0;
    const reader = response.body.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      clearTimeout(stall);
      stall = setTimeout(() => abort.abort(), STALL_MS);
      chunks.push(r.value);
      entry.loaded += r.value.length;
    }
    return {bytes: joined(), cached: false};
  } catch (err) {
    return recoded || entry.loaded === 0 ? null : {bytes: joined(), partial: true};
  } finally {
    clearTimeout(stall);
  }
};

globalThis.lwfStartup = {};
if (self.name === "lwf-first") {
  const data = globalThis.lwfStartup.data = {};
  for (const name of EARLY_FILES) {
    const entry = data["data/" + name] = {loaded: 0, total: 0};
    entry.done = fetchEarly("data/" + name, entry).catch(() => null);
  }
}

onmessage = async (event) => {
  onmessage = null;
  const stopped = (why) => postMessage({kind: "stopped", body: why, buffers: []});
  const go = new Go();
  try {
    let module = event.data;
    if (!(module instanceof WebAssembly.Module)) {
      globalThis.lwfStartup.page = event.data.page;
      module = event.data.module;
    }
    await go.run(await WebAssembly.instantiate(module, go.importObject));
    stopped("The training worker stopped unexpectedly");
  } catch (err) {
    stopped("The training worker could not start: " + err);
  }
};
