package render

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDiverging(t *testing.T) {
	assert.Equal(t, [4]byte{255, 255, 255, 255}, Diverging(0, 1))
	assert.Equal(t, [4]byte{178, 24, 43, 255}, Diverging(1, 1))
	assert.Equal(t, [4]byte{178, 24, 43, 255}, Diverging(5, 1), "clipped")
	assert.Equal(t, [4]byte{33, 102, 172, 255}, Diverging(-2, 2))
	assert.Equal(t, [4]byte{0, 0, 0, 255}, Diverging(nanValue(), 1))
	mid := Diverging(0.5, 1)
	assert.True(t, mid[0] > mid[1] && mid[1] < 255, "half red: %v", mid)
}

func nanValue() float64 { z := 0.0; return z / z }

func TestTilesLayout(t *testing.T) {
	// Three 2×2 tiles, two to a row: 5×5 pixels with one-pixel gaps.
	p := Tiles("w", 3, 2, 2, 2, func(tile, x, y int) float64 { return float64(tile) - 1 }, func(int) float64 { return 1 })
	assert.Equal(t, 5, p.W)
	assert.Equal(t, 5, p.H)
	assert.Len(t, p.Pix, 4*25)
	at := func(x, y int) [4]byte { var c [4]byte; copy(c[:], p.Pix[4*(y*5+x):]); return c }
	assert.Equal(t, Diverging(-1, 1), at(0, 0), "tile 0 is blue")
	assert.Equal(t, Diverging(0, 1), at(3, 1), "tile 1 is white")
	assert.Equal(t, Diverging(1, 1), at(1, 4), "tile 2 is red")
	assert.Equal(t, gapColour, at(2, 0), "gap")
	assert.Equal(t, gapColour, at(4, 4), "the empty fourth place")
}

func TestHeatmapShrinksByLargestMagnitude(t *testing.T) {
	m := []float32{
		0, 0.1, 0, 0,
		0, 0, -1, 0,
	}
	p := Heatmap("b", m, 2, 4, 2, 1)
	assert.Equal(t, 2, p.W)
	assert.Equal(t, 1, p.H)
	assert.Equal(t, Diverging(0.1, 1), [4]byte(p.Pix[0:4]))
	assert.Equal(t, Diverging(-1, 1), [4]byte(p.Pix[4:8]))
	assert.Empty(t, Heatmap("bad", m, 3, 4, 10, 10).Pix, "too few values")
}

func TestGrayAndGrid(t *testing.T) {
	p := Gray("digits", [][]byte{{0, 255, 128, 0}, {255, 255, 255, 255}}, 2, 2)
	assert.Equal(t, 5, p.W)
	assert.Equal(t, [4]byte{255, 255, 255, 255}, [4]byte(p.Pix[0:4]), "no ink is white")
	assert.Equal(t, [4]byte{0, 0, 0, 255}, [4]byte(p.Pix[4:8]), "full ink is black")
	assert.Equal(t, 25, Grid(500, 28, 28, 1.25), "500 tiles at 5:4 make 25 columns of 20")
	assert.Equal(t, 1, Grid(1, 5, 5, 3))
}
