package nn

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCostsOfTheRules(t *testing.T) {
	// 784-500-10: forward 784·500 + 500·10. Weight gradients cost the same again.
	// BP and FA carry δ₂ down through the 500×10 output layer; DFA projects the 10
	// errors onto 500 units; DRTP looks a row up; shallow only learns the output.
	cfg := mnistConfig("FC_500_FC_10", DRTP)
	costs, err := cfg.Costs()
	require.NoError(t, err)
	forward := int64(784*500 + 500*10)
	all := int64(784 + 500 + 500 + 10)
	want := map[Mode]Cost{
		BP:      {BP, forward, forward + 5000, all, true},
		FA:      {FA, forward, forward + 5000, all, true},
		DFA:     {DFA, forward, forward + 5000, all, false},
		SDFA:    {SDFA, forward, forward + 5000, all, false},
		DRTP:    {DRTP, forward, forward, 784 + 500, false},
		Shallow: {Shallow, forward, 5000, 500, false},
	}
	require.Len(t, costs, 6)
	for _, c := range costs {
		assert.Equal(t, want[c.Mode], c, c.Mode.String())
	}

	// 784-1000-1000-10: BP must carry the error back through the 1000×1000 layer.
	costs, err = mnistConfig("FC_1000_FC_1000_FC_10", DRTP).Costs()
	require.NoError(t, err)
	bp, drtp := costs[BP], costs[DRTP]
	assert.Equal(t, bp.LearningMACs-drtp.LearningMACs, int64(1000*1000+1000*10))
	forward = 784*1000 + 1000*1000 + 1000*10
	assert.Equal(t, 2*forward, drtp.ForwardMACs+drtp.LearningMACs)
	assert.Equal(t, 2*forward+1000*1000+1000*10, bp.ForwardMACs+bp.LearningMACs, "28% more than DRTP, counted densely")
}

func TestCostsOfAConvNetwork(t *testing.T) {
	cfg := mnistConfig("CONV_32_5_1_2_FC_1000_FC_10", BP)
	costs, err := cfg.Costs()
	require.NoError(t, err)
	conv := int64(32 * 25 * 28 * 28)
	fc1, fc2 := int64(6272*1000), int64(1000*10)
	assert.Equal(t, conv+fc1+fc2, costs[BP].ForwardMACs)
	assert.Equal(t, (conv+fc1+fc2)+fc1+fc2, costs[BP].LearningMACs, "dW of all three, δ down through FC2 and FC1")
	assert.Equal(t, conv+fc1+fc2, costs[DRTP].LearningMACs)

	cfg.FreezeConv = true
	costs, err = cfg.Costs()
	require.NoError(t, err)
	assert.Equal(t, fc1+fc2+fc2, costs[BP].LearningMACs, "nothing goes into a frozen conv layer")
	assert.Equal(t, fc1+fc2, costs[DRTP].LearningMACs)

	_, err = mnistConfig("FC_0", BP).Costs()
	assert.Error(t, err)
}
