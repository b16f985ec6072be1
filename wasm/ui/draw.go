//go:build js && wasm

package ui

import (
	"fmt"
	"math"
	"strings"
	"syscall/js"
	"time"

	"honnef.co/go/js/dom/v2"

	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/wasm/protocol"
)

// Colours of the views; the CSS uses the same ones.
const (
	ink        = "#1d2433"
	faint      = "#5f6676"
	gridColour = "#e3e6ec"
	trainColor = "#e8833a"
	testColor  = "#1f5fa8"
	good       = "#166b33"
	bad        = "#a8321f"
	font       = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
)

// picture is an image the worker drew, held in an offscreen canvas.
type picture struct {
	protocol.Image
	canvas js.Value
}

// newPicture puts a picture of a message (its buffers raw) into an offscreen canvas:
// old's, when old is a picture of the same size (the weights, redrawn all along, keep
// one canvas), else a new one.
func newPicture(img protocol.Image, raw []js.Value, old *picture) *picture {
	if img.Buffer < 0 || img.Buffer >= len(raw) || img.W < 1 || img.H < 1 {
		return nil
	}
	pix := js.Global().Get("Uint8ClampedArray").New(raw[img.Buffer])
	if pix.Length() != 4*img.W*img.H {
		return nil
	}
	data := js.Global().Get("ImageData").New(pix, img.W, img.H)
	var c js.Value
	if old != nil && old.W == img.W && old.H == img.H {
		c = old.canvas
	} else {
		c = js.Global().Get("document").Call("createElement", "canvas")
		c.Set("width", img.W)
		c.Set("height", img.H)
	}
	c.Call("getContext", "2d").Call("putImageData", data, 0, 0)
	return &picture{Image: img, canvas: c}
}

// redraw asks for one redraw at the next animation frame.
func (p *page) redraw() {
	if p.frame {
		return
	}
	p.frame = true
	p.win.RequestAnimationFrame(func(time.Duration) {
		p.frame = false
		p.drawCurves()
		p.drawAlignment()
		if p.pictures {
			p.pictures = false
			p.queue = []func(){p.drawWeights, p.drawFeedback, p.drawDigits, p.drawConfusion}
		}
		// One picture a frame, so that no frame keeps the page busy for long.
		if len(p.queue) > 0 {
			p.queue[0]()
			p.queue = p.queue[1:]
			if len(p.queue) > 0 {
				p.redraw()
			}
		}
	})
}

func (p *page) bindResize() {
	p.win.AddEventListener("resize", false, func(dom.Event) {
		p.pictures = true
		p.redraw()
	})
}

// surface is a canvas sized to its box at the screen's pixel density, with its
// context scaled so that drawing is in CSS pixels.
type surface struct {
	ctx  js.Value
	w, h float64 // CSS pixels
	pen  *pen
	// textScale enlarges every text: 4/3 on a projector (present mode), whose
	// smallest labels are then 16 px.
	textScale float64
}

// px is a text size as drawn.
func (s surface) px(size int) int { return int(math.Round(float64(size) * s.textScale)) }

// pen is what a surface's context was last set to draw with. Setting a canvas's
// font parses it and matches the system's fonts again, even to the same value, and
// every setting is a call out of WebAssembly: a view sets each only when it changes.
type pen struct {
	fontSize               int
	fill, stroke           string
	width                  float64
	align, baseline, joint string
}

// font sets the size of the text to come.
func (s surface) font(size int) {
	if size = s.px(size); s.pen.fontSize != size {
		s.pen.fontSize = size
		s.ctx.Set("font", fmt.Sprintf("%dpx %s", size, font))
	}
}

// set writes the context's property prop when v differs from held, what the pen
// says it holds.
func (s surface) set(held *string, prop, v string) {
	if *held != v {
		*held = v
		s.ctx.Set(prop, v)
	}
}

// fill sets the colour of what is filled next.
func (s surface) fill(colour string) { s.set(&s.pen.fill, "fillStyle", colour) }

// stroke sets the colour and width of the lines to come.
func (s surface) stroke(colour string, width float64) {
	s.set(&s.pen.stroke, "strokeStyle", colour)
	if s.pen.width != width {
		s.pen.width = width
		s.ctx.Set("lineWidth", width)
	}
}

// join sets how the lines to come turn corners.
func (s surface) join(how string) { s.set(&s.pen.joint, "lineJoin", how) }

