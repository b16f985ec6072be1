//go:build js && wasm

package ui

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/settings"
	"github.com/nofeedback/lwf/wasm/protocol"
)

// A view is one picture of the page, on its own canvas. It draws itself from a
// scene, the runs' state and what their workers sent, and from nothing else.
type view interface {
	canvas() string // its canvas's id
	draw(s surface, sc scene)
}

// The views. The curves and the alignment are drawn at every frame; the pictures
// (weights, feedback, digits, confusion) when they change, one a frame.
type (
	curvesView    struct{} // loss and accuracy against the samples seen
	alignmentView struct{} // each hidden layer's angle with the true gradient
	weightsView   struct{} // the first layer's weights, a tile per unit
	feedbackView  struct{} // the fixed random feedback matrices
	digitsView    struct{} // test digits and the network's answers
	confusionView struct{} // the latest confusion matrix
	signalsView   struct{} // each rule's learning signals on the network (the paper's Figure 1)
	lockingView   struct{} // update locking, measured on one step of the network
)

func (curvesView) canvas() string    { return "curves" }
func (alignmentView) canvas() string { return "alignment" }
func (weightsView) canvas() string   { return "weights" }
func (feedbackView) canvas() string  { return "feedback" }
func (digitsView) canvas() string    { return "digits" }
func (confusionView) canvas() string { return "confusion" }
func (signalsView) canvas() string   { return "signals" }
func (lockingView) canvas() string   { return "locking" }

var (
	liveViews    = []view{curvesView{}, alignmentView{}}
	pictureViews = []view{weightsView{}, feedbackView{}, digitsView{}, confusionView{}, signalsView{}, lockingView{}}
)

// scene is what the views draw from: the settings, the runs' state, and the runs,
// with their curves and pictures as their workers sent them (read only).
type scene struct {
	settings settings.Settings
	st       State
	runs     []*run
	matrix   shownMatrix // the feedback matrix opened from the signal diagram
}

// main is the run the single-run views show: the first.
func (sc scene) main() *run { return sc.runs[0] }

// scene is the page's state and runs, for the views.
func (p *page) scene() scene {
	return scene{settings: p.state.Settings, st: p.st, runs: p.runs, matrix: p.matrix}
}

// paint draws v on its canvas, if the canvas is on the page and has a size.
func (p *page) paint(v view, sc scene) {
	if s, ok := p.surface(v.canvas()); ok {
		v.draw(s, sc)
	}
}

// redraw asks for one redraw at the next animation frame.
func (p *page) redraw() {
	if p.frame {
		return
	}
	p.frame = true
	p.win.RequestAnimationFrame(func(time.Duration) {
		p.frame = false
		sc := p.scene()
		for _, v := range liveViews {
			p.paint(v, sc)
		}
		if p.pictures {
			p.pictures = false
			p.queue = slices.Clone(pictureViews)
		}
		// One picture a frame, so that no frame keeps the page busy for long.
		if len(p.queue) > 0 {
			p.paint(p.queue[0], sc)
			p.queue = p.queue[1:]
			if len(p.queue) > 0 {
				p.redraw()
			}
		}
	})
}

