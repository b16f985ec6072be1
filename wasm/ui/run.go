//go:build js && wasm

package ui

import (
	"errors"
	"net/url"
	"syscall/js"

	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/settings"
	"github.com/nofeedback/lwf/wasm/client"
	"github.com/nofeedback/lwf/wasm/protocol"
)

// run is one rule training in its own worker: the page has one, a race two to six.
type run struct {
	p      *page
	index  int // its place in p.runs and p.st.Runs
	mode   nn.Mode
	colour string
	worker *client.Worker

	model    *protocol.Model
	snap     protocol.SnapshotEvent
	train    []protocol.Point
	test     []protocol.Point
	align    []protocol.AlignPoint
	weights  *picture
	feedback []*picture
	digits   *picture
	preds    []int
	// confusion is the latest evaluation's confusion matrix; full when it covered the
	// whole test set.
	confusion [][]int
	full      bool
	loaded    bool // it went on from an opened network: its Ready brings the settings
	memory    protocol.Memory
	steps     []float64 // the losses of the first batches
	// signals are the latest sizes of each layer's learning signal (RMS), and
	// firstSignals the first the run measured.
	signals, firstSignals []float64
}

// maxPoints bounds each curve the page keeps: past it, the older half is thinned by
// two, so that a run of hours holds no more than a run of minutes.
const maxPoints = 4000

func thin[T any](pts []T) []T {
	if len(pts) <= maxPoints {
		return pts
	}
	half := len(pts) / 2
	out := pts[:0]
	for i := 0; i < half; i += 2 {
		out = append(out, pts[i])
	}
	return append(out, pts[half:]...)
}

// raceColours tell the rules of a race apart; a single run takes the first.
var raceColours = []string{"#1f5fa8", "#e8833a", "#1b7f3b", "#8e44ad", "#c0392b", "#17a2b8"}

func newRun(p *page, mode nn.Mode, i int) *run {
	r := &run{p: p, index: i, mode: mode, colour: raceColours[i%len(raceColours)]}
	r.startWorker()
	return r
}

// state is the run's part of the page's state.
func (r *run) state() RunState { return r.p.st.Runs[r.index] }

// figures is what the metrics and the race's table show of the run.
func (r *run) figures() figures {
	return figures{mode: r.mode, model: r.model, snap: r.snap, align: r.align}
}

// phase is where the run stands.
func (r *run) phase() protocol.State { return r.state().Phase }

// startWorker gives the run its worker (the first run takes over the one
// site/main.js started with the page); the run starts when the worker says hello.
func (r *run) startWorker() {
	r.worker = client.Start(client.Events{Message: r.onMessage, Died: r.died})
}

// stop ends the worker.
func (r *run) stop() { r.worker.Stop() }

// died shows that the worker is gone; Reset starts it again. Other runs go on.
func (r *run) died(msg string) {
	r.stop()
	msg += ". Press Reset to start it again with the same settings."
	r.p.showError(r.named(msg))
	r.p.dispatch(Action{Kind: WorkerDied, Run: r.index, Reason: msg})
}

// fail stops the run's current start, saying why.
func (r *run) fail(msg string) {
	r.p.showError(r.named(msg))
	r.p.dispatch(Action{Kind: WorkerFailed, Run: r.index, Gen: r.state().Gen, Reason: msg})
}

// named puts the rule's name before msg in a race.
func (r *run) named(msg string) string {
	if len(r.p.runs) > 1 {
		return r.mode.String() + ": " + msg
	}
	return msg
}

// send posts a command to the run's worker; one that does not listen (yet) misses it.
func (r *run) send(kind protocol.Kind, body any) {
	if err := r.worker.Send(r.state().Gen, kind, body); err != nil && !errors.Is(err, client.ErrNotListening) {
		r.p.showError(err.Error())
	}
}

// clear forgets what the run showed: a new start comes.
func (r *run) clear() {
	r.model, r.train, r.test, r.align, r.steps = nil, nil, nil, nil, nil
	r.signals, r.firstSignals = nil, nil
	r.weights, r.feedback, r.digits, r.preds, r.confusion = nil, nil, nil, nil, nil
	r.snap = protocol.SnapshotEvent{}
	r.p.pictures = true
}

// begin asks the worker for start number gen of a run with the page's settings.
func (r *run) begin(gen int, autoplay bool) {
	r.clear()
	r.p.mark("start sent")
	r.send(protocol.Start, protocol.Command{Query: r.p.state.WorkerQuery(r.mode), DataBase: protocol.DataFolder, Autoplay: autoplay})
}

