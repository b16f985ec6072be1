package nn

import (
	"math/rand/v2"

	"github.com/nofeedback/lwf/core/tensor"
)

// layer is one block of the topology with the record of its last forward pass.
//
//	FC block:   x = dropout(input); a = x·W + b; h = f(a)             (learning signal at h)
//	CONV block: a = W∗input + b;    h = f(a);    out = maxpool₂ₓ₂(h)   (learning signal at h)
type layer[F tensor.Float] struct {
	index  int
	spec   BlockSpec
	output bool // the last block: the output layer
	act    Activation
	in     int              // input values per sample
	units  int              // values per sample at the learning-signal point (before pooling)
	out    int              // output values per sample (after pooling)
	conv   tensor.ConvShape // CONV only

	weight, bias *Param[F]
	feedback     *Param[F] // FA: B_k, the shape of W, carries the error down instead of W
	hook         *Param[F] // DFA, sDFA, DRTP: B_k of shape [labels, units]

	rows   int     // capacity of the buffers, in samples
	x      []F     // the input as the weights saw it (FC: after dropout)
	mask   []F     // FC dropout: 0 or 1/(1−p) per input value
	h      []F     // post-activation, rows × units
	pooled []F     // CONV: rows × out
	arg    []int32 // CONV: where each pooled value came from, within its sample's h
	delta  []F     // dL/da, rows × units
	signal []F     // dL/dh, rows × units (the learning signal)
	dx     []F     // dL/d(input), rows × in (BP and FA only)
	col    []F     // CONV: im2col scratch of one sample
	dcol   []F     // CONV: its gradient
	dropX  []F     // FC: room for the dropped-out input
	tmp    []F     // scratch of the products with a transposed operand
	drop   bool    // FC: the last forward pass applied dropout
}

// ensure grows the batch buffers to hold rows samples.
func (l *layer[F]) ensure(rows int) {
	if rows <= l.rows {
		return
	}
	l.rows = rows
	l.h = make([]F, rows*l.units)
	l.delta = make([]F, rows*l.units)
	l.signal = nil // allocated on first use: DFA, sDFA, DRTP and BP below the top
	l.dx = nil
	if l.spec.Kind == ConvBlock {
		l.pooled = make([]F, rows*l.out)
		l.arg = make([]int32, rows*l.out)
		l.col = make([]F, l.conv.ColRows()*l.conv.ColCols())
	} else {
		l.dropX, l.mask = nil, nil
	}
}

func grow[F tensor.Float](buf []F, n int) []F {
	if cap(buf) < n {
		return make([]F, n)
	}
	return buf[:n]
}

func (l *layer[F]) biasSize() int {
	if l.spec.Kind == ConvBlock {
		return l.spec.Channels
	}
	return l.units
}

// forwardFC computes x = dropout(input), h = f(x·W + b) for rows samples.
func (l *layer[F]) forwardFC(input []F, rows int, train bool, p float64, rng *rand.Rand) []F {
	x := input[:rows*l.in]
	l.drop = train && p > 0
	if l.drop {
		// Inverted dropout: keep each input with probability 1−p, scaled by 1/(1−p).
		l.dropX, l.mask = grow(l.dropX, len(x)), grow(l.mask, len(x))
		scale := F(1 / (1 - p))
		for i, v := range x {
			m := scale
			if rng.Float64() < p {
				m = 0
			}
			l.mask[i], l.dropX[i] = m, v*m
		}
		x = l.dropX
	}
	l.x = x
	h := l.h[:rows*l.units]
	b := l.bias.Value
	for r := 0; r < rows; r++ {
		copy(h[r*l.units:(r+1)*l.units], b)
	}
	tensor.MulAdd(h, x, l.weight.Value, rows, l.in, l.units) // a = b + x·W
	activate(l.act, h)                                       // h = f(a)
	return h
}

// forwardConv computes h = f(W∗x + b) and its 2×2 max-pool for rows samples.
func (l *layer[F]) forwardConv(input []F, rows int) []F {
	l.x = input[:rows*l.in]
	o, p, ckk := l.spec.Channels, l.conv.ColCols(), l.conv.ColRows()
	w, b := l.weight.Value, l.bias.Value
	for r := 0; r < rows; r++ {
		hs := l.h[r*l.units : (r+1)*l.units]
		for c := 0; c < o; c++ {
			fill(hs[c*p:(c+1)*p], b[c])
		}
		tensor.Im2Col(l.col, l.x[r*l.in:(r+1)*l.in], l.conv)
		tensor.MulAdd(hs, w, l.col, o, ckk, p) // a = b + W·col(x)
	}
	h := l.h[:rows*l.units]
	activate(l.act, h) // h = f(a)
	for r := 0; r < rows; r++ {
		tensor.MaxPool2(l.pooled[r*l.out:(r+1)*l.out], l.arg[r*l.out:(r+1)*l.out],
			h[r*l.units:(r+1)*l.units], o, l.conv.OutH, l.conv.OutW)
	}
	return l.pooled[:rows*l.out]
}