// curvesView draws the loss and the accuracy of every run against the samples
// seen, training thin and test thick; before the first point, what the run waits for.
func (curvesView) draw(s surface, sc scene) {
	xmax, lossMax := 1.0, 0.0
	for _, r := range sc.runs {
		for _, pts := range [][]protocol.Point{r.train, r.test} {
			for _, pt := range pts {
				xmax = math.Max(xmax, float64(pt.Samples))
				if pt.Loss < protocol.Overflow {
					lossMax = math.Max(lossMax, pt.Loss)
				}
			}
		}
	}
	if xmax <= 1 {
		switch r := sc.main(); {
		case sc.st.Runs[r.index].Phase == protocol.Loading:
			s.message("Loading the data…")
		case sc.st.Runs[r.index].Phase == protocol.Failed:
			s.message("Stopped: see the message above")
		case r.snap.Waiting:
			s.message("Waiting for the data…")
		default:
			s.message("Press Play (or the space bar) to train")
		}
		return
	}
	if lossMax <= 0 {
		lossMax = 1
	}
	side := s.w >= 480
	classes := sc.main().model == nil || sc.main().model.Classification
	var plots [2]plot
	k := s.textScale // the margins hold text
	left, right, top, bottom, gap := 52*k, 14.0, 30*k, 34*k, 28.0
	if side {
		pw := (s.w - 2*left - 2*right - gap) / 2
		plots[0] = plot{x: left, y: top, w: pw, h: s.h - top - bottom}
		plots[1] = plot{x: 2*left + pw + right + gap, y: top, w: pw, h: s.h - top - bottom}
	} else {
		ph := (s.h - 2*top - 2*bottom) / 2
		plots[0] = plot{x: left, y: top, w: s.w - left - right, h: ph}
		plots[1] = plot{x: left, y: 2*top + ph + bottom, w: s.w - left - right, h: ph}
	}
	plots[0].title, plots[0].ymin, plots[0].ymax = "Loss", 0, lossMax*1.05
	plots[0].label = func(v float64) string { return fmt.Sprintf("%.2g", v) }
	plots[1].title, plots[1].ymin, plots[1].ymax = "Accuracy (%)", sc.accuracyFloor(xmax), 100
	plots[1].label, plots[1].key = trim, true
	values := [2]func(protocol.Point) float64{
		func(pt protocol.Point) float64 { return pt.Loss },
		func(pt protocol.Point) float64 { return pt.Accuracy },
	}
	if !classes { // accuracy means nothing for real-valued targets: the loss takes the whole view
		plots[0].w, plots[0].h = s.w-left-right, s.h-top-bottom
		plots[0].key = true
	}
	for i, pl := range plots {
		if i == 1 && !classes {
			break
		}
		pl.xmax = xmax
		var lines []series
		for _, r := range sc.runs {
			train, test := trainColor, testColor
			if len(sc.runs) > 1 {
				train, test = r.colour, r.colour
			}
			lines = append(lines, pointSeries(r.train, values[i], train, 1.5, false), pointSeries(r.test, values[i], test, 3, true))
		}
		s.drawPlot(pl, lines)
		if pl.key {
			sc.drawKey(s, pl)
		}
	}
}

// drawKey writes the legend inside the plot, bottom right (top right for losses).
func (sc scene) drawKey(s surface, pl plot) {
	kx, ky := pl.x+pl.w-6, pl.y+pl.h-8
	if pl.title == "Loss" {
		ky = pl.y + 40
	}
	if len(sc.runs) == 1 {
		s.text("━ test", kx, ky, 13, testColor, "right", "alphabetic")
		s.text("━ training (running)", kx, ky-18, 13, trainColor, "right", "alphabetic")
		return
	}
	for i := len(sc.runs) - 1; i >= 0; i-- {
		r := sc.runs[i]
		s.text("━ "+r.mode.String(), kx, ky, 13, r.colour, "right", "alphabetic")
		ky -= 18
	}
	s.text("thick: test, thin: training", kx, ky, 12, faint, "right", "alphabetic")
}

// accuracyFloor zooms the accuracy axis onto the later half of the run, in steps of
// 10%, so that the last points of a good run are not squeezed against 100%.
func (sc scene) accuracyFloor(xmax float64) float64 {
	lo := 100.0
	for _, r := range sc.runs {
		for _, pts := range [][]protocol.Point{r.train, r.test} {
			for _, pt := range pts {
				if float64(pt.Samples) >= xmax/2 && pt.Accuracy < protocol.Overflow {
					lo = math.Min(lo, pt.Accuracy)
				}
			}
		}
	}
	return math.Max(0, math.Min(90, math.Floor(lo/10)*10-10))
}

