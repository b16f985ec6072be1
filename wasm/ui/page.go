//go:build js && wasm

// Package ui is the page: its controls, its canvases and the link that holds its
// state. It never trains; it sends commands to the worker and draws the snapshots the
// worker posts back.
package ui

import (
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"syscall/js"
	"time"

	"honnef.co/go/js/dom/v2"

	"github.com/nofeedback/lwf/core/settings"
	"github.com/nofeedback/lwf/core/train"
	"github.com/nofeedback/lwf/wasm/internal/bridge"
	"github.com/nofeedback/lwf/wasm/protocol"
	"github.com/nofeedback/lwf/wasm/urlstate"
)

// page is the state of the page: its settings and the runs training them.
type page struct {
	win dom.Window
	doc dom.Document

	state    urlstate.State // the settings and the view, as the link holds them
	st       State          // the runs' state: changed by dispatch alone
	status   protocol.State // what #status shows, drawn from st
	runs     []*run         // one, or the rules of a race
	controls map[string]*control
	frame    bool   // a redraw is requested
	pictures bool   // the weights, feedback or digits changed: redraw those too
	queue    []view // the pictures still to draw, one a frame

	offline bool // the service worker is registered

	matrix shownMatrix // the feedback matrix opened from the signal diagram, if any
	out    *writer     // writes the text of the page's elements
	tables []table     // the views made of text, filled at every update
	pad    padView     // the drawing pad and the network's answer

	timeline []protocol.Mark // the moments of the page's start, for the budget test
}

// mark notes a moment of the page's start (the first few only).
func (p *page) mark(what string) {
	if len(p.timeline) < 16 {
		p.timeline = append(p.timeline, protocol.Mark{What: what, At: bridge.Now()})
	}
}

// Run builds the page from its URL and starts the workers; it never returns.
func Run() {
	p := &page{win: dom.GetWindow(), controls: map[string]*control{}}
	p.doc = p.win.Document()
	p.out = &writer{doc: p.doc}
	p.tables = []table{metricsTable{}, raceTable{}, &costTable{}, matrixButtons{}}
	p.mark("page running")
	st, warnings, err := urlstate.ParseQuery(p.win.Location().Get("search").String())
	p.state = st
	p.setupRuns() // first: the workers' start and data overlap the page's own
	p.st = NewState(len(p.runs), st.Autoplay, "")
	if st.Embed {
		p.doc.DocumentElement().Class().Add("embed")
	}
	if st.Present {
		p.doc.DocumentElement().Class().Add("present") // before anything is drawn
	}
	if st.Signals {
		p.doc.DocumentElement().Class().Add("signals")
	}
	if len(st.Race) > 0 {
		p.doc.QuerySelector("body").Class().Add("race")
	}
	p.buildControls()
	p.bindButtons()
	p.bindPad()
	p.bindMatrices()
	p.bindKeep()
	p.exposeStats()
	p.bindResize()
	if err == nil {
		err = p.checkSettings()
	}
	switch {
	case err != nil:
		p.showSettingsError(err)
	case len(warnings) > 0:
		p.showError(strings.Join(warnings, "\n"))
	}
	p.update()
	select {}
}

// dispatch is the one writer of the runs' state: it applies a (Update), carries
// out the commands that follow, and redraws. It returns the commands that need more
// than a message (the user's files, a saved network), for the caller to send.
func (p *page) dispatch(a Action) []Command {
	var cmds, left []Command
	p.st, cmds = Update(p.st, a)
	for _, c := range cmds {
		r := p.runs[c.Run]
		switch c.Kind {
		case protocol.Start:
			r.begin(c.Gen, c.Autoplay)
		case Restart:
			r.startWorker() // it starts its run when it says hello
		case protocol.Play, protocol.Pause, protocol.Step, protocol.Retry:
			r.send(c.Kind, nil)
		default:
			left = append(left, c)
		}
	}
	p.update()
	return left
}

