//go:build !js

package data

import (
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/core/nn"
)

func TestLoadsMNISTFromGoMNIST(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH, so the GoMNIST module cannot be found:", err)
	}
	dir, err := GoMNISTDir()
	require.NoError(t, err)
	train, test, err := LoadIDXDir(dir)
	require.NoError(t, err)
	for _, c := range []struct {
		set  *Set
		want int
	}{{train, 60000}, {test, 10000}} {
		require.Equal(t, c.want, c.set.Len())
		assert.Equal(t, []int{1, 28, 10}, []int{c.set.Channels, c.set.Side, c.set.Labels})
		counts := make([]int, 10)
		var b nn.Batch[float32]
		for _, batch := range mustBatches(t, Order(c.set.Len(), 1, 0), 5000) {
			require.NoError(t, Fill(c.set, &b, batch, false, nil))
			for _, l := range b.Labels {
				require.True(t, l >= 0 && l < 10, "label %d", l)
				counts[l]++
			}
			lo, hi := b.X[0], b.X[0]
			for _, x := range b.X {
				lo, hi = min(lo, x), max(hi, x)
			}
			assert.Equal(t, []float32{0, 1}, []float32{lo, hi}, "pixel range")
		}
		for digit, n := range counts {
			assert.InDelta(t, c.want/10, n, float64(c.want)/60, "samples of digit %d", digit)
		}
	}
	assert.Equal(t, 5, train.Class(0), "the first training digit of MNIST is a 5")
	assert.Equal(t, 7, test.Class(0), "the first test digit of MNIST is a 7")
}
