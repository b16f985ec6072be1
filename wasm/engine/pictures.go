package engine

import (
	"fmt"
	"image"
	"math"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/settings"
	"github.com/nofeedback/lwf/wasm/protocol"
	"github.com/nofeedback/lwf/wasm/render"
)

// describe returns the model description and its pictures: fixed feedback matrices
// and the test digits.
func (e *Engine) describe() (protocol.Model, [][]byte) {
	net := e.sess.Net()
	s := e.Settings
	m := protocol.Model{
		Query: s.Values(settings.Default()).Encode(), Mode: s.Mode, Topology: s.Topology, Dataset: s.Dataset,
		Classification: e.trainSet.Classification(), TrainSamples: e.trainSet.Len(), TestSamples: e.testSet.Len(),
		QuickTestSize: e.run.Schedule.Quick.Len(), BatchesPerEpoch: e.sess.BatchesPerEpoch(), Epochs: s.Epochs,
	}
	for _, li := range net.Describe() {
		l := protocol.Layer{Name: layerName(li, s.Dropout), In: shapeText(li.In[:]), Out: shapeText(li.Out[:]),
			Weights: li.Weights, Frozen: li.Frozen}
		if li.Feedback != nil {
			l.Feedback = shapeText(li.Feedback)
		}
		m.Layers = append(m.Layers, l)
	}
	var bufs [][]byte
	add := func(p render.Picture) *protocol.Image {
		if p.Pix == nil {
			return nil
		}
		p.Buffer = len(bufs)
		bufs = append(bufs, p.Pix)
		return &p.Image
	}
	for _, p := range e.feedbackPictures() {
		if img := add(p); img != nil {
			m.Feedback = append(m.Feedback, *img)
		}
	}
	if e.digits.Len() > 0 && e.digits.Classification() && grayBytes(e.digits, 0) != nil {
		images := make([][]byte, e.digits.Len())
		for i := range images {
			images[i] = grayBytes(e.digits, i)
			m.DigitLabels = append(m.DigitLabels, e.digits.Class(i))
		}
		m.Digits = add(render.Gray("digits", images, e.digits.Side, 8))
	}
	return m, bufs
}

// grayBytes returns the pixels of sample i of a one-channel image set.
func grayBytes(set *data.Set, i int) []byte {
	if g, ok := set.Image(i).(*image.Gray); ok {
		return g.Pix
	}
	return nil
}

// feedbackPictures draws the fixed feedback matrices the rule uses.
func (e *Engine) feedbackPictures() []render.Picture {
	net := e.sess.Net()
	info := net.Describe()
	var out []render.Picture
	for _, p := range net.Params() {
		if !p.Role.Fixed() {
			continue
		}
		layer := p.Layer
		li := info[layer]
		switch {
		case p.Role == nn.RoleProjection:
			// B_k: one row per class, one column per unit of layer k.
			rows, cols := p.Shape[0], len(p.Value)/p.Shape[0]
			pic := render.Heatmap(fmt.Sprintf("B%d", layer+1), p.Value, rows, cols, 1000, rows)
			pic.Caption = fmt.Sprintf("B%d: %s fixed random matrix into layer %d (%s); one row per class", layer+1, shapeText(p.Shape), layer+1, layerName(li, 0))
			out = append(out, pic)
			if e.Settings.Mode == nn.DRTP && layer == 0 {
				out = append(out, projectedTargets(p, li))
			}
		case p.Role == nn.RoleFeedback && layer > 0:
			// FA: B_k has W_k's shape [out, in] and carries the error down instead of W_k.
			pic := render.Heatmap(fmt.Sprintf("B%d", layer+1), p.Torch(), p.Shape[0], len(p.Value)/p.Shape[0], 512, 256)
			pic.Caption = fmt.Sprintf("B%d: %s fixed random matrix that carries the error from layer %d down to layer %d, in place of W%d",
				layer+1, shapeText(p.Shape), layer+1, layer, layer+1)
			out = append(out, pic)
		}
	}
	return out
}

