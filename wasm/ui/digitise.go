package ui

import "math"

// Digitise turns a drawing into an input like MNIST's digits, which were prepared
// the same way: the ink's bounding box scaled so that its longer side fills 20/28 of
// the image, then placed so that its centre of mass sits at the centre. alpha holds
// the ink of a w×h canvas (0 none, 255 full); the result is side×side values in
// [0, 1], or nil when there is no ink.
func Digitise(alpha []uint8, w, h, side int) []float32 {
	if w < 1 || h < 1 || side < 1 || len(alpha) < w*h {
		return nil
	}
	x0, y0, x1, y1 := w, h, -1, -1 // the ink's bounding box
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if alpha[y*w+x] > 0 {
				x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
			}
		}
	}
	if x1 < 0 {
		return nil
	}
	bw, bh := x1-x0+1, y1-y0+1
	box := float64(side) * 20 / 28
	scale := box / float64(max(bw, bh))
	sw, sh := max(1, int(math.Round(float64(bw)*scale))), max(1, int(math.Round(float64(bh)*scale)))
	// Area-average the box down to sw×sh.
	small := make([]float64, sw*sh)
	count := make([]float64, sw*sh)
	for y := y0; y <= y1; y++ {
		dy := min(sh-1, int(float64(y-y0)*float64(sh)/float64(bh)))
		for x := x0; x <= x1; x++ {
			dx := min(sw-1, int(float64(x-x0)*float64(sw)/float64(bw)))
			small[dy*sw+dx] += float64(alpha[y*w+x]) / 255
			count[dy*sw+dx]++
		}
	}
	var mass, mx, my float64
	for i := range small {
		if count[i] > 0 {
			small[i] /= count[i]
		}
		mass += small[i]
		mx += small[i] * float64(i%sw)
		my += small[i] * float64(i/sw)
	}
	// Put the centre of mass at the centre, keeping the ink inside the image.
	ox := clampInt(int(math.Round(float64(side)/2-0.5-mx/mass)), 0, side-sw)
	oy := clampInt(int(math.Round(float64(side)/2-0.5-my/mass)), 0, side-sh)
	out := make([]float32, side*side)
	for y := 0; y < sh; y++ {
		for x := 0; x < sw; x++ {
			out[(y+oy)*side+x+ox] = float32(math.Min(1, small[y*sw+x]))
		}
	}
	return out
}

func clampInt(v, lo, hi int) int {
	if hi < lo {
		return lo
	}
	return max(lo, min(hi, v))
}
