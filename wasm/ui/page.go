//go:build js && wasm

// Package ui is the page: its controls, its canvases and the link that holds its
// state. It never trains; it sends commands to the worker and draws the snapshots the
// worker posts back.
package ui

import (
	"fmt"
	"strings"
	"syscall/js"
	"time"

	"honnef.co/go/js/dom/v2"

	"github.com/nofeedback/lwf/core/settings"
	"github.com/nofeedback/lwf/wasm/internal/bridge"
	"github.com/nofeedback/lwf/wasm/protocol"
)

// page is the state of the page.
type page struct {
	win dom.Window
	doc dom.Document

	state    State
	valid    bool // the settings fit together: a run may start
	worker   js.Value
	hello    bool // the worker listens
	status   string
	playing  bool // the user wants training to run
	model    *protocol.Model
	snap     protocol.SnapshotEvent
	train    []protocol.Point
	test     []protocol.Point
	align    []protocol.AlignPoint
	weights  *picture
	feedback []*picture
	digits   *picture
	preds    []int
	controls map[string]*control
	frame    bool // a redraw is requested
}

// Run builds the page from its URL and starts the worker; it never returns.
func Run() {
	p := &page{win: dom.GetWindow(), controls: map[string]*control{}}
	p.doc = p.win.Document()
	if p.doc.GetElementByID("bench-table") != nil {
		runBench(p.doc)
		select {}
	}
	st, warnings, err := ParseQuery(p.win.Location().Get("search").String())
	p.state = st
	p.startWorker() // first: the worker's start and data overlap the page's own
	if st.Embed {
		p.doc.QuerySelector("body").Class().Add("embed")
	}
	p.buildControls()
	p.bindButtons()
	p.bindResize()
	switch {
	case err != nil:
		p.showSettingsError(err)
	case len(warnings) > 0:
		p.showError(strings.Join(warnings, "\n"))
		p.validate()
	default:
		p.validate()
	}
	p.playing = st.Autoplay
	if p.valid {
		p.setStatus("loading")
	}
	select {}
}

// startWorker creates the training worker; the run starts when it says hello.
func (p *page) startWorker() {
	p.hello = false
	w := js.Global().Get("Worker").New("worker.js")
	w.Set("onmessage", js.FuncOf(func(_ js.Value, args []js.Value) any {
		m, raw, err := bridge.Receive(args[0])
		if err != nil {
			p.showError(err.Error())
			return nil
		}
		p.onMessage(m, raw)
		return nil
	}))
	// The worker runs the module this page already compiled (main.js keeps it), or
	// fetches its own when it gets anything else.
	w.Call("postMessage", js.Global().Get("lwfModule"))
	w.Set("onerror", js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "the training worker stopped"
		if len(args) > 0 && args[0].Get("message").Type() == js.TypeString {
			msg += ": " + args[0].Get("message").String()
		}
		p.workerDied(msg)
		return nil
	}))
	p.worker = w
}

// workerDied shows that the worker is gone and offers to start it again.
func (p *page) workerDied(msg string) {
	p.worker.Call("terminate")
	p.playing = false
	p.setStatus("error")
	p.showError(msg + ". Press Reset to start it again with the same settings.")
	p.worker = js.Undefined()
}

func (p *page) send(kind string, body any) {
	if p.worker.IsUndefined() || !p.hello {
		return
	}
	m, err := protocol.Encode(kind, body)
	if err != nil {
		p.showError(err.Error())
		return
	}
	bridge.Post(p.worker, m)
}

// start asks the worker for a fresh run with the current settings.
func (p *page) start() {
	if !p.valid {
		return
	}
	p.model, p.train, p.test, p.align, p.weights, p.feedback, p.digits, p.preds = nil, nil, nil, nil, nil, nil, nil, nil
	p.snap = protocol.SnapshotEvent{}
	p.setStatus("loading")
	p.send(protocol.Start, protocol.Command{Query: p.state.WorkerQuery(), DataBase: "data/", Autoplay: p.playing})
	p.redraw()
}