// alignmentView plots, against the samples seen, the angle between each hidden
// layer's update and the true gradient, with 90° marked: below it the update still
// descends the loss. Under FA the angles between B and W are drawn thin.
func (alignmentView) draw(s surface, sc scene) {
	race := len(sc.runs) > 1
	var measured []*run
	for _, r := range sc.runs {
		if len(r.align) > 0 && r.mode != nn.BP && r.mode != nn.Shallow {
			measured = append(measured, r)
		}
	}
	m := sc.main()
	switch {
	case !race && m.model == nil:
		s.message("…")
		return
	case !race && m.mode == nn.BP:
		s.message("BP follows the true gradient: its angle is 0° by definition.")
		return
	case !race && m.mode == nn.Shallow:
		s.message("Shallow learning leaves the hidden layers as they are: no angle.")
		return
	case len(measured) == 0:
		s.message("Measured four times a second while training.")
		return
	}
	pl := plot{title: "Angle with the true gradient (°)", x: 44, y: 28, w: s.w - 58, h: s.h - 62, xmax: 1,
		ymin: 0, ymax: 135, yticks: []float64{0, 45, 90, 135}, label: trim, mark: 90, markText: "90°: orthogonal"}
	for _, r := range measured {
		pl.xmax = math.Max(pl.xmax, float64(r.align[len(r.align)-1].Samples))
	}
	layer := func(l int) func(protocol.AlignPoint) (float64, bool) {
		return func(pt protocol.AlignPoint) (float64, bool) { return pt.Layer(l) }
	}
	var lines []series
	if race { // layer 1 of each rule, in the rule's colour
		for _, r := range measured {
			lines = append(lines, angleSeries(r.align, layer(0), r.colour, 2.5))
		}
		s.drawPlot(pl, lines)
		for i, r := range measured {
			s.text(r.mode.String()+", layer 1", pl.x+pl.w-6, pl.y+pl.h-8-18*float64(i), 13, r.colour, "right", "alphabetic")
		}
		return
	}
	last := m.align[len(m.align)-1]
	for l := range last.Layers {
		lines = append(lines, angleSeries(m.align, layer(l), layerColours[l%len(layerColours)], 2.5))
	}
	for f := range last.Feedback { // under FA, B against W, thin
		lines = append(lines, angleSeries(m.align, func(pt protocol.AlignPoint) (float64, bool) { return pt.FeedbackAngle(f) },
			layerColours[(f+1)%len(layerColours)], 1))
	}
	s.drawPlot(pl, lines)
	for l := range last.Layers {
		s.text(fmt.Sprintf("layer %d", l+1), pl.x+pl.w-6-float64(l)*70, pl.y+pl.h-8, 13, layerColours[l%len(layerColours)], "right", "alphabetic")
	}
	if len(last.Feedback) > 0 {
		s.text("thin: B vs W", pl.x+6, pl.y+pl.h-8, 12, faint, "left", "alphabetic")
	}
}

// layerColours tell the hidden layers apart in the alignment view.
var layerColours = []string{"#1f5fa8", "#e8833a", "#1b7f3b", "#8e44ad", "#c0392b"}

// eachColumn splits the width among the runs, one column each in a race, where each
// is headed by its rule, and calls draw for every run with its column: its left
// edge, its top below the heading, and its width.
func (sc scene) eachColumn(s surface, draw func(r *run, x, top, width float64, race bool)) {
	n := float64(len(sc.runs))
	width, race := (s.w-12*(n-1))/n, n > 1
	for i, r := range sc.runs {
		x, top := float64(i)*(width+12), 0.0
		if race {
			s.text(r.mode.String(), x, 0, 14, r.colour, "left", "top")
			top = 20
		}
		draw(r, x, top, width, race)
	}
}

