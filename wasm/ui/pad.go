//go:build js && wasm

package ui

import (
	"fmt"
	"math"
	"syscall/js"
	"time"

	"github.com/nofeedback/lwf/wasm/internal/bridge"
	"github.com/nofeedback/lwf/wasm/protocol"
)

// padView is the drawing pad: the user draws a digit with a mouse, a pen or a
// finger, and the main run's network says what it is, while drawing and when the
// stroke ends. Its picture is the network's confidence in each class.
type padView struct {
	blank      bool      // the pad was cleared since its last question
	confidence []float64 // the latest answer's, or nil
}

func (*padView) canvas() string { return "pad-confidence" }

// bindPad lets the user draw on the pad and asks the main run about it.
func (p *page) bindPad() {
	pad := js.Global().Get("document").Call("getElementById", "pad")
	if !pad.Truthy() {
		return
	}
	ctx := pad.Call("getContext", "2d", map[string]any{"willReadFrequently": true})
	drawing := false
	var lastX, lastY float64
	var lastAsk time.Time
	at := func(ev js.Value) (float64, float64) { // canvas pixels from CSS pixels
		scale := pad.Get("width").Float() / math.Max(1, pad.Get("clientWidth").Float())
		return ev.Get("offsetX").Float() * scale, ev.Get("offsetY").Float() * scale
	}
	listen := func(name string, f func(ev js.Value)) {
		pad.Call("addEventListener", name, bridge.FuncOf(func(_ js.Value, args []js.Value) any {
			args[0].Call("preventDefault")
			f(args[0])
			return nil
		}))
	}
	listen("pointerdown", func(ev js.Value) {
		drawing = true
		capture(pad, ev.Get("pointerId"))
		lastX, lastY = at(ev)
		ctx.Set("fillStyle", ink)
		ctx.Call("beginPath")
		ctx.Call("arc", lastX, lastY, 11, 0, 2*math.Pi)
		ctx.Call("fill")
	})
	listen("pointermove", func(ev js.Value) {
		if !drawing {
			return
		}
		x, y := at(ev)
		ctx.Set("strokeStyle", ink)
		ctx.Set("lineWidth", 22)
		ctx.Set("lineCap", "round")
		ctx.Set("lineJoin", "round")
		ctx.Call("beginPath")
		ctx.Call("moveTo", lastX, lastY)
		ctx.Call("lineTo", x, y)
		ctx.Call("stroke")
		lastX, lastY = x, y
		if time.Since(lastAsk) > 150*time.Millisecond {
			lastAsk = time.Now()
			p.askPad(pad, ctx)
		}
	})
	end := func(js.Value) {
		if drawing {
			drawing = false
			p.askPad(pad, ctx)
		}
	}
	listen("pointerup", end)
	listen("pointercancel", end)
	p.onClick("pad-clear", func() {
		ctx.Call("clearRect", 0, 0, pad.Get("width").Int(), pad.Get("height").Int())
		p.pad.blank = true // (an answer still on its way is for the old drawing)
		p.pad.confidence = nil
		p.out.text("pad-answer", "?")
		p.paint(&p.pad, p.scene())
	})
}

// askPad sends the drawing, prepared as MNIST's digits were, to the main run.
func (p *page) askPad(pad, ctx js.Value) {
	r := p.main()
	if r.model == nil || r.digits == nil {
		p.out.text("pad-answer", "–")
		return
	}
	w, h := pad.Get("width").Int(), pad.Get("height").Int()
	rgba := ctx.Call("getImageData", 0, 0, w, h).Get("data")
	buf := make([]byte, rgba.Length())
	js.CopyBytesToGo(buf, js.Global().Get("Uint8Array").New(rgba.Get("buffer")))
	alpha := make([]uint8, w*h)
	for i := range alpha {
		alpha[i] = buf[4*i+3]
	}
	pixels := Digitise(alpha, w, h, r.digits.TileW)
	if pixels == nil {
		return
	}
	p.pad.blank = false
	r.send(protocol.Predict, protocol.PredictCommand{Pixels: pixels})
}

// showAnswer writes the network's answer and draws its confidence in each class.
func (p *page) showAnswer(pred protocol.Prediction) {
	if p.pad.blank {
		return
	}
	p.pad.confidence = pred.Confidence
	p.out.text("pad-answer", fmt.Sprintf("%d", pred.Class))
	p.paint(&p.pad, p.scene())
}

// draw draws the latest answer's confidence in each class, the answer's bar in
// the test colour; nothing once the pad is cleared.
func (v *padView) draw(s surface, _ scene) {
	conf := v.confidence
	if conf == nil {
		return
	}
	n := float64(len(conf))
	bw := s.w / n
	top := 16.0
	for i, c := range conf {
		h := (s.h - top - 18) * c
		colour := gridColour
		if c == slicesMax(conf) {
			colour = testColor
		}
		s.fill(colour)
		s.ctx.Call("fillRect", float64(i)*bw+2, s.h-18-h, bw-4, h)
		s.text(fmt.Sprint(i), float64(i)*bw+bw/2, s.h-15, 12, faint, "center", "top")
	}
	s.text(fmt.Sprintf("%.0f%% sure", 100*slicesMax(conf)), 0, 0, 12, faint, "left", "top")
}

func slicesMax(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}

// capture keeps the pointer's moves on the pad when it leaves it; a pointer the
// browser does not track (a synthetic event) is simply not captured.
func capture(pad, id js.Value) {
	defer func() { _ = recover() }()
	pad.Call("setPointerCapture", id)
}
