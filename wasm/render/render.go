// Package render draws what the page shows of a network into RGBA pixels: the first
// layer's weights as tiles, fixed feedback matrices as heatmaps, and test digits. It
// is plain Go, so the worker draws and the page only copies pixels to a canvas.
package render

import (
	"math"

	"github.com/nofeedback/lwf/wasm/protocol"
)

// Picture is an image in the making: its description and its RGBA pixels.
type Picture struct {
	protocol.Image
	Pix []byte
}

// Tiles lays out n tiles of tw×th pixels, cols to a row, with a gap of one pixel
// between them; value(t, x, y) gives the value of pixel (x, y) of tile t, and scale(t)
// the value that maps to full colour for tile t.
func Tiles(name string, n, tw, th, cols int, value func(t, x, y int) float64, scale func(t int) float64) Picture {
	if n < 1 || tw < 1 || th < 1 {
		return Picture{}
	}
	cols = max(1, min(cols, n))
	rows := (n + cols - 1) / cols
	w, h := cols*(tw+1)-1, rows*(th+1)-1
	p := Picture{Image: protocol.Image{Name: name, W: w, H: h, Tiles: n, TileW: tw, TileH: th, Cols: cols},
		Pix: make([]byte, 4*w*h)}
	fill(p.Pix, gapColour)
	for t := 0; t < n; t++ {
		ox, oy := (t%cols)*(tw+1), (t/cols)*(th+1)
		s := scale(t)
		for y := 0; y < th; y++ {
			for x := 0; x < tw; x++ {
				i := 4 * ((oy+y)*w + ox + x)
				c := Diverging(value(t, x, y), s)
				copy(p.Pix[i:i+4], c[:])
			}
		}
	}
	return p
}

// Heatmap draws a rows×cols matrix m (row-major) as one pixel a value, at most
// maxW×maxH pixels: larger matrices are shrunk by keeping, for each pixel, the value
// of largest magnitude in its block.
func Heatmap(name string, m []float32, rows, cols, maxW, maxH int) Picture {
	if rows < 1 || cols < 1 || len(m) < rows*cols {
		return Picture{}
	}
	w, h := min(cols, maxW), min(rows, maxH)
	block := func(i, n, size int) (int, int) { return i * n / size, max((i+1)*n/size, i*n/size+1) }
	s := maxAbs(m[:rows*cols])
	p := Picture{Image: protocol.Image{Name: name, W: w, H: h, Tiles: 1, TileW: w, TileH: h, Cols: 1},
		Pix: make([]byte, 4*w*h)}
	for y := 0; y < h; y++ {
		r0, r1 := block(y, rows, h)
		for x := 0; x < w; x++ {
			c0, c1 := block(x, cols, w)
			var v float32
			for r := r0; r < r1; r++ {
				for c := c0; c < c1; c++ {
					if a := m[r*cols+c]; abs(a) > abs(v) {
						v = a
					}
				}
			}
			c := Diverging(float64(v), s)
			copy(p.Pix[4*(y*w+x):], c[:])
		}
	}
	return p
}

// Gray draws n images of side×side bytes (0 black … 255 white ink on a light ground)
// in a grid, cols to a row.
func Gray(name string, images [][]byte, side, cols int) Picture {
	n := len(images)
	if n == 0 || side < 1 {
		return Picture{}
	}
	cols = max(1, min(cols, n))
	rows := (n + cols - 1) / cols
	w, h := cols*(side+1)-1, rows*(side+1)-1
	p := Picture{Image: protocol.Image{Name: name, W: w, H: h, Tiles: n, TileW: side, TileH: side, Cols: cols},
		Pix: make([]byte, 4*w*h)}
	fill(p.Pix, gapColour)
	for t, img := range images {
		ox, oy := (t%cols)*(side+1), (t/cols)*(side+1)
		for y := 0; y < side; y++ {
			for x := 0; x < side; x++ {
				v := byte(255)
				if i := y*side + x; i < len(img) {
					v = 255 - img[i] // dark ink on white
				}
				copy(p.Pix[4*((oy+y)*w+ox+x):], []byte{v, v, v, 255})
			}
		}
	}
	return p
}

var gapColour = [4]byte{255, 255, 255, 0}

func fill(pix []byte, c [4]byte) {
	for i := 0; i+4 <= len(pix); i += 4 {
		copy(pix[i:i+4], c[:])
	}
}

// Diverging maps v in [−scale, scale] to blue (negative) through white (zero) to red
// (positive); NaN is black.
func Diverging(v, scale float64) [4]byte {
	if v != v {
		return [4]byte{0, 0, 0, 255}
	}
	t := 0.0
	if scale > 0 {
		t = math.Max(-1, math.Min(1, v/scale))
	}
	// Ends: blue (33, 102, 172) and red (178, 24, 43); white in the middle.
	end := [3]float64{178, 24, 43}
	if t < 0 {
		end, t = [3]float64{33, 102, 172}, -t
	}
	var c [4]byte
	for i := range 3 {
		c[i] = byte(math.Round(255 + (end[i]-255)*t))
	}
	c[3] = 255
	return c
}

// MaxAbs returns the largest magnitude in v (0 if empty).
func MaxAbs(v []float32) float64 { return maxAbs(v) }

func maxAbs(v []float32) float64 {
	var m float32
	for _, x := range v {
		m = max(m, abs(x))
	}
	return float64(m)
}

func abs(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}

// Grid returns a number of columns that lays n tiles of tw×th out close to the aspect
// ratio aspect (width/height).
func Grid(n, tw, th int, aspect float64) int {
	best, bestErr := 1, math.Inf(1)
	for cols := 1; cols <= n; cols++ {
		rows := (n + cols - 1) / cols
		r := float64(cols*(tw+1)) / float64(rows*(th+1))
		if e := math.Abs(math.Log(r / aspect)); e < bestErr {
			best, bestErr = cols, e
		}
	}
	return best
}