// weightsView draws each run's first-layer weights, a tile per unit.
func (weightsView) draw(s surface, sc scene) {
	sc.eachColumn(s, func(r *run, x, top, cw float64, race bool) {
		if r.weights == nil {
			s.text("…", x+cw/2, s.h/2, 15, faint, "center", "middle")
			return
		}
		caption := r.weights.Caption + " (blue −, red +)"
		if race {
			caption = ""
		}
		h := 0.0
		if caption != "" {
			h = s.wrapHeight(caption, cw, 12)
			s.wrap(caption, x, s.h-h, cw, 12, faint)
		}
		s.fit(r.weights, x, top, cw, s.h-h-4-top)
	})
}

// feedbackView draws each run's fixed random feedback matrices.
func (feedbackView) draw(s surface, sc scene) {
	sc.eachColumn(s, func(r *run, x, top, cw float64, _ bool) {
		s.drawFeedbackOf(r, x, top, cw, s.h-top)
	})
}

// drawFeedbackOf draws one run's fixed feedback matrices in the box (x, y, w, h).
func (s surface) drawFeedbackOf(r *run, x, y, w, h float64) {
	centre := func(t string) {
		lines := s.lines(t, w-8, 14)
		for i, l := range lines {
			s.text(l, x+w/2, y+h/2+18*(float64(i)-float64(len(lines)-1)/2), 14, faint, "center", "middle")
		}
	}
	if r.model == nil {
		centre("…")
		return
	}
	if len(r.feedback) == 0 {
		switch r.model.Mode {
		case nn.BP:
			centre("BP has no fixed feedback: the error goes back through W itself.")
		case nn.Shallow:
			centre("Shallow learning sends nothing to the hidden layers.")
		default:
			centre("No hidden layer: nothing to feed back.")
		}
		return
	}
	slot := h / float64(len(r.feedback))
	for i, pic := range r.feedback {
		if pic == nil {
			continue
		}
		top := y + float64(i)*slot
		ch := s.wrap(pic.Caption, x, top, w, 12, ink)
		area := slot - ch - 8
		if pic.Name == "targets" {
			area -= 16
		}
		s.drawFeedbackPicture(pic, x, top+ch+4, w, area)
	}
}

// drawFeedbackPicture draws one feedback picture in the area from (x, y), w by h:
// the projected targets as tiles labelled by class, a tall matrix fitted, and a
// matrix of a few rows (one per class) stretched across the width.
func (s surface) drawFeedbackPicture(pic *picture, x, y, w, h float64) {
	if pic.Name != "targets" && pic.H <= 16 {
		s.ctx.Call("drawImage", pic.canvas, x, y, w, math.Min(h, float64(pic.H)*18))
		return
	}
	px, py, pw, ph := s.fit(pic, x, y, w, h)
	if pic.Name == "targets" {
		tile := pw / float64(pic.Tiles)
		for c := 0; c < pic.Tiles; c++ {
			s.text(fmt.Sprint(c), px+tile*(float64(c)+0.5), py+ph+3, 12, faint, "center", "top")
		}
	}
}

// digitsView draws the main run's test digits with its answer under each, a wrong
// one marked.
func (digitsView) draw(s surface, sc scene) {
	r := sc.main()
	if r.digits == nil || r.model == nil {
		s.message("Predictions appear here for image data sets.")
		return
	}
	d := r.digits
	rows := (d.Tiles + d.Cols - 1) / d.Cols
	const label = 18.0
	tile := math.Floor(math.Min(s.w/float64(d.Cols), (s.h)/float64(rows)-label))
	if tile < 8 {
		return
	}
	cellW, cellH := s.w/float64(d.Cols), tile+label
	for t := 0; t < d.Tiles; t++ {
		cx, cy := float64(t%d.Cols)*cellW, float64(t/d.Cols)*cellH
		sx, sy := float64((t%d.Cols)*(d.TileW+1)), float64((t/d.Cols)*(d.TileH+1))
		x := cx + (cellW-tile)/2
		s.ctx.Call("drawImage", d.canvas, sx, sy, d.TileW, d.TileH, x, cy, tile, tile)
		if t < len(r.preds) && t < len(r.model.DigitLabels) {
			colour, mark := good, ""
			if r.preds[t] != r.model.DigitLabels[t] {
				colour, mark = bad, " ✗"
			}
			s.text(fmt.Sprint(r.preds[t])+mark, cx+cellW/2, cy+tile+2, 14, colour, "center", "top")
		}
	}
}

