//go:build js && wasm

package ui

import (
	"fmt"
	"math"
	"strings"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"github.com/nofeedback/lwf/wasm/protocol"
)

// Colours of the views; the CSS uses the same ones.
const (
	ink        = "#1d2433"
	faint      = "#5f6676"
	gridColour = "#e3e6ec"
	trainColor = "#e8833a"
	testColor  = "#1f5fa8"
	// forwardColour is the forward pass's, in the timeline of a step.
	forwardColour = "#8a93a6"
	good          = "#166b33"
	bad           = "#a8321f"
	font          = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
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
	if p.state.Present || (p.state.Embed && p.state.Signals) {
		scale = 4.0 / 3 // a projector's, or a slide's with the signals beside the curves
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
