package stats

import (
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
