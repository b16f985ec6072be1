package tensor

import "math"

// MaxPool2 pools one sample x (C×H×W) into out (C×⌊H/2⌋×⌊W/2⌋) with 2×2 windows and
// stride 2; a last odd row or column is dropped. arg receives, for each output, the
// index in x of the value it took: the first maximum of its window in row-major order
// (its last NaN, if any), as PyTorch picks it.
func MaxPool2[F Float](out []F, arg []int32, x []F, c, h, w int) {
	ph, pw := h/2, w/2
	out, arg, x = out[:c*ph*pw], arg[:c*ph*pw], x[:c*h*w]
	if is32[F]() {
		maxPool2of32(f32(out), arg, f32(x), c, h, w)
		return
	}
	maxPool2Plain(out, arg, x, c, h, w)
}

// maxPool2Plain is MaxPool2 as the comparisons say it: float64's, and float32's
// reference in the tests.
func maxPool2Plain[F Float](out []F, arg []int32, x []F, c, h, w int) {
	ph, pw := h/2, w/2
	o := 0
	for ch := 0; ch < c; ch++ {
		base := ch * h * w
		for py := 0; py < ph; py++ {
			for px := 0; px < pw; px++ {
				i0 := base + 2*py*w + 2*px
				best, bi := x[i0], i0
				for _, i := range [3]int{i0 + 1, i0 + w, i0 + w + 1} {
					if v := x[i]; v > best || v != v {
						best, bi = v, i
					}
				}
				out[o], arg[o] = best, int32(bi)
				o++
			}
		}
	}
}

// maxPool2of32 is MaxPool2 on float32, without a branch on the values (which no CPU
// predicts): it compares the windows' keys, order32, and keeps the largest.
func maxPool2of32(out []float32, arg []int32, x []float32, c, h, w int) {
	ph, pw := h/2, w/2
	o := 0
	for ch := 0; ch < c; ch++ {
		for py := 0; py < ph; py++ {
			row := x[ch*h*w+2*py*w : ch*h*w+2*py*w+2*w]
			base := int32(ch*h*w + 2*py*w)
			for px := 0; px < pw; px++ {
				j := int32(2 * px)
				best, bj := order32(row[j], 0), j
				best, bj = later(best, bj, order32(row[j+1], 1), j+1)
				best, bj = later(best, bj, order32(row[int(j)+w], 2), j+int32(w))
				_, bj = later(best, bj, order32(row[int(j)+w+1], 3), j+int32(w)+1)
				out[o], arg[o] = row[bj], base+bj
				o++
			}
		}
	}
}

// later returns (k, j) if k > best, else (best, bj), by arithmetic: the compiler
// would branch on it.
func later(best, bj, k, j int32) (int32, int32) {
	gt := int32((int64(best) - int64(k)) >> 63) // −1 if k > best, else 0
	return best ^ (best^k)&gt, bj ^ (bj^j)&gt
}

// order32 maps v, at position p < 4 of its window, to an integer in the floats' own
// order, −0 and +0 equal, and a NaN above +∞ and above the NaNs before it: then the
// largest key of a window is its first maximum, or its last NaN. The sign-magnitude
// bits as a two's complement number.
func order32(v float32, p int32) int32 {
	bits := math.Float32bits(v)
	mag := int32(bits &^ (1 << 31))
	sign := int32(bits) >> 31 // 0 or −1
	k := (mag ^ sign) - sign  // −mag when negative
	if mag > 0x7f800000 {     // NaN
		k = math.MaxInt32 - 3 + p
	}
	return k
}

// MaxPool2Backward routes each pooled gradient dout back to the input position
// recorded in arg, adding it into dx.
func MaxPool2Backward[F Float](dx, dout []F, arg []int32) {
	arg = arg[:len(dout)]
	for o, g := range dout {
		dx[arg[o]] += g
	}
}
