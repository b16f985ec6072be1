//go:build js && wasm

// Package worker is the training engine of the page, run inside a Web Worker: it
// fetches the data itself, trains in slices of a few tens of milliseconds so that it
// always hears the page, and posts snapshots at most 20 times a second. It has no
// DOM (bare syscall/js); it speaks to the page only through wasm/protocol messages.
package worker

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"runtime/debug"
	"slices"
	"syscall/js"
	"time"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/core/netfile"
	"github.com/nofeedback/lwf/core/settings"
	"github.com/nofeedback/lwf/core/stats"
	"github.com/nofeedback/lwf/core/tensor"
	"github.com/nofeedback/lwf/wasm/engine"
	"github.com/nofeedback/lwf/wasm/internal/bridge"
	"github.com/nofeedback/lwf/wasm/internal/startup"
	"github.com/nofeedback/lwf/wasm/protocol"
	"github.com/nofeedback/lwf/wasm/urlstate"
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
	data         engine.Data // of dataset
	custom       string      // the name of the user's own data, which stands in for MNIST
	mnist        *mnistLoad  // MNIST, once asked for: it arrives while runs train
	engine       *engine.Engine
	lastSnapshot time.Time
	lastMemory   time.Time
	timeline     []protocol.Mark                       // the moments of the start, sent with the next Ready or snapshot
	trained      bool                                  // the run has trained a batch (and said when)
	run          int                                   // the page's number of the run: every message carries it
	commands     map[protocol.Kind]func(message) error // handlers(), made once
}

// mark notes a moment of the worker's start.
func (w *worker) mark(what string) {
	w.timeline = append(w.timeline, protocol.Mark{What: what, At: bridge.Now()})
}

// memory reads what this program holds.
func memory() *protocol.Memory {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return &protocol.Memory{HeapBytes: ms.HeapAlloc, SysBytes: ms.Sys, Funcs: bridge.LiveFuncs()}
}

// message is a command with its buffers, still in JavaScript.
type message struct {
	protocol.Message
	raw []js.Value
}

// Run serves the page from inside its Web Worker; it never returns.
func Run() {
	w := &worker{self: js.Global()}
	w.mark("worker running")
	inbox := make(chan message, 256)
	w.self.Set("onmessage", bridge.FuncOf(func(_ js.Value, args []js.Value) any {
		m, raw, err := bridge.Receive(args[0])
		if err != nil {
			w.fail(err, false)
			return nil
		}
		select {
		case inbox <- message{m, raw}:
		default: // a page that floods the worker loses commands, not the worker
		}
		return nil
	}))
	w.post(protocol.Hello, nil)
	w.startPrefetch()
	for {
		if w.engine != nil && w.engine.State() == protocol.Training {
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
			if w.engine.Waiting() { // until the data it needs has come, or the page speaks
				w.snapshot(true)
				select {
				case m := <-inbox:
					w.handle(m)
				case <-w.arrivals():
				}
				continue
			}
			w.snapshot(w.engine.State() != protocol.Training || w.engine.Steps() == 1)
			bridge.Yield()
			continue
		}
		w.handle(<-inbox)
	}
}

// handle carries out one command; a panic becomes a fatal error message.
func (w *worker) handle(m message) {
	defer func() {
		if r := recover(); r != nil {
			w.fail(fmt.Errorf("the worker crashed: %v\n%s", r, debug.Stack()), true)
			w.engine = nil
		}
	}()
	switch m.Kind {
	case protocol.Start, protocol.UseData, protocol.Load:
		w.run = m.Run // every message from here on is of this run
	}
	if w.commands == nil {
		w.commands = w.handlers()
	}
	do, ok := w.commands[m.Kind]
	if !ok {
		w.fail(fmt.Errorf("unknown command %q", m.Kind), false)
		return
	}
	if err := do(m); err != nil {
		w.fail(err, false)
	}
}

// handlers are the worker's answers to the page's commands, by kind; an error
// goes back to the page as a Failure.
func (w *worker) handlers() map[protocol.Kind]func(message) error {
	return map[protocol.Kind]func(message) error{
		protocol.Start: w.onStart,
		protocol.Reset: func(message) error { w.start(); return nil },
		protocol.Play:  func(message) error { return w.control(func(e *engine.Engine) error { e.Play(); return nil }) },
		protocol.Pause: func(message) error { return w.control(func(e *engine.Engine) error { e.Pause(); return nil }) },
		protocol.Step: func(message) error {
			return w.control(func(e *engine.Engine) error { e.Pause(); return e.StepOnce() })
		},
		protocol.Bench:   w.onBench,
		protocol.Save:    func(message) error { w.save(); return nil },
		protocol.Load:    w.onLoad,
		protocol.UseData: w.onUseData,
		protocol.Retry:   func(message) error { w.retryData(); return nil },
		protocol.Crash: func(message) error {
			go func() { panic("the page asked the worker to fail (a test of its crash handling)") }()
			return nil
		},
		protocol.Predict: w.onPredict,
	}
}