// confusionView draws the main run's latest confusion matrix: rows are true classes,
// columns predictions, each cell shaded by its share of its row.
func (confusionView) draw(s surface, sc scene) {
	r := sc.main()
	if r.confusion == nil {
		s.message("Appears with the first test evaluation.")
		return
	}
	k := len(r.confusion)
	caption := "on the whole test set, after the last epoch"
	if !r.full {
		n := 0
		for _, row := range r.confusion {
			for _, c := range row {
				n += c
			}
		}
		caption = "on the quick test subset"
		if r.model != nil {
			caption = subsetNote(n, r.model.TestSamples)
		}
	}
	s.text(caption, 0, 0, 12, faint, "left", "top")
	const top = 44.0
	cell := math.Floor(math.Min((s.w-32)/float64(k), (s.h-top-4)/float64(k)))
	left := math.Max(28, (s.w-cell*float64(k))/2)
	s.text("predicted →", left+cell*float64(k)/2, 16, 12, faint, "center", "top")
	s.text("true ↓", left-8, top-16, 12, faint, "right", "alphabetic")
	for i, row := range r.confusion {
		total := 0
		for _, n := range row {
			total += n
		}
		s.text(fmt.Sprint(i), left-8, top+cell*(float64(i)+0.5), 12, faint, "right", "middle")
		for j, n := range row {
			if i == 0 {
				s.text(fmt.Sprint(j), left+cell*(float64(j)+0.5), top-4, 12, faint, "center", "alphabetic")
			}
			share := 0.0
			if total > 0 {
				share = float64(n) / float64(total)
			}
			var fill string
			if i == j {
				fill = fmt.Sprintf("rgba(31, 95, 168, %.3f)", 0.1+0.9*share)
			} else {
				fill = fmt.Sprintf("rgba(192, 57, 43, %.3f)", math.Min(1, 4*share))
			}
			s.fill(fill)
			x, y := left+cell*float64(j), top+cell*float64(i)
			s.ctx.Call("fillRect", x+1, y+1, cell-2, cell-2)
			if cell >= 22 && n > 0 {
				colour := ink
				if (i == j && share > 0.5) || (i != j && share > 0.15) {
					colour = "#ffffff"
				}
				s.text(fmt.Sprint(n), x+cell/2, y+cell/2, int(math.Min(12, cell/2.6)), colour, "center", "middle")
			}
		}
	}
}

// signalsView draws the paper's Figure 1 for the rules on the page, on the network
// the settings name: the layers left to right with the forward pass between them,
// each hidden layer's learning signal and its formula, and whether the rule is free
// of weight transport and update-unlocked. A race draws one row per rule. The
// canvas's text alternative reads the same paths.
func (signalsView) draw(s surface, sc scene) {
	specs, err := nn.ParseTopology(sc.settings.Topology)
	if err != nil {
		s.message("…")
		return
	}
	var text []string
	h := s.h / float64(len(sc.runs))
	for i, r := range sc.runs {
		sp := signalPathOf(r.mode, specs, sc.settings.FreezeConv)
		sizes := signalSizes{r.signals, r.firstSignals}
		s.drawSignalPath(sp, r.colour, float64(i)*h, h, len(sc.runs) > 1, sizes)
		text = append(text, sp.describe()+sizes.describe())
	}
	if m := sc.matrix; m.name != "" && m.run < len(sc.runs) {
		if pic := s.drawMatrix(sc.runs[m.run], m.name, float64(m.run)*h, h); pic != nil {
			text = append(text, "Showing "+pic.Caption+".")
		}
	}
	s.ctx.Get("canvas").Call("setAttribute", "aria-label", "Signal paths. "+strings.Join(text, " "))
}