func (p *page) onMessage(m protocol.Message, raw []js.Value) {
	switch m.Kind {
	case protocol.Hello:
		p.hello = true
		p.start()
	case protocol.Progress:
		var ev protocol.ProgressEvent
		if m.Decode(&ev) == nil {
			p.showProgress(ev)
		}
	case protocol.Ready:
		var model protocol.Model
		if err := m.Decode(&model); err != nil {
			p.showError(err.Error())
			return
		}
		p.model = &model
		p.feedback = nil
		for _, img := range model.Feedback {
			p.feedback = append(p.feedback, newPicture(img, raw))
		}
		if model.Digits != nil {
			p.digits = newPicture(*model.Digits, raw)
		}
		p.showProgress(protocol.ProgressEvent{})
		p.clearError()
		p.describeModel()
	case protocol.Snapshot:
		var snap protocol.SnapshotEvent
		if err := m.Decode(&snap); err != nil {
			p.showError(err.Error())
			return
		}
		p.snap = snap
		p.train = append(p.train, snap.TrainPoints...)
		p.test = append(p.test, snap.TestPoints...)
		p.align = append(p.align, snap.AlignPoints...)
		if snap.Weights != nil {
			p.weights = newPicture(*snap.Weights, raw)
		}
		if snap.Predictions != nil {
			p.preds = snap.Predictions
		}
		p.playing = snap.State == "training"
		switch {
		case snap.State == "training" || snap.State == "done" || snap.State == "error":
			p.setStatus(snap.State)
		case snap.Step == 0:
			p.setStatus("ready")
		default:
			p.setStatus("paused")
		}
		p.showMetrics()
		p.redraw()
	case protocol.Failure:
		var ev protocol.ErrorEvent
		if err := m.Decode(&ev); err != nil {
			p.showError(err.Error())
			return
		}
		p.playing = false
		p.setStatus("error")
		p.showError(ev.Message)
		if ev.Fatal {
			p.workerDied("the training worker failed")
			p.showError(ev.Message + "\nPress Reset to start again with the same settings.")
		}
	}
}

// Buttons and keys.

func (p *page) bindButtons() {
	p.onClick("play", p.togglePlay)
	p.onClick("step", func() {
		p.playing = false
		p.send(protocol.Step, nil)
	})
	p.onClick("reset", p.reset)
	p.onClick("copy-link", p.copyLink)
	p.doc.AddEventListener("keydown", false, func(ev dom.Event) {
		ke, ok := ev.(*dom.KeyboardEvent)
		if !ok || ke.Key() != " " || ke.CtrlKey() || ke.AltKey() || ke.MetaKey() {
			return
		}
		switch strings.ToLower(ev.Target().TagName()) {
		case "input", "select", "textarea", "button", "a":
			return // the element's own use of the space bar
		}
		ev.PreventDefault()
		p.togglePlay()
	})
}

func (p *page) onClick(id string, f func()) {
	el := p.doc.GetElementByID(id)
	if el == nil {
		return
	}
	el.AddEventListener("click", false, func(dom.Event) { f() })
}

func (p *page) togglePlay() {
	if !p.valid || p.status == "loading" || p.status == "done" || p.worker.IsUndefined() {
		return
	}
	if p.status == "error" {
		return
	}
	p.playing = !p.playing
	if p.playing {
		p.send(protocol.Play, nil)
	} else {
		p.send(protocol.Pause, nil)
	}
	p.updateButtons()
}

func (p *page) reset() {
	p.clearError()
	if p.worker.IsUndefined() {
		p.playing = false
		p.startWorker()
		return
	}
	p.playing = false
	p.validate()
	p.start()
}

func (p *page) copyLink() {
	href := p.win.Location().Get("href").String()
	btn := p.doc.GetElementByID("copy-link")
	done := func(text string) {
		btn.SetTextContent(text)
		time.AfterFunc(2*time.Second, func() { btn.SetTextContent("Copy link") })
	}
	clip := js.Global().Get("navigator").Get("clipboard")
	if !clip.Truthy() {
		p.showError("Copy this link: " + href)
		return
	}
	go func() {
		if _, err := bridge.Await(clip.Call("writeText", href)); err != nil {
			p.showError("Copy this link: " + href)
			return
		}
		done("Copied ✓")
	}()
}

// Status, errors, progress.

func (p *page) setStatus(s string) {
	p.status = s
	el := p.doc.GetElementByID("status")
	el.SetTextContent(s)
	el.SetAttribute("data-state", s)
	p.updateButtons()
}

func (p *page) updateButtons() {
	play := p.doc.GetElementByID("play")
	if p.playing {
		play.SetTextContent("Pause")
		play.SetAttribute("aria-pressed", "true")
	} else {
		play.SetTextContent("Play")
		play.SetAttribute("aria-pressed", "false")
	}
	blocked := !p.valid || p.status == "loading" || p.status == "done" || p.status == "error"
	setDisabled(play, blocked)
	setDisabled(p.doc.GetElementByID("step"), blocked || p.playing)
}

func setDisabled(el dom.Element, off bool) {
	if el == nil {
		return
	}
	if off {
		el.SetAttribute("disabled", "")
	} else {
		el.RemoveAttribute("disabled")
	}
}

func (p *page) showError(msg string) {
	el := p.doc.GetElementByID("error")
	el.SetTextContent(msg)
	el.RemoveAttribute("hidden")
}

