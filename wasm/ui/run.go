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
	mode   nn.Mode
	colour string
	worker *client.Worker
	status protocol.State
	err    string // what stopped it

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
	r := &run{p: p, mode: mode, colour: raceColours[i%len(raceColours)], status: protocol.Loading}
	r.startWorker()
	return r
}

// startWorker gives the run its worker (the first run takes over the one
// site/main.js started with the page); the run starts when the worker says hello.
func (r *run) startWorker() {
	r.err = ""
	r.worker = client.Start(client.Events{Message: r.onMessage, Died: r.died})
}

// stop ends the worker.
func (r *run) stop() { r.worker.Stop() }

// died shows that the worker is gone; Reset starts it again. Other runs go on.
func (r *run) died(msg string) {
	r.stop()
	r.fail(msg + ". Press Reset to start it again with the same settings.")
}

func (r *run) fail(msg string) {
	r.status, r.err = protocol.Failed, msg
	if len(r.p.runs) > 1 {
		msg = r.mode.String() + ": " + msg
	}
	r.p.showError(msg)
	r.p.update()
}

// send posts a command to the run's worker; one that does not listen (yet) misses it.
func (r *run) send(kind protocol.Kind, body any) {
	if err := r.worker.Send(kind, body); err != nil && !errors.Is(err, client.ErrNotListening) {
		r.p.showError(err.Error())
	}
}

// start asks the worker for a fresh run with the page's settings.
func (r *run) start() {
	r.model, r.train, r.test, r.align, r.steps = nil, nil, nil, nil, nil
	r.weights, r.feedback, r.digits, r.preds, r.confusion = nil, nil, nil, nil, nil
	r.snap = protocol.SnapshotEvent{}
	r.status, r.err = protocol.Loading, ""
	r.p.pictures = true
	r.p.mark("start sent")
	r.send(protocol.Start, protocol.Command{Query: r.p.state.WorkerQuery(r.mode), DataBase: protocol.DataFolder, Autoplay: r.p.playing})
}

func (r *run) onMessage(m protocol.Message, raw []js.Value) {
	p := r.p
	switch m.Kind {
	case protocol.Hello:
		if p.valid {
			r.start()
		}
	case protocol.Progress:
		var ev protocol.ProgressEvent
		if m.Decode(&ev) == nil && r == p.runs[0] {
			p.showProgress(ev)
		}
	case protocol.Built:
		var model protocol.Model
		if err := m.Decode(&model); err != nil {
			r.fail(err.Error())
			return
		}
		r.model = &model
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
		if r == p.runs[0] {
			p.showProgress(protocol.ProgressEvent{})
			p.describeModel()
		}
		if !p.playing {
			p.keepOffline() // (when training, after its first batch)
		}
	case protocol.Snapshot:
		var snap protocol.SnapshotEvent
		if err := m.Decode(&snap); err != nil {
			r.fail(err.Error())
			return
		}
		if snap.Step > 0 && r.snap.Step == 0 {
			p.mark("a first batch in the page")
		}
		if r.model != nil && len(snap.Timeline) > 0 && len(r.model.Timeline) < 32 {
			r.model.Timeline = append(r.model.Timeline, snap.Timeline...)
		}
		r.snap = snap
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
		switch {
		case snap.State == protocol.Training || snap.State == protocol.Done || snap.State == protocol.Failed:
			r.status = snap.State
		case snap.Step == 0:
			r.status = protocol.Ready
		default:
			r.status = protocol.Paused
		}
		p.update()
	case protocol.Answer:
		var pred protocol.Prediction
		if m.Decode(&pred) == nil && r == p.main() {
			p.showAnswer(pred)
		}
	case protocol.File:
		var f protocol.NetworkFile
		if m.Decode(&f) == nil && len(raw) == 1 {
			download(f.Name, "application/octet-stream", raw[0])
		}
	case protocol.Failure:
		var ev protocol.ErrorEvent
		if err := m.Decode(&ev); err != nil {
			r.fail(err.Error())
			return
		}
		if ev.Fatal {
			r.died(ev.Message)
			return
		}
		if ev.Retry { // the data did not come: a run that trains goes on with what it has
			if r == p.runs[0] {
				p.showProgress(protocol.ProgressEvent{})
			}
			p.showDataError(ev.Message)
			if r.model == nil {
				r.status, r.err = protocol.Failed, ev.Message
				p.update()
			}
			return
		}
		r.fail(ev.Message)
	}
}