// anchor sets where text is placed against its point.
func (s surface) anchor(align, baseline string) {
	s.set(&s.pen.align, "textAlign", align)
	s.set(&s.pen.baseline, "textBaseline", baseline)
}

func (p *page) surface(id string) (surface, bool) {
	el := js.Global().Get("document").Call("getElementById", id)
	if !el.Truthy() {
		return surface{}, false
	}
	w, h := el.Get("clientWidth").Float(), el.Get("clientHeight").Float()
	if w < 10 || h < 10 {
		return surface{}, false
	}
	dpr := js.Global().Get("devicePixelRatio").Float()
	if !(dpr > 0) {
		dpr = 1
	}
	if pw, ph := int(math.Round(w*dpr)), int(math.Round(h*dpr)); el.Get("width").Int() != pw || el.Get("height").Int() != ph {
		el.Set("width", pw)
		el.Set("height", ph)
	}
	ctx := el.Call("getContext", "2d")
	ctx.Call("setTransform", dpr, 0, 0, dpr, 0, 0)
	ctx.Call("clearRect", 0, 0, w, h)
	ctx.Set("imageSmoothingEnabled", false)
	scale := 1.0
	if p.state.Present {
		scale = 4.0 / 3
	}
	return surface{ctx: ctx, w: w, h: h, pen: &pen{}, textScale: scale}, true
}

func (s surface) text(t string, x, y float64, size int, colour, align, baseline string) {
	s.font(size)
	s.fill(colour)
	s.anchor(align, baseline)
	s.ctx.Call("fillText", t, x, y)
}

func (s surface) line(x0, y0, x1, y1 float64, colour string, width float64) {
	s.stroke(colour, width)
	s.ctx.Call("beginPath")
	s.ctx.Call("moveTo", x0, y0)
	s.ctx.Call("lineTo", x1, y1)
	s.ctx.Call("stroke")
}

// draw strokes a polyline with the current pen.
func (s surface) draw(l polyline) {
	if len(l) > 0 {
		s.ctx.Call("stroke", js.Global().Get("Path2D").New(string(l)))
	}
}

// wrap writes text in lines no wider than w from (x, y) down, and returns the height
// it took.
func (s surface) wrap(t string, x, y, w float64, size int, colour string) float64 {
	lines := s.lines(t, w, size)
	lh := float64(s.px(size)) * 1.3
	for i, l := range lines {
		s.text(l, x, y+float64(i)*lh, size, colour, "left", "top")
	}
	return float64(len(lines)) * lh
}

// wrapHeight returns the height wrap would take.
func (s surface) wrapHeight(t string, w float64, size int) float64 {
	return float64(len(s.lines(t, w, size))) * float64(s.px(size)) * 1.3
}