// onStart builds the run the page's command describes.
func (w *worker) onStart(m message) error {
	var cmd protocol.Command
	if err := m.Decode(&cmd); err != nil {
		return err
	}
	w.cmd = cmd
	w.mark("start asked")
	w.start()
	return nil
}

// control plays, pauses or steps the run, if there is one, and tells the page.
func (w *worker) control(do func(*engine.Engine) error) error {
	if w.engine == nil {
		return nil
	}
	err := do(w.engine)
	w.snapshot(true)
	return err
}

// onBench times training steps of the run on the whole data.
func (w *worker) onBench(m message) error {
	var cmd protocol.BenchCommand
	if err := m.Decode(&cmd); err != nil || w.engine == nil {
		return fmt.Errorf("bench: no run to time (%v)", err)
	}
	if err := w.wholeData(); err != nil { // steps past the first parts
		return err
	}
	runs, err := w.engine.Bench(cmd.Warmup, cmd.Steps, cmd.Repeats)
	if err != nil {
		return err
	}
	w.post(protocol.Timing, protocol.BenchResult{Query: w.cmd.Query, Runs: runs,
		SamplesPerSecond: stats.Median(runs), Kernels: tensor.Kernels()})
	return nil
}

// onLoad goes on from a saved network, the message's one buffer.
func (w *worker) onLoad(m message) error {
	var cmd protocol.LoadCommand
	if err := m.Decode(&cmd); err != nil || len(m.raw) != 1 {
		return fmt.Errorf("load: no file")
	}
	w.load(cmd, bridge.Bytes(m.raw[0]))
	return nil
}

// onUseData starts a run on the user's four IDX files, the message's buffers.
func (w *worker) onUseData(m message) error {
	var cmd protocol.DataCommand
	if err := m.Decode(&cmd); err != nil || len(m.raw) != 4 {
		return fmt.Errorf("data: want four IDX files")
	}
	w.useData(cmd, m.raw)
	return nil
}

// onPredict answers the pad's drawing with the network's prediction; before there
// is a network, nothing.
func (w *worker) onPredict(m message) error {
	var cmd protocol.PredictCommand
	if err := m.Decode(&cmd); err != nil || w.engine == nil {
		return nil
	}
	if pred, err := w.engine.Predict(cmd.Pixels); err == nil {
		w.post(protocol.Answer, pred)
	}
	return nil
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
	if err := w.ensureData(s); err != nil {
		w.fail(err, false)
		return
	}
	e, model, bufs, err := engine.New(s, w.data, nil)
	if err != nil {
		w.fail(err, false)
		return
	}
	w.ready(e, model, bufs)
}

// ensureData loads the data set the settings name, unless it is in already (the
// user's own files stand in for MNIST).
func (w *worker) ensureData(s settings.Settings) error {
	if w.data.Train != nil && (s.Dataset == w.dataset || (w.custom != "" && s.Dataset == settings.MNIST)) {
		return nil
	}
	w.data, w.dataset, w.custom = engine.Data{}, "", ""
	var d engine.Data
	var err error
	if s.Dataset == settings.MNIST {
		if w.mnist == nil {
			w.mnist = newMNISTLoad(w, w.cmd.DataBase)
		}
		d, err = w.mnist.wait()
	} else {
		d, err = w.fetchData(s)
	}
	if err != nil {
		return err
	}
	w.data, w.dataset = d, s.Dataset
	return nil
}

// wholeData waits until the data is all in: MNIST's last files may still be on their
// way; every other set is whole from the start.
func (w *worker) wholeData() error {
	if w.dataset != settings.MNIST || w.custom != "" {
		return nil
	}
	return w.mnist.whole()
}

// arrivals has a value when more MNIST has come; nil (never ready) without MNIST.
func (w *worker) arrivals() <-chan struct{} {
	if w.mnist == nil {
		return nil
	}
	return w.mnist.arrived
}

// retryData fetches the data again from where it stopped, and builds the run if it
// was waiting for it.
func (w *worker) retryData() {
	if w.mnist == nil {
		return
	}
	if w.engine == nil {
		w.start() // waits for the first files again
		return
	}
	w.mnist.start()
}

// startPrefetch starts loading MNIST at once when the worker was started with the
// page (and so has the page's query, package startup) and the page wants MNIST:
// the download overlaps the start of the page's own program, which asks for the
// data only once it runs.
func (w *worker) startPrefetch() {
	page, ok := startup.PageQuery()
	if !ok {
		return
	}
	st, _, err := urlstate.ParseQuery(page)
	if err != nil || st.Settings.Dataset != settings.MNIST {
		return
	}
	w.mnist = newMNISTLoad(w, protocol.DataFolder)
	w.mnist.start()
}

