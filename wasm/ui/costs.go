//go:build js && wasm

package ui

import (
	"fmt"
	"strconv"

	"honnef.co/go/js/dom/v2"

	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/settings"
	"github.com/nofeedback/lwf/core/train"
)

// costTable is the cost table: for each rule on the chosen network, what learning
// costs and what it holds. It keeps the costs of the last settings it was filled for.
type costTable struct {
	key   settings.Settings // the settings cache was computed for
	cache []nn.Cost         // the cost of each rule on that network
	shown string            // what the table shows, to skip unchanged updates
}

// costColumns are the cells of a cost row that change, named in their ids
// (cost-<MODE>-<column>).
var costColumns = []string{"learning", "held", "backward", "accuracy"}

// fill fills the cost table for the network the settings describe: for each
// rule, the multiply-accumulates of learning per sample, the values it must hold
// between the forward pass and the update, and the test accuracy of any run of that
// rule on this page, so that the paper's trade-off is one picture.
func (t *costTable) fill(w *writer, sc scene) {
	body := w.doc.GetElementByID("cost-rows")
	if body == nil {
		return
	}
	costs := t.costs(sc.settings)
	if costs == nil {
		return // the settings' error is shown next to them
	}
	if rows(body) != len(costs) {
		body.SetInnerHTML("")
		t.shown = ""
		w.forget("cost-")
		for _, c := range costs {
			tr := w.doc.CreateElement("tr")
			name := w.doc.CreateElement("th")
			name.SetAttribute("scope", "row")
			name.SetTextContent(c.Mode.String())
			tr.AppendChild(name)
			for _, col := range costColumns {
				td := w.doc.CreateElement("td")
				td.SetID("cost-" + c.Mode.String() + "-" + col)
				if col == "learning" || col == "held" {
					td.SetAttribute("class", "bar-cell")
					text := w.doc.CreateElement("span")
					text.SetAttribute("class", "bar-text")
					bar := w.doc.CreateElement("span")
					bar.SetAttribute("class", "bar")
					td.AppendChild(text)
					td.AppendChild(bar)
				}
				tr.AppendChild(td)
			}
			body.AppendChild(tr)
		}
	}
	if len(costs) > 0 {
		w.text("cost-forward", fmt.Sprintf("The forward pass costs %s multiply-adds per sample under every rule.", count(costs[0].ForwardMACs)))
	}
	accuracy := map[string]string{} // (fmt prints maps sorted by key)
	current := map[string]bool{}
	for _, r := range sc.runs {
		current[r.mode.String()] = true
		if r.snap.HasTest && (r.model == nil || r.model.Classification) {
			accuracy[r.mode.String()] = number(r.snap.TestAccuracy, 2)
		}
	}
	// The figures change with the settings and the rules in the race; the accuracy
	// with each evaluation, and then only its cells are written (through w.text,
	// which touches the page only when a text changes).
	if sig := fmt.Sprint(costs, current); sig != t.shown {
		t.shown = sig
		fillCostRows(w, body, costRows(costs), current)
	}
	for _, c := range costs {
		mode := c.Mode.String()
		a, ok := accuracy[mode]
		if !ok {
			a = "–"
		}
		w.text("cost-"+mode+"-accuracy", a)
	}
}

// fillCostRows writes the cost table's figures, bars and marks.
func fillCostRows(w *writer, body dom.Element, rows []costRow, current map[string]bool) {
	for i, row := range rows {
		tr := body.Underlying().Get("rows").Index(i)
		if tr.Get("classList").Call("contains", "current").Bool() != current[row.Mode] {
			tr.Get("classList").Call("toggle", "current")
		}
		bars := map[string]float64{"learning": row.LearnBar, "held": row.HeldBar}
		for _, col := range costColumns {
			id := "cost-" + row.Mode + "-" + col
			switch col {
			case "learning", "held":
				td := w.doc.GetElementByID(id)
				if td == nil {
					continue
				}
				text := row.Learning
				if col == "held" {
					text = row.Held
				}
				cells := td.Underlying().Get("children")
				cells.Get("0").Set("textContent", text)
				// Set through the CSS object model, which the page's policy allows.
				// The bar shares the cell with its text (3.8em wide).
				width := "calc((100% - 4.2em) * " + strconv.FormatFloat(bars[col], 'f', 3, 64) + ")"
				cells.Get("1").Get("style").Call("setProperty", "width", width)
			case "backward":
				w.text(id, row.Backward)
			}
		}
	}
}

// costs returns the per-rule costs of the network the settings describe, computed
// again only when the settings change; nil when they do not fit together.
func (t *costTable) costs(s settings.Settings) []nn.Cost {
	key := s
	key.Mode = 0 // (the costs are the same whatever rule is chosen)
	if key == t.key && t.cache != nil {
		return t.cache
	}
	shape, err := settings.ShapeOf(s.Dataset)
	var opts train.Options
	if err == nil {
		opts, err = train.OptionsFrom(s, shape, 0)
	}
	var costs []nn.Cost
	if err == nil {
		costs, err = opts.Net.Costs()
	}
	if err != nil {
		return nil
	}
	t.key, t.cache = key, costs
	return costs
}
