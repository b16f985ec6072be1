//go:build js && wasm

package ui

import (
	"strings"
	"syscall/js"
	"time"

	"honnef.co/go/js/dom/v2"

	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/wasm/internal/bridge"
)

// shownMatrix is the feedback matrix opened from the signal diagram: the run (its
// band in a race) and the picture's name ("B1"); no name for none.
type shownMatrix struct {
	run  int
	name string
}

// matrixButtons is the row of buttons beside the signal diagram's title, one per
// fixed feedback matrix the main run's signals pass through: pressing or focusing
// one opens that matrix over the diagram, as a click on its layer does.
type matrixButtons struct{}

// fill rebuilds the buttons when the rule or the network changes, and marks the
// open one.
func (matrixButtons) fill(w *writer, sc scene) {
	row := w.doc.GetElementByID("signal-matrices")
	if row == nil {
		return
	}
	specs, err := nn.ParseTopology(sc.settings.Topology)
	var names []string
	if err == nil {
		names = signalPathOf(sc.main().mode, specs, sc.settings.FreezeConv).matrices()
	}
	if key := strings.Join(names, ","); row.GetAttribute("data-matrices") != key {
		row.SetInnerHTML("")
		row.SetAttribute("data-matrices", key)
		for _, name := range names {
			b := w.doc.CreateElement("button")
			b.SetAttribute("type", "button")
			b.SetAttribute("data-matrix", name)
			b.SetAttribute("aria-label", "Show the feedback matrix "+name)
			b.SetTextContent(name + "ᵀ")
			row.AppendChild(b)
		}
	}
	for _, b := range row.QuerySelectorAll("button") {
		pressed := "false"
		if sc.matrix.run == 0 && sc.matrix.name == b.GetAttribute("data-matrix") {
			pressed = "true"
		}
		if b.GetAttribute("aria-pressed") != pressed {
			b.SetAttribute("aria-pressed", pressed)
		}
	}
}

// bindMatrices opens a feedback matrix from the diagram: a button of the row
// (pressed or focused), or a click on a layer whose signal passes one; a click on
// the open one, or Escape, closes it.
func (p *page) bindMatrices() {
	row := p.doc.GetElementByID("signal-matrices")
	if row == nil {
		return
	}
	var focused time.Time // when a focus last opened a matrix
	fromButton := func(ev dom.Event, click bool) {
		name := ev.Target().GetAttribute("data-matrix")
		if name == "" {
			return
		}
		want := shownMatrix{0, name}
		switch {
		case !click && p.matrix != want:
			focused = time.Now()
		case click && p.matrix == want && time.Since(focused) > 500*time.Millisecond:
			want = shownMatrix{} // pressed again: closes (not the press whose focus opened it)
		}
		p.showMatrix(want)
	}
	row.AddEventListener("click", false, func(ev dom.Event) { fromButton(ev, true) })
	row.AddEventListener("focusin", false, func(ev dom.Event) { fromButton(ev, false) })
	canvas := js.Global().Get("document").Call("getElementById", "signals")
	canvas.Call("addEventListener", "click", bridge.FuncOf(func(_ js.Value, args []js.Value) any {
		ev := args[0]
		p.showMatrix(p.matrixAt(ev.Get("offsetX").Float(), ev.Get("offsetY").Float(), canvas.Get("clientWidth").Float(), canvas.Get("clientHeight").Float()))
		return nil
	}))
}

// matrixAt is what a click at (x, y) on the diagram opens: the matrix of the
// clicked layer's signal in the clicked run's band, or nothing (which closes the
// open one, as does a click on it).
func (p *page) matrixAt(x, y, w, h float64) shownMatrix {
	specs, err := nn.ParseTopology(p.state.Settings.Topology)
	if err != nil || len(p.runs) == 0 || h <= 0 {
		return shownMatrix{}
	}
	band := min(int(y/(h/float64(len(p.runs)))), len(p.runs)-1)
	sp := signalPathOf(p.runs[band].mode, specs, p.state.Settings.FreezeConv)
	k := layerAt(x, w, len(sp.layers))
	if k < 0 {
		return shownMatrix{}
	}
	m := shownMatrix{band, matrixName(sp.layers[k].through)}
	if m.name == "" || m == p.matrix {
		return shownMatrix{}
	}
	return m
}

// showMatrix opens m over the diagram (none: closes it) and redraws.
func (p *page) showMatrix(m shownMatrix) {
	if m == p.matrix {
		return
	}
	p.matrix = m
	p.update()
	p.pictures = true
	p.redraw()
}
