//go:build js && wasm

// Command app is the page's one WebAssembly program. Loaded by the page, it draws the
// user interface (package ui); loaded by the page's Web Worker, it trains (package
// worker); loaded by bench.html, it times the rules (package benchpage). One binary
// for every role halves what a visitor downloads.
package main

import (
	"syscall/js"

	"github.com/nofeedback/lwf/wasm/benchpage"
	"github.com/nofeedback/lwf/wasm/ui"
	"github.com/nofeedback/lwf/wasm/worker"
)

func main() {
	doc := js.Global().Get("document")
	switch {
	case doc.IsUndefined():
		worker.Run()
	case doc.Call("getElementById", "bench-table").Truthy():
		benchpage.Run() // bench.html
	}
	ui.Run()
}
