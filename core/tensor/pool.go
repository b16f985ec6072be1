package tensor

// MaxPool2 pools one sample x (C×H×W) into out (C×⌊H/2⌋×⌊W/2⌋) with 2×2 windows and
// stride 2; a last odd row or column is dropped. arg receives, for each output, the
// index in x of the value it took: the first maximum of its window in row-major order
// (a NaN wins), as PyTorch picks it.
func MaxPool2[F Float](out []F, arg []int32, x []F, c, h, w int) {
	ph, pw := h/2, w/2
	out, arg, x = out[:c*ph*pw], arg[:c*ph*pw], x[:c*h*w]
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
						if v != v {
							break
						}
					}
				}
				out[o], arg[o] = best, int32(bi)
				o++
			}
		}
	}
}

// MaxPool2Backward routes each pooled gradient dout back to the input position
// recorded in arg, adding it into dx.
func MaxPool2Backward[F Float](dx, dout []F, arg []int32) {
	arg = arg[:len(dout)]
	for o, g := range dout {
		dx[arg[o]] += g
	}
}
