//go:build js && wasm

// Package bridge carries protocol messages over postMessage, and awaits JavaScript
// promises from Go. The page and its worker (one WebAssembly program, wasm/app,
// started in each) use it; it is their only contact with each other.
package bridge

import (
	"errors"
	"syscall/js"

	"github.com/nofeedback/lwf/wasm/protocol"
)

var (
	uint8Array = js.Global().Get("Uint8Array")
	object     = js.Global().Get("Object")
	array      = js.Global().Get("Array")
	// canDetach: the browser has ArrayBuffer.prototype.transfer (baseline since 2024).
	canDetach = js.Global().Get("ArrayBuffer").Get("prototype").Get("transfer").Type() == js.TypeFunction
)

// Post sends m to target (a Worker, or the worker's own global scope), transferring
// its buffers rather than copying them twice.
func Post(target js.Value, m protocol.Message) {
	msg := object.New()
	msg.Set("kind", string(m.Kind))
	msg.Set("body", string(m.Body))
	msg.Set("run", m.Run)
	bufs := array.New()
	for _, b := range m.Buffers {
		bufs.Call("push", ToJS(b).Get("buffer"))
	}
	msg.Set("buffers", bufs)
	target.Call("postMessage", msg, bufs)
}

// PostJS sends m with buffers that are already JavaScript ArrayBuffers (a file the
// user picked), transferring them without copying them into Go.
func PostJS(target js.Value, m protocol.Message, raw ...js.Value) {
	msg := object.New()
	msg.Set("kind", string(m.Kind))
	msg.Set("body", string(m.Body))
	msg.Set("run", m.Run)
	bufs := array.New()
	for _, r := range raw {
		bufs.Call("push", r)
	}
	msg.Set("buffers", bufs)
	target.Call("postMessage", msg, bufs)
}

// Receive reads a message event's data. The buffers stay in JavaScript (Raw); Go
// copies them only when it needs them.
func Receive(event js.Value) (protocol.Message, []js.Value, error) {
	data := event.Get("data")
	if data.Type() != js.TypeObject || data.Get("kind").Type() != js.TypeString {
		return protocol.Message{}, nil, errors.New("bridge: a message without a kind")
	}
	m := protocol.Message{Kind: protocol.Kind(data.Get("kind").String())}
	if body := data.Get("body"); body.Type() == js.TypeString {
		m.Body = []byte(body.String())
	}
	if run := data.Get("run"); run.Type() == js.TypeNumber {
		m.Run = run.Int()
	}
	var raw []js.Value
	if bufs := data.Get("buffers"); bufs.Type() == js.TypeObject {
		for i := 0; i < bufs.Length(); i++ {
			raw = append(raw, bufs.Index(i))
		}
	}
	return m, raw, nil
}

// Detach empties the buffers of a received message once they are used (copied
// into a canvas, a Blob or Go), so that their bytes are freed at once. Go releases a
// js.Value's JavaScript object only when a finalizer runs, and syscall/js sets it on
// an 8-byte object that the allocator may pack with a live one: then it never runs,
// and a buffer Go has seen would stay in the JavaScript heap for good.
func Detach(raw []js.Value) {
	if !canDetach {
		return
	}
	for _, buf := range raw {
		buf.Call("transfer", 0)
	}
}

// ToJS copies b into a new JavaScript Uint8Array.
func ToJS(b []byte) js.Value {
	u := uint8Array.New(len(b))
	js.CopyBytesToJS(u, b)
	return u
}

// Bytes copies a JavaScript ArrayBuffer or typed array into Go.
func Bytes(buf js.Value) []byte {
	u := buf
	if !buf.InstanceOf(uint8Array) {
		u = uint8Array.New(buf)
	}
	b := make([]byte, u.Length())
	js.CopyBytesToGo(b, u)
	return b
}

// Await waits for a JavaScript promise and returns its value, or its rejection as an
// error.
func Await(promise js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	done := make(chan result, 1)
	onOK := FuncOf(func(_ js.Value, args []js.Value) any {
		var v js.Value
		if len(args) > 0 {
			v = args[0]
		}
		done <- result{v: v}
		return nil
	})
	onErr := FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "promise rejected"
		if len(args) > 0 {
			msg = jsErrorText(args[0])
		}
		done <- result{err: errors.New(msg)}
		return nil
	})
	defer Release(onOK)
	defer Release(onErr)
	promise.Call("then", onOK, onErr)
	r := <-done
	return r.v, r.err
}

func jsErrorText(v js.Value) string {
	if v.Type() == js.TypeObject && v.Get("message").Type() == js.TypeString {
		return v.Get("message").String()
	}
	return v.Call("toString").String()
}