func fill[F tensor.Float](v []F, x F) {
	for i := range v {
		v[i] = x
	}
}

// signalBuffer returns the learning-signal buffer dL/dh for rows samples.
func (l *layer[F]) signalBuffer(rows int) []F {
	l.signal = grow(l.signal, l.rows*l.units)
	return l.signal[:rows*l.units]
}

// deltaFromSignal computes δ = s ⊙ f'(a) from the learning signal s at h.
func (l *layer[F]) deltaFromSignal(s []F, rows int) []F {
	d := l.delta[:rows*l.units]
	derivative(l.act, d, s, l.h[:rows*l.units])
	return d
}

// gradients writes the weight and bias gradients of δ into gw and gb:
//
//	FC:   dW = xᵀ·δ, db = Σ_rows δ
//	CONV: dW = Σ_samples δ·col(x)ᵀ, db = Σ_samples Σ_positions δ
func (l *layer[F]) gradients(delta []F, rows int, gw, gb []F) {
	clear(gb)
	if l.spec.Kind == FCBlock {
		tensor.MulTransA(gw, l.x, delta, l.in, rows, l.units)
		for r := 0; r < rows; r++ {
			tensor.Axpy(1, delta[r*l.units:(r+1)*l.units], gb) // db += 1·δ_r
		}
		return
	}
	clear(gw)
	o, p, ckk := l.spec.Channels, l.conv.ColCols(), l.conv.ColRows()
	for r := 0; r < rows; r++ {
		ds := delta[r*l.units : (r+1)*l.units]
		tensor.Im2ColT(l.col, l.x[r*l.in:(r+1)*l.in], l.conv)
		tensor.MulAdd(gw, ds, l.col, o, p, ckk) // dW += δ·col(x)ᵀ
		for c := 0; c < o; c++ {
			gb[c] += sum(ds[c*p : (c+1)*p])
		}
	}
}

// backInput carries δ down to the layer's input (before dropout): dx = δ·Wᵀ for BP,
// or δ·Bᵀ through the fixed feedback matrix for FA.
func (l *layer[F]) backInput(delta []F, rows int, viaFeedback bool) []F {
	w := l.weight.Value
	if viaFeedback {
		w = l.feedback.Value
	}
	l.dx = grow(l.dx, l.rows*l.in)
	dx := l.dx[:rows*l.in]
	if l.spec.Kind == FCBlock {
		l.tmp = tensor.MulTransB(dx, delta, w, rows, l.units, l.in, l.tmp) // dx = δ·Wᵀ (W stored [in][out])
		if l.drop {                                                        // through the dropout: dx ⊙ mask
			for i := range dx {
				dx[i] *= l.mask[i]
			}
		}
		return dx
	}
	clear(dx)
	o, p, ckk := l.spec.Channels, l.conv.ColCols(), l.conv.ColRows()
	l.dcol = grow(l.dcol, ckk*p)
	for r := 0; r < rows; r++ {
		clear(l.dcol)
		tensor.MulTransAAdd(l.dcol, w, delta[r*l.units:(r+1)*l.units], ckk, o, p) // dcol = Wᵀ·δ
		tensor.Col2ImAdd(dx[r*l.in:(r+1)*l.in], l.dcol, l.conv)
	}
	return dx
}

// unpool turns a gradient at the block's output into one at its learning-signal
// point: through the 2×2 max-pool for CONV, unchanged for FC.
func (l *layer[F]) unpool(dout []F, rows int) []F {
	if l.spec.Kind == FCBlock {
		return dout
	}
	s := l.signalBuffer(rows)
	clear(s)
	for r := 0; r < rows; r++ {
		tensor.MaxPool2Backward(s[r*l.units:(r+1)*l.units], dout[r*l.out:(r+1)*l.out], l.arg[r*l.out:(r+1)*l.out])
	}
	return s
}

func sum[F tensor.Float](v []F) F {
	var s F
	for _, x := range v {
		s += x
	}
	return s
}
