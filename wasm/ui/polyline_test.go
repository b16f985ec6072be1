package ui

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPolylineIsSVGPathData(t *testing.T) {
	for _, c := range []struct {
		name   string
		points [][2]float64
		want   string
	}{
		{"nothing", nil, ""},
		{"one point", [][2]float64{{1, 2}}, "M1.0 2.0"},
		{"three points, rounded to a tenth", [][2]float64{{0, 0}, {10.04, 20.06}, {-3.5, 1e3}}, "M0.0 0.0 L10.0 20.1 L-3.5 1000.0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var l polyline
			for _, p := range c.points {
				l.to(p[0], p[1])
			}
			assert.Equal(t, c.want, string(l))
		})
	}
}