// drawMatrix draws the feedback matrix name of run r over the right half of its
// band, from top, h high: the same picture as the feedback view's. It returns the
// picture, nil if the run has none of that name (yet).
func (s surface) drawMatrix(r *run, name string, top, h float64) *picture {
	var pic *picture
	for _, f := range r.feedback {
		if f != nil && f.Name == name {
			pic = f
		}
	}
	if pic == nil {
		return nil
	}
	x, w := s.w/2, s.w/2-2
	s.fill("#ffffff")
	s.ctx.Call("fillRect", x, top+2, w, h-4)
	s.stroke(faint, 1)
	s.ctx.Call("strokeRect", x, top+2, w, h-4)
	ch := s.wrap(pic.Caption+" (Esc closes)", x+8, top+8, w-16, 12, ink)
	s.drawFeedbackPicture(pic, x+8, top+12+ch, w-16, h-ch-24)
	return pic
}

// Colours of the learning signals, by where they come from.
var signalColours = map[signalSource]string{fromAbove: testColor, fromError: bad, fromTarget: good, fromOutput: bad}

// signalSizes are a run's measured signal sizes per layer (the RMS of the signal
// each arrow carries, before ⊙ f′(a_k); δ_L for the output): the latest and the
// first; nil before the run trains.
type signalSizes struct{ now, first []float64 }

// width is the arrow's width for layer k's signal: 3 px as the run starts, thinner
// as the signal shrinks against its first size (never under 1 px), 3 px without
// measurements; and its label, the size and its share of the first.
func (z signalSizes) width(k int) (float64, string) {
	if k >= len(z.now) || k >= len(z.first) || z.first[k] <= 0 {
		return 2, ""
	}
	ratio := z.now[k] / z.first[k]
	return math.Max(1, math.Min(8, 3*ratio)), fmt.Sprintf("RMS %.3g (%.0f%% of start)", z.now[k], 100*ratio)
}

// describe is the sizes as text, for the canvas's text alternative: "" before any.
func (z signalSizes) describe() string {
	var parts []string
	for k := range z.now {
		if _, label := z.width(k); label != "" {
			parts = append(parts, fmt.Sprintf("layer %d %s", k+1, label))
		}
	}
	if parts == nil {
		return ""
	}
	return " Measured: " + strings.Join(parts, "; ") + "."
}

// drawSignalPath draws one rule's diagram in the band from top, h high, each
// signal's arrow as wide as its measured size says.
func (s surface) drawSignalPath(sp signalPath, colour string, top, h float64, race bool, sizes signalSizes) {
	n := len(sp.layers) + 2 // the input, the layers, the target
	k := s.textScale        // the offsets hold text: a third larger on a projector
	w, gap := signalColumns(s.w, len(sp.layers))
	boxH := math.Min(44*k, h/4)
	y := top + 28*k
	if race {
		s.text(sp.mode.String(), 0, top+2, 14, colour, "left", "top")
	}
	x := func(i int) float64 { return float64(i) * (w + gap) }
	box := func(i int, label, fill, ink string) {
		s.fill(fill)
		s.ctx.Call("fillRect", x(i), y, w, boxH)
		lines := s.lines(label, w-6, 13)
		for j, line := range lines {
			s.text(line, x(i)+w/2, y+boxH/2+16*k*(float64(j)-0.5*float64(len(lines)-1)), 13, ink, "center", "middle")
		}
	}
	box(0, "input", "#eef1f6", ink)
	for i, l := range sp.layers {
		fill := "#dce6f5"
		if l.source == fromNothing {
			fill = "#eef1f6"
		}
		box(i+1, l.name, fill, ink)
		s.line(x(i)+w, y+boxH/2, x(i+1)-2, y+boxH/2, ink, 1.5) // the forward pass
		s.arrowHead(x(i+1)-2, y+boxH/2, 1, ink)
	}
	box(n-1, "target t*", "#dcebdc", good)
	// Each layer's signal, as an arc below the boxes from where it comes.
	below := y + boxH
	for i, l := range sp.layers {
		to := x(i+1) + w/2
		var from float64
		switch l.source {
		case fromAbove:
			from = x(i+2) + w/2 // the layer above
		case fromError:
			from = x(len(sp.layers)) + w/2 // the output's error
		case fromTarget, fromOutput:
			from = x(n-1) + w/2 // the target (the output's e = y − t* too)
		default:
			continue
		}
		depth := (18 + 10*float64(len(sp.layers)-i)) * k
		width, _ := sizes.width(i)
		s.stroke(signalColours[l.source], width)
		s.ctx.Call("beginPath")
		s.ctx.Call("moveTo", from, below)
		s.ctx.Call("bezierCurveTo", from, below+depth, to, below+depth, to, below+4)
		s.ctx.Call("stroke")
		s.arrowHead(to, below+2, -2, signalColours[l.source])
		if l.through != "" {
			s.text(l.through, (from+to)/2, below+depth*0.75+6, 13, signalColours[l.source], "center", "top") // under the arc
		}
	}
	s.drawSignalVerdicts(sp, sizes, x, w, below+(18+10*float64(len(sp.layers))+22)*k, top+h)
}