// projectedTargets draws, for each class c, DRTP's learning signal for the first
// hidden layer: row c of B₁, laid out as a picture (for a conv layer, its first
// channel).
func projectedTargets(p *nn.Param[float32], li nn.LayerInfo) render.Picture {
	labels := p.Shape[0]
	units := len(p.Value) / labels
	tw, th := li.Signal[2], li.Signal[1] // conv: W×H of the first channel
	if li.Spec.Kind == nn.FCBlock {
		tw = int(math.Ceil(math.Sqrt(float64(units))))
		th = (units + tw - 1) / tw
	}
	scale := render.MaxAbs(p.Value)
	pic := render.Tiles("targets", labels, tw, th, labels, func(t, x, y int) float64 {
		i := y*tw + x
		if i >= units || (li.Spec.Kind == nn.ConvBlock && i >= tw*th) {
			return 0
		}
		return float64(p.Value[t*units+i])
	}, func(int) float64 { return scale })
	pic.Caption = "DRTP's signal for each class 0–9: row c of B1, the only thing layer 1 learns from"
	return pic
}

// weightsPicture draws the first layer's weights: one tile per unit (an FC layer on
// images) or per filter (a conv layer), each scaled to its own largest magnitude.
func (e *Engine) weightsPicture() render.Picture {
	net := e.sess.Net()
	li := net.Describe()[0]
	var w *nn.Param[float32]
	for _, p := range net.Params() {
		if p.Layer == 0 && p.Role == nn.RoleWeight {
			w = p
		}
	}
	weights := w.Torch() // PyTorch's layout: [out][in] for FC, [out][c][k][k] for conv
	c, side := e.trainSet.Channels, e.trainSet.Side
	var pic render.Picture
	if li.Spec.Kind == nn.ConvBlock {
		// Filters [out][c][k][k], averaged over input channels.
		o, k := li.Spec.Channels, li.Spec.Kernel
		val := func(t, x, y int) float64 {
			var s float64
			for ch := 0; ch < c; ch++ {
				s += float64(weights[((t*c+ch)*k+y)*k+x])
			}
			return s / float64(c)
		}
		pic = render.Tiles("weights", o, k, k, render.Grid(o, k, k, 2), val, tileScale(o, k, k, val))
		pic.Caption = fmt.Sprintf("the %d filters of layer 1 (%dx%d)", o, k, k)
		return pic
	}
	// FC: unit t's weight from input i is weights[t·in + i].
	units := li.Spec.Units
	in := c * side * side
	n := min(units, maxTiles)
	val := func(t, x, y int) float64 {
		var s float64
		for ch := 0; ch < c; ch++ {
			s += float64(weights[t*in+(ch*side+y)*side+x])
		}
		return s / float64(c)
	}
	pic = render.Tiles("weights", n, side, side, render.Grid(n, side, side, 1.5), val, tileScale(n, side, side, val))
	pic.Caption = fmt.Sprintf("the input weights of each of the %d units of layer 1", units)
	if n < units {
		pic.Caption = fmt.Sprintf("the input weights of %d of the %d units of layer 1", n, units)
	}
	return pic
}

// tileScale returns, for each tile, its largest magnitude.
func tileScale(n, tw, th int, val func(t, x, y int) float64) func(int) float64 {
	scales := make([]float64, n)
	for t := range scales {
		for y := 0; y < th; y++ {
			for x := 0; x < tw; x++ {
				scales[t] = math.Max(scales[t], math.Abs(val(t, x, y)))
			}
		}
	}
	return func(t int) float64 { return scales[t] }
}

func layerName(li nn.LayerInfo, dropout float64) string {
	var s string
	if li.Spec.Kind == nn.ConvBlock {
		s = fmt.Sprintf("CONV %d of %dx%d, stride %d, pad %d, %s, max-pool", li.Spec.Channels, li.Spec.Kernel,
			li.Spec.Kernel, li.Spec.Stride, li.Spec.Padding, li.Activation)
	} else {
		s = fmt.Sprintf("FC %d, %s", li.Spec.Units, li.Activation)
	}
	if li.Output {
		s += " (output)"
	}
	return s
}

func shapeText(s []int) string { return nn.ShapeText(s, "×") }