// setupRuns gives every rule of the state its run (and worker), keeping those
// that already train the same rule; it reports whether it made new ones.
func (p *page) setupRuns() bool {
	modes := p.state.Modes()
	if len(p.runs) == len(modes) {
		same := true
		for i, r := range p.runs {
			same = same && r.mode == modes[i]
		}
		if same {
			return false
		}
	}
	for _, r := range p.runs {
		r.stop()
	}
	p.runs = nil
	for i, m := range modes {
		p.runs = append(p.runs, newRun(p, m, i))
	}
	return true
}

// exposeStats defines window.lwfStats(), which tells the long-run test what the page
// and its workers hold and the budget test how the start went, and listens for the
// event "lwf-crash" (detail: a rule), with which the browser tests make a worker fail
// as an out-of-memory would.
func (p *page) exposeStats() {
	js.Global().Set("lwfStats", bridge.FuncOf(func(js.Value, []js.Value) any {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		stats := map[string]any{"pageHeap": ms.HeapAlloc, "pageSys": ms.Sys, "pageFuncs": bridge.LiveFuncs()}
		if mem := js.Global().Get("performance").Get("memory"); mem.Truthy() {
			stats["jsHeap"] = mem.Get("usedJSHeapSize").Float()
		}
		var workers []any
		for _, r := range p.runs {
			workers = append(workers, map[string]any{"rule": r.mode.String(), "heap": r.memory.HeapBytes,
				"sys": r.memory.SysBytes, "funcs": r.memory.Funcs, "epoch": r.snap.Epoch, "samples": r.snap.Samples})
		}
		stats["workers"] = workers
		stats["timeline"] = p.startTimeline()
		return js.ValueOf(stats)
	}))
	js.Global().Get("document").Call("addEventListener", "lwf-crash", bridge.FuncOf(func(_ js.Value, args []js.Value) any {
		rule := args[0].Get("detail").String()
		for _, r := range p.runs {
			if r.mode.String() == rule {
				r.send(protocol.Crash, nil)
			}
		}
		return nil
	}))
}

// startTimeline lists the moments of the page's start and of its first worker's, in
// milliseconds since the page was opened, in order.
func (p *page) startTimeline() []any {
	marks := slices.Clone(p.timeline)
	if len(p.runs) > 0 && p.runs[0].model != nil {
		marks = append(marks, p.runs[0].model.Timeline...)
	}
	slices.SortStableFunc(marks, func(a, b protocol.Mark) int { return cmp.Compare(a.At, b.At) })
	origin := js.Global().Get("performance").Get("timeOrigin").Float()
	out := make([]any, len(marks))
	for i, m := range marks {
		out[i] = map[string]any{"what": m.What, "at": math.Round(m.At - origin)}
	}
	return out
}

// start asks every run for a fresh start with the current settings, which can run:
// new workers (a race began or ended) start theirs when they say hello.
func (p *page) start() {
	if p.setupRuns() {
		p.dispatch(Action{Kind: NewWorkers, N: len(p.runs)})
	}
	p.dispatch(Action{Kind: SettingsGood})
}

// main is the run the single-run views and the stable metrics show: the first.
func (p *page) main() *run { return p.runs[0] }

// update redraws the page from its state and its runs' snapshots.
func (p *page) update() {
	p.setStatus(p.st.Status())
	sc := p.scene()
	for _, t := range p.tables {
		t.fill(p.out, sc)
	}
	p.redraw()
}

// keepOffline registers the service worker (site/sw.js), which keeps the page and its
// code so that it works offline and starts at once the next time (the worker keeps
// the data). It waits until the run is built and, when the page trains at once, for
// the first trained batch: its install fetches the page's small files, which need
// not compete with the first ones the page needs.
func (p *page) keepOffline() {
	if p.offline {
		return
	}
	p.offline = true
	sw := js.Global().Get("navigator").Get("serviceWorker")
	if !sw.Truthy() {
		return // (no service workers: a page from a file, or an old browser)
	}
	go func() {
		if _, err := bridge.Await(sw.Call("register", "sw.js")); err != nil {
			js.Global().Get("console").Call("warn", "lwf: the page will not work offline: "+err.Error())
		}
	}()
}