// ready makes e the run and tells the page.
func (w *worker) ready(e *engine.Engine, model protocol.Model, bufs [][]byte) {
	w.engine, w.trained = e, false
	w.mark("run built")
	model.Timeline, w.timeline = w.timeline, nil
	w.post(protocol.Built, model, bufs...)
	if w.cmd.Autoplay {
		e.Play() // the first batch's snapshot follows at once
		return
	}
	w.snapshot(true)
}

// snapshot posts the run's state if the last one is older than snapshotEvery, or
// at once when forced.
func (w *worker) snapshot(force bool) {
	if w.engine == nil || (!force && time.Since(w.lastSnapshot) < snapshotEvery) {
		return
	}
	snap, bufs := w.engine.Snapshot(force && w.engine.State() != protocol.Training)
	if w.engine.Steps() > 0 && !w.trained {
		w.trained = true
		w.mark("a first batch trained")
	}
	snap.Timeline, w.timeline = w.timeline, nil
	if time.Since(w.lastMemory) >= time.Second {
		snap.Memory = memory()
		w.lastMemory = time.Now()
	}
	w.post(protocol.Snapshot, snap, bufs...)
	w.lastSnapshot = time.Now()
}

// save sends the network as a file.
func (w *worker) save() {
	if w.engine == nil {
		w.fail(fmt.Errorf("save: no network yet"), false)
		return
	}
	var buf bytes.Buffer
	s := w.engine.Settings
	meta := netfile.Meta{Created: time.Now().UTC().Format(time.RFC3339), Dataset: s.Dataset, Samples: w.engine.Samples(),
		Settings: s.Values(settings.Default()).Encode(), Note: w.custom}
	if err := netfile.Write(&buf, w.engine.Network(), meta); err != nil {
		w.fail(fmt.Errorf("save: %w", err), false)
		return
	}
	name := fmt.Sprintf("lwf-%s-%s-%d.lwfnet", s.Mode, s.Topology, w.engine.Samples())
	w.post(protocol.File, protocol.NetworkFile{Name: name}, buf.Bytes())
}

// load goes on from a saved network: its own settings, the training options it was
// saved with, and the data set it was trained on (or any of the same shape).
func (w *worker) load(cmd protocol.LoadCommand, file []byte) {
	net, meta, err := netfile.Read[float32](bytes.NewReader(file))
	if err != nil {
		w.fail(fmt.Errorf("%s: %w", cmd.Name, err), false)
		return
	}
	s := settings.Default()
	if q, err := url.ParseQuery(meta.Settings); err == nil {
		s, _, _ = settings.FromValues(q, s) // the training options it was saved with; the file was checked
	}
	s = s.WithNetwork(net.Config())
	s.Dataset = settings.MNIST // unless the file names one of the others; data of another shape is refused below
	if slices.Contains(settings.Datasets, meta.Dataset) {
		s.Dataset = meta.Dataset
	}
	w.cmd.DataBase, w.cmd.Autoplay = cmd.DataBase, cmd.Autoplay
	if err := w.ensureData(s); err != nil {
		w.fail(err, false)
		return
	}
	if err := w.wholeData(); err != nil { // its first figure is the whole test set's
		w.fail(err, false)
		return
	}
	e, model, bufs, err := engine.NewFrom(net, s, w.data, nil)
	if err != nil {
		w.fail(fmt.Errorf("%s: %w", cmd.Name, err), false)
		return
	}
	w.cmd.Query = model.Query
	w.ready(e, model, bufs)
}

// useData replaces the data by the user's four IDX files and starts the run again.
func (w *worker) useData(cmd protocol.DataCommand, raw []js.Value) {
	trainSet, err := data.ParseIDXPair(bridge.Bytes(raw[0]), bridge.Bytes(raw[1]), cmd.Name)
	if err != nil {
		w.fail(err, false)
		return
	}
	testSet, err := data.ParseIDXPair(bridge.Bytes(raw[2]), bridge.Bytes(raw[3]), cmd.Name)
	if err != nil {
		w.fail(err, false)
		return
	}
	w.data, w.custom, w.dataset = engine.Data{Train: trainSet, Test: testSet}, cmd.Name, settings.MNIST
	w.cmd.Query, w.cmd.Autoplay = cmd.Query, cmd.Autoplay
	w.start()
}

func (w *worker) fail(err error, fatal bool) {
	step := 0
	if w.engine != nil {
		step = w.engine.Steps()
	}
	var retry *dataError
	w.post(protocol.Failure, protocol.ErrorEvent{Message: err.Error(), Step: step, Fatal: fatal, Retry: errors.As(err, &retry)})
}

func (w *worker) post(kind protocol.Kind, body any, bufs ...[]byte) {
	m, err := protocol.Encode(kind, body, bufs...)
	if err != nil {
		m, _ = protocol.Encode(protocol.Failure, protocol.ErrorEvent{Message: err.Error()})
	}
	m.Run = w.run
	bridge.Post(w.self, m)
}
