//go:build js && wasm

// Package client is the page's side of a training worker: it starts one (or takes
// over the one site/main.js started with the page), carries protocol messages both
// ways, and says when the worker is gone. The trainer page and the bench page both
// use it; neither touches a Worker object itself.
package client

import (
	"errors"
	"syscall/js"

	"github.com/nofeedback/lwf/wasm/internal/bridge"
	"github.com/nofeedback/lwf/wasm/internal/startup"
	"github.com/nofeedback/lwf/wasm/protocol"
)

// Worker is one training worker seen from the page.
type Worker struct {
	w      js.Value
	funcs  []js.Func // its handlers, released with it
	hello  bool      // it listens
	events Events
}

// Events are what a worker tells the page. Message receives every message; its
// buffers (raw) are freed when it returns. Died says the worker is gone (it could not
// start, it stopped, or it crashed outside any recovery), with what the browser or
// the loader said; the Worker is stopped by then.
type Events struct {
	Message func(m protocol.Message, raw []js.Value)
	Died    func(msg string)
}

// Start gives the page a worker running its module: the one main.js started, the
// first time (its early messages are handed to ev at once), else a new one.
func Start(ev Events) *Worker {
	c := &Worker{events: ev}
	w, early, adopted := startup.TakeFirstWorker()
	if !adopted {
		w = js.Global().Get("Worker").New("worker.js")
	}
	onMessage := bridge.FuncOf(func(_ js.Value, args []js.Value) any {
		c.receive(args[0])
		return nil
	})
	onError := bridge.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "the training worker stopped"
		if len(args) > 0 && args[0].Get("message").Type() == js.TypeString {
			msg += ": " + args[0].Get("message").String()
		}
		c.die(msg)
		return nil
	})
	w.Set("onmessage", onMessage)
	w.Set("onerror", onError)
	c.w, c.funcs = w, []js.Func{onMessage, onError}
	if !adopted {
		w.Call("postMessage", startup.Module())
	}
	for _, e := range early {
		c.receive(e)
	}
	return c
}

// ErrNotListening is what Send returns before the worker's hello, or once it is
// stopped: the command was not sent (a worker whose Go program has not started
// would take it for its module).
var ErrNotListening = errors.New("the training worker is not listening yet")

// Listening reports whether the worker has said hello and is not stopped.
func (c *Worker) Listening() bool { return c != nil && c.hello }

// Stopped reports whether the worker is gone: stopped, or dead.
func (c *Worker) Stopped() bool { return c == nil || c.w.IsUndefined() }

// Send posts a command of run number run (protocol.Message.Run), or returns
// ErrNotListening, or what could not be encoded.
func (c *Worker) Send(run int, kind protocol.Kind, body any) error {
	if !c.Listening() {
		return ErrNotListening
	}
	m, err := protocol.Encode(kind, body)
	if err != nil {
		return err
	}
	m.Run = run
	bridge.Post(c.w, m)
	return nil
}

// SendRaw posts a command of run number run with buffers that are JavaScript
// ArrayBuffers already (a file the user picked), transferring them.
func (c *Worker) SendRaw(run int, kind protocol.Kind, body any, raw ...js.Value) error {
	if !c.Listening() {
		return ErrNotListening
	}
	m, err := protocol.Encode(kind, body)
	if err != nil {
		return err
	}
	m.Run = run
	bridge.PostJS(c.w, m, raw...)
	return nil
}

// Stop ends the worker and frees its handlers.
func (c *Worker) Stop() {
	if c == nil || c.w.IsUndefined() {
		return
	}
	c.w.Call("terminate")
	c.w.Set("onmessage", js.Null())
	c.w.Set("onerror", js.Null())
	for _, f := range c.funcs {
		bridge.Release(f)
	}
	c.w, c.funcs, c.hello = js.Undefined(), nil, false
}

func (c *Worker) die(msg string) {
	c.Stop()
	if c.events.Died != nil {
		c.events.Died(msg)
	}
}

// receive handles one message event, then frees its buffers.
func (c *Worker) receive(event js.Value) {
	m, raw, err := bridge.Receive(event)
	if err != nil {
		c.die("the training worker sent something unreadable: " + err.Error())
		return
	}
	switch m.Kind {
	case protocol.Stopped: // from worker.js: the Go program is not running
		c.die(string(m.Body))
		return
	case protocol.Hello:
		c.hello = true
	}
	c.events.Message(m, raw)
	bridge.Detach(raw)
}
