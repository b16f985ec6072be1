//go:build js && wasm

package ui

import (
	"strings"
	"syscall/js"

	"honnef.co/go/js/dom/v2"
)

// A table is one of the page's views made of text rather than pixels: the figures
// beside the curves, the race's table, the cost table. Like a canvas view, it fills
// itself from a scene and from nothing else, through a writer.
type table interface {
	fill(w *writer, sc scene)
}

// writer writes the text of the page's elements by id, touching an element only
// when its text changes: a snapshot arrives up to twenty times a second and most of
// its figures stay the same; and WebKit drops a click on a button whose text node
// was replaced between the press and the release.
type writer struct {
	doc   dom.Document
	shown map[string]string // the text of each element written, by id
}

// text sets the text of the element with the given id, if it changed.
func (w *writer) text(id, text string) {
	if old, ok := w.shown[id]; ok && old == text {
		return
	}
	el := js.Global().Get("document").Call("getElementById", id) // (no dom wrapper: this runs often)
	if !el.Truthy() {
		return
	}
	el.Set("textContent", text)
	if w.shown == nil {
		w.shown = map[string]string{}
	}
	w.shown[id] = text
}

// forget drops what text remembers of elements that are rebuilt.
func (w *writer) forget(prefix string) {
	for id := range w.shown {
		if strings.HasPrefix(id, prefix) {
			delete(w.shown, id)
		}
	}
}

// rows returns the number of rows of a table's body.
func rows(body dom.Element) int { return body.Underlying().Get("rows").Length() }

// The text views.
type (
	metricsTable struct{} // the main run's figures beside the curves
	raceTable    struct{} // one row per rule of a race
)

// fill writes the figures of the main run's latest snapshot.
func (metricsTable) fill(w *writer, sc scene) {
	for id, text := range metricTexts(sc.main().figures()) {
		w.text(id, text)
	}
}

// fill writes the race's table: one row per rule, built once, its cells updated;
// hidden when one rule trains.
func (raceTable) fill(w *writer, sc scene) {
	table := w.doc.GetElementByID("race")
	if table == nil {
		return
	}
	if len(sc.runs) < 2 {
		table.SetAttribute("hidden", "")
		return
	}
	table.RemoveAttribute("hidden")
	body := w.doc.GetElementByID("race-rows")
	if rows(body) != len(sc.runs) {
		body.SetInnerHTML("")
		w.forget("race-")
		for _, r := range sc.runs {
			tr := w.doc.CreateElement("tr")
			name := w.doc.CreateElement("td")
			name.SetTextContent(r.mode.String())
			name.Underlying().Get("style").Call("setProperty", "color", r.colour) // (the policy refuses style attributes)
			tr.AppendChild(name)
			for _, c := range raceColumns {
				td := w.doc.CreateElement("td")
				td.SetID("race-" + r.mode.String() + "-" + c)
				tr.AppendChild(td)
			}
			body.AppendChild(tr)
		}
	}
	for _, r := range sc.runs {
		for i, text := range raceTexts(r.figures(), r.phase()) {
			w.text("race-"+r.mode.String()+"-"+raceColumns[i], text)
		}
	}
}
