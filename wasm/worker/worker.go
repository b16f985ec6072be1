//go:build js && wasm

// Package worker is the training engine of the page, run inside a Web Worker: it
// fetches the data itself, trains in slices of a few tens of milliseconds so that it
// always hears the page, and posts snapshots at most 20 times a second. It has no
// DOM (bare syscall/js); it speaks to the page only through wasm/protocol messages.
package worker

import (
	"fmt"
	"net/url"
	"runtime/debug"
	"syscall/js"
	"time"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/core/settings"
	"github.com/nofeedback/lwf/core/tensor"
	"github.com/nofeedback/lwf/wasm/engine"
	"github.com/nofeedback/lwf/wasm/internal/bridge"
	"github.com/nofeedback/lwf/wasm/protocol"
)

const (
	slice         = 25 * time.Millisecond // of training between looks at the inbox
	snapshotEvery = 50 * time.Millisecond // at most 20 snapshots a second
)

// worker is the state of the worker: the data it has loaded and the run.
type worker struct {
	self         js.Value
	cmd          protocol.Command
	dataset      string
	train, test  *data.Set
	engine       *engine.Engine
	lastSnapshot time.Time
}

// Run serves the page from inside its Web Worker; it never returns.
func Run() {
	w := &worker{self: js.Global()}
	inbox := make(chan protocol.Message, 256)
	w.self.Set("onmessage", js.FuncOf(func(_ js.Value, args []js.Value) any {
		m, _, err := bridge.Receive(args[0])
		if err != nil {
			w.fail(err, false)
			return nil
		}
		select {
		case inbox <- m:
		default: // a page that floods the worker loses commands, not the worker
		}
		return nil
	}))
	w.post(protocol.Hello, nil)
	for {
		if w.engine != nil && w.engine.State() == engine.Training {
			select {
			case m := <-inbox:
				w.handle(m)
				continue
			default:
			}
			if err := w.engine.Run(slice); err != nil {
				w.snapshot(true)
				w.fail(err, false)
				continue
			}
			w.snapshot(w.engine.State() != engine.Training)
			bridge.Yield()
			continue
		}
		w.handle(<-inbox)
	}
}

// handle carries out one command; a panic becomes a fatal error message.
func (w *worker) handle(m protocol.Message) {
	defer func() {
		if r := recover(); r != nil {
			w.fail(fmt.Errorf("the worker crashed: %v\n%s", r, debug.Stack()), true)
			w.engine = nil
		}
	}()
	switch m.Kind {
	case protocol.Start:
		var cmd protocol.Command
		if err := m.Decode(&cmd); err != nil {
			w.fail(err, false)
			return
		}
		w.cmd = cmd
		w.start()
	case protocol.Reset:
		w.start()
	case protocol.Play:
		if w.engine != nil {
			w.engine.Play()
			w.snapshot(true)
		}
	case protocol.Pause:
		if w.engine != nil {
			w.engine.Pause()
			w.snapshot(true)
		}
	case protocol.Step:
		if w.engine != nil {
			w.engine.Pause()
			if err := w.engine.StepOnce(); err != nil {
				w.snapshot(true)
				w.fail(err, false)
				return
			}
			w.snapshot(true)
		}
	case protocol.Bench:
		var cmd protocol.BenchCommand
		if err := m.Decode(&cmd); err != nil || w.engine == nil {
			w.fail(fmt.Errorf("bench: no run to time (%v)", err), false)
			return
		}
		runs, err := w.engine.Bench(cmd.Warmup, cmd.Steps, cmd.Repeats)
		if err != nil {
			w.fail(err, false)
			return
		}
		w.post(protocol.Timing, protocol.BenchResult{Query: w.cmd.Query, Runs: runs,
			SamplesPerSecond: engine.Median(runs), SIMD: tensor.SIMD})
	case protocol.Predict:
		var cmd protocol.PredictCommand
		if err := m.Decode(&cmd); err != nil || w.engine == nil {
			return // nothing to answer with yet
		}
		if pred, err := w.engine.Predict(cmd.Pixels); err == nil {
			w.post(protocol.Answer, pred)
		}
	default:
		w.fail(fmt.Errorf("unknown command %q", m.Kind), false)
	}
}

// start builds a run from the current command, loading its data if needed.
func (w *worker) start() {
	w.engine = nil
	q, err := url.ParseQuery(w.cmd.Query)
	if err != nil {
		w.fail(fmt.Errorf("settings: %w", err), false)
		return
	}
	s, _, err := settings.FromValues(q, settings.Default())
	if err != nil {
		w.fail(err, false)
		return
	}
	if s.Dataset != w.dataset || w.train == nil {
		w.train, w.test, w.dataset = nil, nil, ""
		if w.train, w.test, err = w.load(s); err != nil {
			w.fail(err, false)
			return
		}
		w.dataset = s.Dataset
	}
	e, model, bufs, err := engine.New(s, w.train, w.test, nil)
	if err != nil {
		w.fail(err, false)
		return
	}
	w.engine = e
	w.post(protocol.Ready, model, bufs...)
	if w.cmd.Autoplay {
		e.Play()
	}
	w.snapshot(true)
}

// snapshot posts the run's state if the last one is older than snapshotEvery, or
// at once when forced.
func (w *worker) snapshot(force bool) {
	if w.engine == nil || (!force && time.Since(w.lastSnapshot) < snapshotEvery) {
		return
	}
	snap, bufs := w.engine.Snapshot(force && w.engine.State() != engine.Training)
	w.post(protocol.Snapshot, snap, bufs...)
	w.lastSnapshot = time.Now()
}

func (w *worker) fail(err error, fatal bool) {
	step := 0
	if w.engine != nil {
		step = w.engine.Steps()
	}
	w.post(protocol.Failure, protocol.ErrorEvent{Message: err.Error(), Step: step, Fatal: fatal})
}

func (w *worker) post(kind string, body any, bufs ...[]byte) {
	m, err := protocol.Encode(kind, body, bufs...)
	if err != nil {
		m, _ = protocol.Encode(protocol.Failure, protocol.ErrorEvent{Message: err.Error()})
	}
	bridge.Post(w.self, m)
}
