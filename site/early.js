// Runs before the page is first drawn: it gives <html> the classes of the view the
// link asks for (present=1, embed=1, signals=1: the page's flags, read as wasm/urlstate reads
// them), so that the page is drawn in its final layout at once rather than moving
// when its Go program starts (which sets them too).
"use strict";
(() => {
  const params = new URLSearchParams(location.search);
  for (const name of ["present", "embed", "signals"]) {
    const v = params.getAll(name).pop();
    if (v !== undefined && ["", "1", "true", "on", "yes"].includes(v.toLowerCase())) {
      document.documentElement.classList.add(name);
    }
  }
})();