// onMessage hands a message of the run's worker to the method for its kind. A
// message of an earlier start (one posted before the worker read the latest) is
// dropped: it would show the run before.
func (r *run) onMessage(m protocol.Message, raw []js.Value) {
	switch m.Kind {
	case protocol.Built, protocol.Snapshot, protocol.Failure:
		if m.Run != r.state().Gen {
			return
		}
	}
	switch m.Kind {
	case protocol.Hello:
		r.p.dispatch(Action{Kind: WorkerHello, Run: r.index})
	case protocol.Progress:
		var ev protocol.ProgressEvent
		if m.Decode(&ev) == nil && r == r.p.main() {
			r.p.showProgress(ev)
		}
	case protocol.Built:
		decoded(r, m, new(protocol.Model), func(model *protocol.Model) { r.onBuilt(m.Run, model, raw) })
	case protocol.Snapshot:
		decoded(r, m, new(protocol.SnapshotEvent), func(snap *protocol.SnapshotEvent) { r.onSnapshot(m.Run, snap, raw) })
	case protocol.Answer:
		var pred protocol.Prediction
		if m.Decode(&pred) == nil && r == r.p.main() {
			r.p.showAnswer(pred)
		}
	case protocol.File:
		var f protocol.NetworkFile
		if m.Decode(&f) == nil && len(raw) == 1 {
			download(f.Name, "application/octet-stream", raw[0])
		}
	case protocol.Failure:
		decoded(r, m, new(protocol.ErrorEvent), func(ev *protocol.ErrorEvent) { r.onFailure(m.Run, ev) })
	}
}

// decoded decodes m's body into v and hands it to f; a body that does not decode
// fails the run.
func decoded[T any](r *run, m protocol.Message, v *T, f func(*T)) {
	if err := m.Decode(v); err != nil {
		r.fail(err.Error())
		return
	}
	f(v)
}

// onBuilt takes the network of start gen: its feedback matrices and test digits to
// draw, and, for a network the user opened, its settings.
func (r *run) onBuilt(gen int, model *protocol.Model, raw []js.Value) {
	p := r.p
	r.model = model
	p.mark("ready in the page")
	if r.loaded && r == p.main() { // an opened network brings its own settings
		r.loaded = false
		if q, err := url.ParseQuery(model.Query); err == nil { // written against the reference's defaults
			if s, _, err := settings.FromValues(q, settings.Default()); err == nil {
				p.state.Settings = s
				p.syncControls()
				p.writeURL()
			}
		}
	}
	r.feedback = nil
	for _, img := range model.Feedback {
		r.feedback = append(r.feedback, newPicture(img, raw, nil))
	}
	if model.Digits != nil {
		r.digits = newPicture(*model.Digits, raw, nil)
	}
	p.pictures = true
	if r == p.main() {
		p.showProgress(protocol.ProgressEvent{})
		p.describeModel()
	}
	p.dispatch(Action{Kind: WorkerBuilt, Run: r.index, Gen: gen})
	if !p.st.Play {
		p.keepOffline() // (when training, after its first batch)
	}
}

// onSnapshot takes the run's state after more training: its curves grow, its
// pictures change.
func (r *run) onSnapshot(gen int, snap *protocol.SnapshotEvent, raw []js.Value) {
	p := r.p
	if snap.Step > 0 && r.snap.Step == 0 {
		p.mark("a first batch in the page")
	}
	if r.model != nil && len(snap.Timeline) > 0 && len(r.model.Timeline) < 32 {
		r.model.Timeline = append(r.model.Timeline, snap.Timeline...)
	}
	r.snap = *snap
	if snap.Step > 0 {
		p.keepOffline()
	}
	r.train = thin(append(r.train, snap.TrainPoints...))
	r.test = thin(append(r.test, snap.TestPoints...))
	r.align = thin(append(r.align, snap.AlignPoints...))
	r.steps = append(r.steps, snap.StepLosses...)
	if snap.Memory != nil {
		r.memory = *snap.Memory
	}
	if snap.Signals != nil {
		if r.firstSignals == nil {
			r.firstSignals = snap.Signals
		}
		r.signals = snap.Signals
		p.pictures = true // the signals' arrows and the step's timeline
	}
	if snap.Weights != nil {
		r.weights = newPicture(*snap.Weights, raw, r.weights)
		p.pictures = true
	}
	if snap.Predictions != nil {
		r.preds = snap.Predictions
		p.pictures = true
	}
	if snap.Confusion != nil {
		r.confusion, r.full = snap.Confusion, snap.ConfusionFull
		p.pictures = true
	}
	p.dispatch(Action{Kind: WorkerSnapshot, Run: r.index, Gen: gen, Phase: snap.State, Steps: snap.Step})
}

// onFailure takes the worker's word that start gen cannot go on: a fatal error ends
// the worker, data that did not come leaves a run that trains going on with what it
// has, and anything else fails the run.
func (r *run) onFailure(gen int, ev *protocol.ErrorEvent) {
	p := r.p
	switch {
	case ev.Fatal:
		r.died(ev.Message)
	case ev.Retry:
		if r == p.main() {
			p.showProgress(protocol.ProgressEvent{})
		}
		p.showDataError(ev.Message)
		p.dispatch(Action{Kind: WorkerFailed, Run: r.index, Gen: gen, Reason: ev.Message, Retry: true})
	default:
		r.fail(ev.Message)
	}
}
