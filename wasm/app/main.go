//go:build js && wasm

// Command app is the page's one WebAssembly program. Loaded by the page, it draws the
// user interface (package ui); loaded by the page's Web Worker, it trains (package
// worker). One binary for both roles halves what a visitor downloads.
package main

import (
	"syscall/js"

	"github.com/nofeedback/lwf/wasm/ui"
	"github.com/nofeedback/lwf/wasm/worker"
)

func main() {
	if js.Global().Get("document").IsUndefined() {
		worker.Run()
	}
	ui.Run()
}
