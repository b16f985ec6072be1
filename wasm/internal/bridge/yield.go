//go:build js && wasm

package bridge

import "syscall/js"

var yielder struct {
	port js.Value
	done chan struct{}
}

// Yield lets the JavaScript event loop run (deliver messages, fire timers) and
// returns at once after. It posts to a MessageChannel rather than waiting on a timer,
// which browsers clamp to 4 ms.
func Yield() {
	if yielder.done == nil {
		yielder.done = make(chan struct{}, 1)
		ch := js.Global().Get("MessageChannel").New()
		ch.Get("port1").Set("onmessage", FuncOf(func(js.Value, []js.Value) any {
			yielder.done <- struct{}{}
			return nil
		}))
		yielder.port = ch.Get("port2")
	}
	yielder.port.Call("postMessage", 0)
	<-yielder.done
}