// Buttons and keys.

func (p *page) bindButtons() {
	p.onClick("play", p.togglePlay)
	p.onClick("step", func() { p.dispatch(Action{Kind: PressStep}) })
	p.onClick("reset", p.reset)
	p.onClick("retry", p.retryData)
	p.onClick("copy-link", p.copyLink)
	p.doc.AddEventListener("keydown", false, func(ev dom.Event) {
		ke, ok := ev.(*dom.KeyboardEvent)
		if !ok || ke.CtrlKey() || ke.AltKey() || ke.MetaKey() {
			return
		}
		tag := strings.ToLower(ev.Target().TagName())
		if p.state.Embed {
			p.keyToDeck(ev, ke, tag)
			return
		}
		typing := tag == "input" || tag == "select" || tag == "textarea"
		switch {
		case (ke.Key() == "p" || ke.Key() == "P") && !typing:
			p.togglePresent()
		case (ke.Key() == "s" || ke.Key() == "S") && !typing && p.state.Present:
			p.toggleSignals()
		case ke.Key() == "Escape" && p.matrix.name != "":
			p.showMatrix(shownMatrix{})
		case ke.Key() != " ":
		case typing || tag == "button" || tag == "a":
			// the element's own use of the space bar
		default:
			ev.PreventDefault()
			p.togglePlay()
		}
	})
	if p.state.Embed { // a focused button's space bar is the deck's too (buttons act on its release)
		p.doc.AddEventListener("keyup", false, func(ev dom.Event) {
			if ke, ok := ev.(*dom.KeyboardEvent); ok && ke.Key() == " " && strings.ToLower(ev.Target().TagName()) == "button" {
				ev.PreventDefault()
			}
		})
	}
}

// togglePresent switches between the projector's view (present=1, the P key) and
// the whole page, in the link too. The canvases are drawn again at their new sizes,
// with their text a third larger on the projector.
func (p *page) togglePresent() { p.toggleView(&p.state.Present, "present") }

// toggleSignals switches the projector's view between the weights and feedback
// matrices beside the curves and the learning signals (signals=1, the S key), in the
// link too.
func (p *page) toggleSignals() { p.toggleView(&p.state.Signals, "signals") }

// toggleView flips one of the link's view switches and <html>'s class of the same
// name, writes the link, and draws the canvases again at their new sizes.
func (p *page) toggleView(on *bool, class string) {
	*on = !*on
	if classes := p.doc.DocumentElement().Class(); *on {
		classes.Add(class)
	} else {
		classes.Remove(class)
	}
	p.writeURL()
	p.pictures = true
	p.redraw()
}

// keyToDeck hands a key the deck moves with (deckKeys) to the deck the embedded
// page is in, rather than to the page: a presenter's clicker goes on working after a
// click inside the demo. Typing in a field keeps its keys.
func (p *page) keyToDeck(ev dom.Event, ke *dom.KeyboardEvent, tag string) {
	parent := js.Global().Get("parent")
	if tag == "input" || tag == "select" || tag == "textarea" || parent.Equal(js.Global()) {
		return
	}
	msgs, ok := deckMessages(ke.Key(), ke.Code())
	if !ok {
		return
	}
	ev.PreventDefault()
	for _, m := range msgs {
		parent.Call("postMessage", m, "*")
	}
}