func (p *page) clearError() {
	el := p.doc.GetElementByID("error")
	el.SetTextContent("")
	el.SetAttribute("hidden", "")
}

func (p *page) showProgress(ev protocol.ProgressEvent) {
	el := p.doc.GetElementByID("progress")
	if el == nil {
		return
	}
	if ev.What == "" {
		el.SetTextContent("")
		el.SetAttribute("hidden", "")
		return
	}
	text := ev.What + "…"
	if ev.Total > 0 {
		text = fmt.Sprintf("Loading %s: %d%%", ev.What, 100*ev.Loaded/ev.Total)
	} else if ev.Loaded > 0 {
		text = fmt.Sprintf("Loading %s: %.1f MB", ev.What, float64(ev.Loaded)/1e6)
	}
	el.SetTextContent(text)
	el.RemoveAttribute("hidden")
}

// showMetrics writes the figures of the latest snapshot.
func (p *page) showMetrics() {
	s := p.snap
	set := func(id, text string) {
		if el := p.doc.GetElementByID(id); el != nil {
			el.SetTextContent(text)
		}
	}
	epochs := ""
	if p.model != nil {
		epochs = fmt.Sprintf(" / %d", p.model.Epochs)
	}
	set("metric-epoch", fmt.Sprintf("%d", min(s.Epoch, max(1, s.Epoch)))+epochs)
	set("metric-step", fmt.Sprint(s.Step))
	set("metric-samples-per-second", fmt.Sprintf("%.0f", s.SamplesPerSecond))
	alignment := "–"
	if n := len(p.align); n > 0 && len(p.align[n-1].Layers) > 0 && p.align[n-1].Layers[0] >= 0 {
		alignment = number(p.align[n-1].Layers[0], 1)
	}
	set("metric-alignment", alignment)
	classes := p.model == nil || p.model.Classification
	if s.HasTrain {
		set("metric-train-loss", number(s.TrainLoss, 4))
		set("metric-train-accuracy", number(s.TrainAccuracy, 2))
		if !classes {
			set("metric-train-accuracy", "–")
		}
	} else {
		set("metric-train-loss", "–")
		set("metric-train-accuracy", "–")
	}
	if s.HasTest {
		set("metric-test-loss", number(s.TestLoss, 4))
		set("metric-test-accuracy", number(s.TestAccuracy, 2))
		note := "on the quick test subset"
		if m := p.model; m != nil && m.QuickTestSize > 0 {
			note = fmt.Sprintf("on %d test images (1 in %d)", m.QuickTestSize, max(1, m.TestSamples/m.QuickTestSize))
		}
		if s.TestFull {
			note = "on the whole test set"
		}
		set("metric-test-note", note)
		if !classes {
			set("metric-test-accuracy", "–")
			set("metric-test-note", "regression: loss only")
		}
	}
}

// describeModel writes the network's layers and the rule's explanation.
func (p *page) describeModel() {
	m := p.model
	if el := p.doc.GetElementByID("model"); el != nil {
		var sb strings.Builder
		for i, l := range m.Layers {
			fmt.Fprintf(&sb, "%d. %s: %s → %s", i+1, l.Name, l.In, l.Out)
			if l.Feedback != "" {
				fmt.Fprintf(&sb, " · B %s", l.Feedback)
			}
			if l.Frozen {
				sb.WriteString(" · frozen")
			}
			sb.WriteString("\n")
		}
		el.SetTextContent(strings.TrimSpace(sb.String()))
	}
	if el := p.doc.GetElementByID("weights-caption"); el != nil {
		el.SetTextContent("")
	}
}

// Settings.

// validate checks the settings as a whole and shows what does not fit.
func (p *page) validate() {
	shape, err := settings.ShapeOf(p.state.Settings.Dataset)
	if err == nil {
		err = p.state.Settings.Check(shape)
	}
	if err == nil && (p.state.Settings.Dataset == settings.CIFAR10 || p.state.Settings.Dataset == settings.CIFAR10aug) {
		err = fmt.Errorf("dataset: CIFAR-10 is not served with the page; train it with the command line")
	}
	p.valid = err == nil
	if err != nil {
		p.showSettingsError(err)
		return
	}
	p.clearError()
	p.updateButtons()
}

func (p *page) showSettingsError(err error) {
	p.valid = false
	p.playing = false
	p.setStatus("error")
	p.showError(err.Error())
}

// writeURL puts the state in the page's address without reloading it.
func (p *page) writeURL() {
	q := p.state.Query()
	if q != "" {
		q = "?" + q
	}
	path := p.win.Location().Get("pathname").String()
	js.Global().Get("history").Call("replaceState", nil, "", path+q)
}
