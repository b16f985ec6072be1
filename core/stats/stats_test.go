package stats

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMeanStd(t *testing.T) {
	for _, tt := range []struct {
		v         []float64
		mean, std float64
	}{
		{[]float64{2, 3}, 2.5, 0.7071067811865476},
		{[]float64{1, 2, 3, 4}, 2.5, 1.2909944487358056},
		{[]float64{5}, 5, 0},
	} {
		mean, std := MeanStd(tt.v)
		assert.InDelta(t, tt.mean, mean, 1e-15, "%v", tt.v)
		assert.InDelta(t, tt.std, std, 1e-15, "%v", tt.v)
	}
}

func TestMedian(t *testing.T) {
	for _, tt := range []struct {
		name string
		xs   []float64
		want float64
	}{
		{"none", nil, 0},
		{"empty", []float64{}, 0},
		{"one", []float64{7}, 7},
		{"odd, unsorted", []float64{5, 1, 3}, 3},
		{"even: the mean of the two middle values", []float64{4, 1, 3, 2}, 2.5},
		{"two", []float64{3, 1}, 2},
		{"repeated values", []float64{2, 2, 1, 9, 9, 0}, 2},
		{"negative values", []float64{-1, -5, -3}, -3},
		{"even, middle values apart", []float64{10, 0, 1, 100}, 5.5},
	} {
		xs := slices.Clone(tt.xs)
		assert.Equal(t, tt.want, Median(xs), tt.name)
		assert.Equal(t, tt.xs, xs, "%s: the input is left as it is", tt.name)
	}
}
