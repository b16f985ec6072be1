//go:build js && wasm

package bridge

import "syscall/js"

// Now returns the time in milliseconds since the Unix epoch with the browser's
// high-resolution clock (performance.timeOrigin + performance.now()), which the page
// and its workers share.
func Now() float64 {
	perf := js.Global().Get("performance")
	return perf.Get("timeOrigin").Float() + perf.Call("now").Float()
}