func (s surface) lines(t string, w float64, size int) []string {
	s.font(size)
	var lines []string
	line := ""
	for _, word := range strings.Fields(t) {
		try := word
		if line != "" {
			try = line + " " + word
		}
		if line != "" && s.ctx.Call("measureText", try).Get("width").Float() > w {
			lines = append(lines, line)
			line = word
			continue
		}
		line = try
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// message writes a centred note on an empty view.
func (s surface) message(t string) {
	s.text(t, s.w/2, s.h/2, 15, faint, "center", "middle")
}

// plot is one chart: its plotting area, its scales and its axes. The curves and the
// alignment views draw theirs with drawPlot.
type plot struct {
	title      string
	x, y, w, h float64 // plotting area
	xmax       float64 // the x axis runs from 0 training samples to xmax
	ymin, ymax float64
	yticks     []float64            // nil: about four round values from ymin to ymax
	label      func(float64) string // a y tick's text
	mark       float64              // a y value ruled in bad's colour, with markText at its right
	markText   string               // "": no such rule
	key        bool                 // the legend goes in this one
}

// series is one line of a plot, in the plot's units; a point whose y is NaN has no
// value (an angle where there is none) and is left out.
type series struct {
	x, y   []float64
	dots   []bool // where a dot marks the point (nil: nowhere)
	colour string
	width  float64
}

// pointSeries is the line of a curve's points, by value; dots marks the
// evaluations of the whole test set.
func pointSeries(pts []protocol.Point, value func(protocol.Point) float64, colour string, width float64, dots bool) series {
	l := series{x: make([]float64, len(pts)), y: make([]float64, len(pts)), colour: colour, width: width}
	if dots {
		l.dots = make([]bool, len(pts))
	}
	for i, pt := range pts {
		l.x[i], l.y[i] = float64(pt.Samples), value(pt)
		if dots {
			l.dots[i] = pt.Full
		}
	}
	return l
}

// angleSeries is the line of an angle over training: angle returns a point's angle,
// or false where it has none.
func angleSeries(pts []protocol.AlignPoint, angle func(protocol.AlignPoint) (float64, bool), colour string, width float64) series {
	l := series{x: make([]float64, len(pts)), y: make([]float64, len(pts)), colour: colour, width: width}
	for i, pt := range pts {
		l.x[i], l.y[i] = float64(pt.Samples), math.NaN()
		if deg, ok := angle(pt); ok {
			l.y[i] = deg
		}
	}
	return l
}

func (p *page) drawCurves() {
	s, ok := p.surface("curves")
	if !ok {
		return
	}
	xmax, lossMax := 1.0, 0.0
	for _, r := range p.runs {
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
		switch r := p.main(); {
		case r.phase() == protocol.Loading:
			s.message("Loading the data…")
		case r.phase() == protocol.Failed:
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
	classes := p.main().model == nil || p.main().model.Classification
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
	plots[1].title, plots[1].ymin, plots[1].ymax = "Accuracy (%)", p.accuracyFloor(xmax), 100
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
		for _, r := range p.runs {
			train, test := trainColor, testColor
			if len(p.runs) > 1 {
				train, test = r.colour, r.colour
			}
			lines = append(lines, pointSeries(r.train, values[i], train, 1.5, false), pointSeries(r.test, values[i], test, 3, true))
		}
		s.drawPlot(pl, lines)
		if pl.key {
			p.drawKey(s, pl)
		}
	}
}

// drawKey writes the legend inside the plot, bottom right (top right for losses).
func (p *page) drawKey(s surface, pl plot) {
	kx, ky := pl.x+pl.w-6, pl.y+pl.h-8
	if pl.title == "Loss" {
		ky = pl.y + 40
	}
	if len(p.runs) == 1 {
		s.text("━ test", kx, ky, 13, testColor, "right", "alphabetic")
		s.text("━ training (running)", kx, ky-18, 13, trainColor, "right", "alphabetic")
		return
	}
	for i := len(p.runs) - 1; i >= 0; i-- {
		r := p.runs[i]
		s.text("━ "+r.mode.String(), kx, ky, 13, r.colour, "right", "alphabetic")
		ky -= 18
	}
	s.text("thick: test, thin: training", kx, ky, 12, faint, "right", "alphabetic")
}

// accuracyFloor zooms the accuracy axis onto the later half of the run, in steps of
// 10%, so that the last points of a good run are not squeezed against 100%.
func (p *page) accuracyFloor(xmax float64) float64 {
	lo := 100.0
	for _, r := range p.runs {
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

// drawPlot draws a plot's title, axes and grid, and its lines inside it: a point
// beyond the y axis leaves the area through its edge.
func (s surface) drawPlot(pl plot, lines []series) {
	X := func(v float64) float64 { return pl.x + pl.w*v/pl.xmax }
	Y := func(v float64) float64 {
		v = math.Max(pl.ymin-(pl.ymax-pl.ymin), math.Min(2*pl.ymax, v)) // beyond the axis, but finite
		return pl.y + pl.h*(1-(v-pl.ymin)/(pl.ymax-pl.ymin))
	}
	s.text(pl.title, pl.x, pl.y-10, 15, ink, "left", "alphabetic")
	ticks := pl.yticks
	if ticks == nil {
		ticks = niceTicks(pl.ymin, pl.ymax, 4)
	}
	for _, t := range ticks {
		colour := gridColour
		if pl.markText != "" && t == pl.mark {
			colour = bad
		}
		s.line(pl.x, Y(t), pl.x+pl.w, Y(t), colour, 1)
		s.text(pl.label(t), pl.x-6, Y(t), 12, faint, "right", "middle")
	}
	if pl.markText != "" {
		s.text(pl.markText, pl.x+pl.w, Y(pl.mark)-4, 12, bad, "right", "alphabetic")
	}
	for _, t := range niceTicks(0, pl.xmax, 4) {
		s.line(X(t), pl.y+pl.h, X(t), pl.y+pl.h+4, faint, 1)
		s.text(compact(t), X(t), pl.y+pl.h+7, 12, faint, "center", "top")
	}
	s.text("training samples seen", pl.x+pl.w, pl.y+pl.h+21, 12, faint, "right", "top")
	s.line(pl.x, pl.y+pl.h, pl.x+pl.w, pl.y+pl.h, faint, 1)

	saved := *s.pen // restore brings the context's settings back: the pen's too
	s.ctx.Call("save")
	s.ctx.Call("beginPath")
	s.ctx.Call("rect", pl.x, pl.y-4, pl.w+4, pl.h+4)
	s.ctx.Call("clip")
	for _, l := range lines {
		s.stroke(l.colour, l.width)
		s.join("round")
		step := max(1, len(l.x)/1500) // at most about 1500 segments
		var path polyline
		for i := 0; i < len(l.x); i++ {
			if (i%step == 0 || i == len(l.x)-1) && !math.IsNaN(l.y[i]) {
				path.to(X(l.x[i]), Y(l.y[i]))
			}
		}
		s.draw(path)
		if l.dots != nil {
			s.fill(l.colour)
			for i, dot := range l.dots {
				if dot {
					s.ctx.Call("beginPath")
					s.ctx.Call("arc", X(l.x[i]), Y(l.y[i]), 4, 0, 2*math.Pi)
					s.ctx.Call("fill")
				}
			}
		}
	}
	s.ctx.Call("restore")
	*s.pen = saved
}

// fit draws a picture into the box (x, y, w, h) as large as it fits, keeping its
// proportions, with crisp pixels; it returns where it went.
func (s surface) fit(pic *picture, x, y, w, h float64) (px, py, pw, ph float64) {
	scale := math.Min(w/float64(pic.W), h/float64(pic.H))
	if scale >= 2 {
		scale = math.Floor(scale) // whole pixels where there is room for them
	}
	pw, ph = float64(pic.W)*scale, float64(pic.H)*scale
	px, py = x+(w-pw)/2, y+(h-ph)/2
	s.ctx.Call("drawImage", pic.canvas, px, py, pw, ph)
	return
}

// eachColumn splits the width among the runs, one column each in a race, where each
// is headed by its rule, and calls draw for every run with its column: its left
// edge, its top below the heading, and its width.
func (p *page) eachColumn(s surface, draw func(r *run, x, top, width float64, race bool)) {
	n := float64(len(p.runs))
	width, race := (s.w-12*(n-1))/n, n > 1
	for i, r := range p.runs {
		x, top := float64(i)*(width+12), 0.0
		if race {
			s.text(r.mode.String(), x, 0, 14, r.colour, "left", "top")
			top = 20
		}
		draw(r, x, top, width, race)
	}
}

func (p *page) drawWeights() {
	s, ok := p.surface("weights")
	if !ok {
		return
	}
	p.eachColumn(s, func(r *run, x, top, cw float64, race bool) {
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

func (p *page) drawFeedback() {
	s, ok := p.surface("feedback")
	if !ok {
		return
	}
	p.eachColumn(s, func(r *run, x, top, cw float64, _ bool) {
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
		if pic.Name == "targets" || pic.H > 16 {
			px, py, pw, ph := s.fit(pic, x, top+ch+4, w, area)
			if pic.Name == "targets" {
				tile := pw / float64(pic.Tiles)
				for c := 0; c < pic.Tiles; c++ {
					s.text(fmt.Sprint(c), px+tile*(float64(c)+0.5), py+ph+3, 12, faint, "center", "top")
				}
			}
			continue
		}
		// A few rows (one per class) stretched across the width.
		s.ctx.Call("drawImage", pic.canvas, x, top+ch+4, w, math.Min(area, float64(pic.H)*18))
	}
}

func (p *page) drawDigits() {
	s, ok := p.surface("digits")
	if !ok {
		return
	}
	r := p.main()
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

// layerColours tell the hidden layers apart in the alignment view.
var layerColours = []string{"#1f5fa8", "#e8833a", "#1b7f3b", "#8e44ad", "#c0392b"}

// drawAlignment plots, against the samples seen, the angle between each hidden
// layer's update and the true gradient, with 90° marked: below it the update still
// descends the loss. Under FA the angles between B and W are drawn thin.
func (p *page) drawAlignment() {
	s, ok := p.surface("alignment")
	if !ok {
		return
	}
	race := len(p.runs) > 1
	var measured []*run
	for _, r := range p.runs {
		if len(r.align) > 0 && r.mode != nn.BP && r.mode != nn.Shallow {
			measured = append(measured, r)
		}
	}
	m := p.main()
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