// onClick calls f on a click on id. In embed mode the click leaves no focus
// behind in the page: the deck around it gets it back, where the browser lets it.
func (p *page) onClick(id string, f func()) {
	el := p.doc.GetElementByID(id)
	if el == nil {
		return
	}
	el.AddEventListener("click", false, func(dom.Event) {
		f()
		if p.state.Embed {
			if active := js.Global().Get("document").Get("activeElement"); active.Truthy() {
				active.Call("blur")
			}
			if parent := js.Global().Get("parent"); !parent.Equal(js.Global()) {
				parent.Call("focus")
			}
		}
	})
}

// togglePlay is the Play/Pause button and the space bar. Pressed while the data
// loads, it is kept: the run trains as soon as it is built.
func (p *page) togglePlay() { p.dispatch(Action{Kind: PressPlay}) }

// reset starts every run again from its initial weights; a worker that died is
// started anew.
func (p *page) reset() {
	p.clearError()
	if err := p.checkSettings(); err != nil {
		p.showSettingsError(err)
		return
	}
	p.dispatch(Action{Kind: PressReset})
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

func (p *page) setStatus(s protocol.State) {
	if p.status != s {
		p.status = s
		el := p.doc.GetElementByID("status")
		el.SetTextContent(string(s))
		el.SetAttribute("data-state", string(s))
	}
	p.updateButtons()
}

// updateButtons draws Play and Step from the state: Play shows Pause while the
// user wants training to run, and is pressable whenever some run has not ended.
//
// The label is written only when it changes: WebKit drops a click whose button had
// its text node replaced between the press and the release, and this runs on every
// snapshot (TestEveryClickTakesEffectOnce lost a Pause so).
func (p *page) updateButtons() {
	play := p.doc.GetElementByID("play")
	label, pressed := "Play", "false"
	if p.st.Play {
		label, pressed = "Pause", "true"
	}
	p.out.text("play", label)
	if play.GetAttribute("aria-pressed") != pressed {
		play.SetAttribute("aria-pressed", pressed)
	}
	setDisabled(play, !p.st.CanPlay())
	setDisabled(p.doc.GetElementByID("step"), !p.st.CanStep())
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
	text := progressText(ev)
	el.SetTextContent(text)
	if ev.Retrying {
		el.SetAttribute("class", "progress retrying")
	} else {
		el.SetAttribute("class", "progress")
	}
	if text == "" {
		el.SetAttribute("hidden", "")
	} else {
		el.RemoveAttribute("hidden")
	}
}

// showDataError says that the data did not come, beside a Retry button.
func (p *page) showDataError(msg string) {
	p.doc.GetElementByID("data-error-text").SetTextContent(msg)
	p.doc.GetElementByID("data-error").RemoveAttribute("hidden")
}

// retryData asks every run's worker to fetch the data again from where it stopped.
func (p *page) retryData() {
	p.doc.GetElementByID("data-error").SetAttribute("hidden", "")
	p.showProgress(protocol.ProgressEvent{What: "the data", Retrying: true})
	p.clearError()
	p.dispatch(Action{Kind: PressRetry})
}

// describeModel writes the network's layers.
func (p *page) describeModel() {
	m := p.main().model
	if m == nil {
		return
	}
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

// checkSettings checks the settings as a whole: nil when they can run here.
func (p *page) checkSettings() error {
	shape, err := settings.ShapeOf(p.state.Settings.Dataset)
	if err == nil {
		err = p.state.Settings.Check(shape)
	}
	if err == nil && (p.state.Settings.Dataset == settings.CIFAR10 || p.state.Settings.Dataset == settings.CIFAR10aug) {
		err = fmt.Errorf("dataset: CIFAR-10 is not served with the page; train it with the command line")
	}
	if err == nil {
		var opts train.Options
		if opts, err = train.OptionsFrom(p.state.Settings, shape, 0); err == nil {
			err = protocol.CheckMemory(opts)
		}
	}
	return err
}

// showSettingsError stops the runs on settings that cannot run, saying why.
func (p *page) showSettingsError(err error) {
	p.dispatch(Action{Kind: SettingsBad, Reason: err.Error()})
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
