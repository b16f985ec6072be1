package protocol

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAnAlignPointSaysWhereALayerHasNoAngle(t *testing.T) {
	p := AlignPoint{Samples: 100, Layers: []float64{42.5, NoAngle, 0}, Feedback: []float64{88}}
	tests := []struct {
		name string
		got  func() (float64, bool)
		want float64
		ok   bool
	}{
		{"layer 1", func() (float64, bool) { return p.Layer(0) }, 42.5, true},
		{"a frozen layer", func() (float64, bool) { return p.Layer(1) }, 0, false},
		{"an angle of 0° is one", func() (float64, bool) { return p.Layer(2) }, 0, true},
		{"past the last layer", func() (float64, bool) { return p.Layer(3) }, 0, false},
		{"before the first", func() (float64, bool) { return p.Layer(-1) }, 0, false},
		{"B vs W", func() (float64, bool) { return p.FeedbackAngle(0) }, 88, true},
		{"no second B", func() (float64, bool) { return p.FeedbackAngle(1) }, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.got()
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}