// drawSignalVerdicts draws, from fy down, the formula of each layer under its
// column (at x(i+1), w wide) with its signal's measured size, then the row of the
// paper's table for the rule, above bottom.
func (s surface) drawSignalVerdicts(sp signalPath, sizes signalSizes, x func(int) float64, w, fy, bottom float64) {
	k := s.textScale
	ry := fy
	for i, l := range sp.layers {
		fh := s.wrap(l.formula, x(i+1), fy, w, 12, ink)
		if _, size := sizes.width(i); size != "" { // the signal's measured size, under its formula
			fh += s.wrap(size, x(i+1), fy+fh, w, 12, signalColours[l.source])
		}
		ry = math.Max(ry, fy+fh)
	}
	verdict := func(v string) string {
		switch v {
		case "yes":
			return good
		case "no":
			return bad
		}
		return faint
	}
	ry = math.Min(bottom-24*k, ry+22*k)
	ux, uy := s.w/2, ry
	if s.w < 560*k { // narrow: the two answers one under the other
		ux, uy = 0, ry+18*k
	}
	s.text("free of weight transport: "+sp.transportFree, 0, ry, 13, verdict(sp.transportFree), "left", "alphabetic")
	s.text("update-unlocked: "+sp.unlocked, ux, uy, 13, verdict(sp.unlocked), "left", "alphabetic")
}

// arrowHead draws a small arrow head at (x, y) pointing right (dir 1), left (-1),
// up (-2) or down (2).
func (s surface) arrowHead(x, y float64, dir int, colour string) {
	s.fill(colour)
	s.ctx.Call("beginPath")
	s.ctx.Call("moveTo", x, y)
	switch dir {
	case 1:
		s.ctx.Call("lineTo", x-7, y-4)
		s.ctx.Call("lineTo", x-7, y+4)
	case -1:
		s.ctx.Call("lineTo", x+7, y-4)
		s.ctx.Call("lineTo", x+7, y+4)
	case -2:
		s.ctx.Call("lineTo", x-4, y+7)
		s.ctx.Call("lineTo", x+4, y+7)
	default:
		s.ctx.Call("lineTo", x-4, y-7)
		s.ctx.Call("lineTo", x+4, y-7)
	}
	s.ctx.Call("fill")
}

