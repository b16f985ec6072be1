package nn

import (
	"math"

	"github.com/nofeedback/lwf/core/tensor"
)

// LossSum returns the loss of outputs y (rows × k, after the output activation)
// against targets t, reduced by sum:
//
//	MSE: Σ (y − t)²
//	BCE: −Σ [t·log y + (1 − t)·log(1 − y)], each log clamped at −100 as PyTorch does
//	CE:  −Σ_rows log softmax(y)_c, with c the sample's class (argmax of t when labels is nil)
//
// The reference's per-epoch figure is LossSum over the set divided by its samples;
// its per-batch loss is LossSum / (rows·k) for MSE and BCE and LossSum / rows for CE.
func LossSum[F tensor.Float](loss Loss, y, t []F, labels []int, rows, k int) float64 {
	var s float64
	switch loss {
	case MSE:
		for i, v := range y[:rows*k] {
			d := float64(v) - float64(t[i])
			s += d * d
		}
	case BCE:
		for i, v := range y[:rows*k] {
			p, q := float64(v), float64(t[i])
			s -= q*max(tensor.Log(p), -100) + (1-q)*max(tensor.Log(1-p), -100)
		}
	case CE:
		for r := 0; r < rows; r++ {
			yr := y[r*k : (r+1)*k]
			s += logSumExp(yr) - float64(yr[class(labels, t, r, k)])
		}
	}
	return s
}

// meanDivisor is what the reference divides LossSum by for a batch's loss.
func meanDivisor(loss Loss, rows, k int) float64 {
	if loss == CE {
		return float64(rows)
	}
	return float64(rows * k)
}

// class returns the class of sample r: its label, or the argmax of its target row.
func class[F tensor.Float](labels []int, t []F, r, k int) int {
	if labels != nil {
		return labels[r]
	}
	return tensor.Argmax(t[r*k : (r+1)*k])
}

func logSumExp[F tensor.Float](v []F) float64 {
	m := float64(v[tensor.Argmax(v)])
	if math.IsInf(m, 0) {
		return m
	}
	var s float64
	for _, x := range v {
		s += tensor.Exp(float64(x) - m)
	}
	return m + tensor.Log(s)
}

// softmaxRow writes softmax(v) into dst.
func softmaxRow[F tensor.Float](dst, v []F) {
	m := v[tensor.Argmax(v)]
	var s float64
	for i, x := range v {
		e := tensor.Exp(float64(x - m))
		dst[i] = F(e)
		s += e
	}
	for i := range v {
		dst[i] = F(float64(dst[i]) / s)
	}
}

// outputDelta writes dL/da of the output layer, for the mean-reduced loss, into d:
//
//	MSE: 2(y − t)/(rows·k) ⊙ f'(a)
//	BCE: (y − t)/(rows·k)            (sigmoid output: f'(a) = y(1−y) cancels)
//	CE:  (softmax(y) − onehot(c))/rows ⊙ f'(a)
func outputDelta[F tensor.Float](loss Loss, act Activation, d, y, t []F, labels []int, rows, k int) {
	d, y = d[:rows*k], y[:rows*k]
	switch loss {
	case MSE:
		scale := F(2 / float64(rows*k))
		for i, v := range y {
			d[i] = scale * (v - t[i])
		}
		derivative(act, d, d, y)
	case BCE:
		scale := F(1 / float64(rows*k))
		for i, v := range y {
			d[i] = scale * (v - t[i])
		}
	case CE:
		scale := F(1 / float64(rows))
		for r := 0; r < rows; r++ {
			dr := d[r*k : (r+1)*k]
			softmaxRow(dr, y[r*k:(r+1)*k])
			dr[class(labels, t, r, k)]--
			for i := range dr {
				dr[i] *= scale
			}
		}
		derivative(act, d, d, y)
	}
}
