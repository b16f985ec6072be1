//go:build js && wasm

// Package startup is the hand-over between the JavaScript loaders (site/main.js and
// site/worker.js) and the Go program they start: everything a loader leaves for Go
// is one object, globalThis.lwfStartup, read only here.
//
// In the page, main.js sets {module, worker, early}: the compiled module (which the
// page's other workers run), and the first worker it started at once with the
// messages that worker posted before Go took it over (none on the bench page). In a
// worker, worker.js sets {page}, the page's query, when the page sent it with the
// module, so that the worker can fetch the data before the page asks; in the page's
// first worker, also {data}: the files a run needs first (protocol.EarlyFiles),
// which it began to fetch before the module came.
package startup

import "syscall/js"

func handover() js.Value {
	v := js.Global().Get("lwfStartup")
	if v.Type() != js.TypeObject {
		return js.Undefined()
	}
	return v
}

// Module returns the page's compiled module, which a new worker is sent first.
func Module() js.Value {
	if h := handover(); !h.IsUndefined() {
		return h.Get("module")
	}
	return js.Undefined()
}

// TakeFirstWorker returns, once, the worker main.js started with the page and the
// message events it posted meanwhile; ok is false when there is none (any more).
func TakeFirstWorker() (worker js.Value, early []js.Value, ok bool) {
	h := handover()
	if h.IsUndefined() || h.Get("worker").Type() != js.TypeObject {
		return js.Undefined(), nil, false
	}
	worker = h.Get("worker")
	for i, q := 0, h.Get("early"); i < q.Length(); i++ {
		early = append(early, q.Index(i))
	}
	h.Delete("worker")
	h.Delete("early")
	return worker, early, true
}

// PageQuery returns, in a worker, the query of the page that started it with the
// page, if it was so started.
func PageQuery() (string, bool) {
	h := handover()
	if h.IsUndefined() || h.Get("page").Type() != js.TypeString {
		return "", false
	}
	return h.Get("page").String(), true
}

// TakeEarlyData returns, once, what worker.js began for the data file at url before
// the program ran: {done, loaded, total}, where done is a Promise of {bytes, cached}
// (null if it failed) and loaded and total count the bytes so far; ok is false when
// it began nothing for url (any more).
func TakeEarlyData(url string) (entry js.Value, ok bool) {
	h := handover()
	if h.IsUndefined() || h.Get("data").Type() != js.TypeObject {
		return js.Undefined(), false
	}
	entry = h.Get("data").Get(url)
	if entry.Type() != js.TypeObject {
		return js.Undefined(), false
	}
	h.Get("data").Delete(url)
	return entry, true
}
