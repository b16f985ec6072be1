package nn

import "github.com/nofeedback/lwf/core/tensor"

// activate applies f in place.
func activate[F tensor.Float](act Activation, v []F) {
	switch act {
	case Tanh:
		tensor.TanhSlice(v)
	case Sigmoid:
		tensor.SigmoidSlice(v)
	case ReLU:
		for i, a := range v {
			if !(a > 0) { // NaN stays NaN below
				if a == a {
					v[i] = 0
				}
			}
		}
	case None:
	}
}

// derivative computes d = s ⊙ f'(a), with f' written in terms of h = f(a):
// tanh' = 1 − h², sigmoid' = h(1 − h), relu' = [h > 0], none' = 1.
func derivative[F tensor.Float](act Activation, d, s, h []F) {
	d, s = d[:len(h)], s[:len(h)]
	switch act {
	case Tanh:
		tensor.TanhDerivative(d, s, h)
	case Sigmoid:
		for i, y := range h {
			d[i] = s[i] * (1 - y) * y
		}
	case ReLU:
		for i, y := range h {
			if y > 0 {
				d[i] = s[i]
			} else {
				d[i] = 0
			}
		}
	case None:
		copy(d, s)
	}
}