// lockingView draws update locking measured on the main run: one training step of
// its network as the worker timed it, each layer's forward pass, then how long it
// waits before its update can start under the run's rule and that update; and, for
// every rule, each layer's wait in ms and as a share of the step. The canvas's text
// alternative reads the same table.
func (lockingView) draw(s surface, sc scene) {
	r := sc.main()
	specs, err := nn.ParseTopology(sc.settings.Topology)
	t := r.snap.Timing
	if err != nil || t == nil || len(t.Forward) != len(specs) || t.Step <= 0 {
		s.message("One training step of this network is timed here once it trains.")
		return
	}
	learns := make([]bool, len(specs))
	for k, spec := range specs {
		learns[k] = !(sc.settings.FreezeConv && spec.Kind == nn.ConvBlock)
	}
	l := lockingOf(*t, learns)
	s.text(fmt.Sprintf("One step, %s ms on this machine (mean of the last %d): when each layer could learn under %s", number(t.Step, 2), min(t.Steps, protocol.TimingSpan), r.mode), 0, 0, 13, ink, "left", "top")
	rowH, top, left := 22.0, 24.0, 92.0
	end := t.Step
	for _, w := range l.wait {
		for k, v := range w {
			if !math.IsNaN(v) {
				end = math.Max(end, l.forwardEnd[k]+v+l.backward[k])
			}
		}
	}
	x := func(ms float64) float64 { return left + (s.w-left-8)*ms/end }
	for k := range specs {
		y := top + float64(k)*rowH
		s.text(fmt.Sprintf("layer %d", k+1), 0, y+rowH/2, 13, ink, "left", "middle")
		f0 := l.forwardEnd[k] - t.Forward[k]
		s.fill(forwardColour)
		s.ctx.Call("fillRect", x(f0), y+3, math.Max(1, x(l.forwardEnd[k])-x(f0)), rowH-6) // its forward pass
		if w := l.wait[r.mode][k]; !math.IsNaN(w) {
			start := l.forwardEnd[k] + w
			s.fill(gridColour)
			s.ctx.Call("fillRect", x(l.forwardEnd[k]), y+3, x(start)-x(l.forwardEnd[k]), rowH-6) // waiting, its activations held
			s.fill(r.colour)
			s.ctx.Call("fillRect", x(start), y+3, math.Max(1, x(start+l.backward[k])-x(start)), rowH-6) // its update
		}
	}
	ty := top + float64(len(specs))*rowH + 6
	legend := []struct{ what, colour string }{{"forward pass", forwardColour}, {"waiting, its activations held", gridColour}, {"its update, as measured under " + r.mode.String(), r.colour}}
	lx := left
	for _, it := range legend {
		s.fill(it.colour)
		s.ctx.Call("fillRect", lx, ty+3, 12, 10)
		s.text(it.what, lx+16, ty, 12, faint, "left", "top")
		lx += 28 + s.ctx.Call("measureText", it.what).Get("width").Float()
	}
	ty += 24
	s.text("wait before the update, ms (share of the step)", 0, ty, 13, faint, "left", "top")
	var text []string
	colW := (s.w - left) / float64(len(specs))
	ty += 18
	for k := range specs {
		s.text(fmt.Sprintf("layer %d", k+1), left+float64(k)*colW, ty, 13, faint, "left", "top")
	}
	for i, mode := range nn.Modes() {
		y := ty + 20 + float64(i)*18
		colour := faint
		if mode == r.mode {
			colour = ink
		}
		s.text(mode.String(), 0, y, 13, colour, "left", "top")
		cells := []string{}
		for k, w := range l.wait[mode] {
			cell := "–"
			if !math.IsNaN(w) {
				cell = fmt.Sprintf("%s (%.0f%%)", number(w, 2), 100*w/t.Step)
			}
			s.text(cell, left+float64(k)*colW, y, 13, colour, "left", "top")
			cells = append(cells, fmt.Sprintf("layer %d %s", k+1, cell))
		}
		text = append(text, mode.String()+": "+strings.Join(cells, ", "))
	}
	s.ctx.Get("canvas").Call("setAttribute", "aria-label", fmt.Sprintf("Update locking, one step of %s ms. Wait before each layer's update, ms (share of the step): %s.", number(t.Step, 2), strings.Join(text, "; ")))
}
