package ui

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/core/nn"
)

func TestTheSignalPathsOfEachRule(t *testing.T) {
	deep, err := nn.ParseTopology("FC_500_FC_500_FC_10")
	require.NoError(t, err)
	conv, err := nn.ParseTopology("CONV_32_5_1_2_FC_1000_FC_10")
	require.NoError(t, err)
	tests := []struct {
		mode           nn.Mode
		specs          []nn.BlockSpec
		frozenConv     bool
		sources        []signalSource // first layer first
		formulas       []string
		free, unlocked string
	}{
		{nn.BP, deep, false, []signalSource{fromAbove, fromAbove, fromOutput},
			[]string{"δ₁ = (W₂ᵀ δ₂) ⊙ f′(a₁)", "δ₂ = (W₃ᵀ δ₃) ⊙ f′(a₂)", "δ₃ = e = y − t*"}, "no", "no"},
		{nn.FA, deep, false, []signalSource{fromAbove, fromAbove, fromOutput},
			[]string{"δ₁ = (B₂ᵀ δ₂) ⊙ f′(a₁)", "δ₂ = (B₃ᵀ δ₃) ⊙ f′(a₂)", "δ₃ = e = y − t*"}, "yes", "no"},
		{nn.DFA, deep, false, []signalSource{fromError, fromError, fromOutput},
			[]string{"δ₁ = (B₁ᵀ e) ⊙ f′(a₁)", "δ₂ = (B₂ᵀ e) ⊙ f′(a₂)", "δ₃ = e = y − t*"}, "yes", "no"},
		{nn.SDFA, deep, false, []signalSource{fromError, fromError, fromOutput},
			[]string{"δ₁ = (B₁ᵀ sign(e)) ⊙ f′(a₁)", "δ₂ = (B₂ᵀ sign(e)) ⊙ f′(a₂)", "δ₃ = e = y − t*"}, "yes", "no"},
		{nn.DRTP, deep, false, []signalSource{fromTarget, fromTarget, fromOutput},
			[]string{"δ₁ = (B₁ᵀ t*) ⊙ f′(a₁)", "δ₂ = (B₂ᵀ t*) ⊙ f′(a₂)", "δ₃ = e = y − t*"}, "yes", "yes"},
		{nn.Shallow, deep, false, []signalSource{fromNothing, fromNothing, fromOutput},
			[]string{"δ₁ = 0: keeps its initial weights", "δ₂ = 0: keeps its initial weights", "δ₃ = e = y − t*"}, "–", "–"},
		{nn.DRTP, conv, false, []signalSource{fromTarget, fromTarget, fromOutput},
			[]string{"δ₁ = (B₁ᵀ t*) ⊙ f′(a₁)", "δ₂ = (B₂ᵀ t*) ⊙ f′(a₂)", "δ₃ = e = y − t*"}, "yes", "yes"},
		{nn.BP, conv, true, []signalSource{fromNothing, fromAbove, fromOutput},
			[]string{"δ₁ = 0: keeps its initial weights", "δ₂ = (W₃ᵀ δ₃) ⊙ f′(a₂)", "δ₃ = e = y − t*"}, "no", "no"},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String()+" on "+nn.FormatTopology(tt.specs), func(t *testing.T) {
			sp := signalPathOf(tt.mode, tt.specs, tt.frozenConv)
			require.Len(t, sp.layers, len(tt.specs))
			for i, l := range sp.layers {
				assert.Equal(t, tt.sources[i], l.source, "layer %d's source", i+1)
				assert.Equal(t, tt.formulas[i], l.formula, "layer %d's formula", i+1)
				if l.source == fromNothing || l.source == fromOutput {
					assert.Empty(t, l.through, "layer %d: no matrix carries its signal", i+1)
				} else {
					assert.NotEmpty(t, l.through)
				}
			}
			assert.Equal(t, tt.free, sp.transportFree, "free of weight transport")
			assert.Equal(t, tt.unlocked, sp.unlocked, "update-unlocked")
		})
	}
}

func TestOnlyDRTPIsBothFreeOfTransportAndUnlocked(t *testing.T) {
	specs, err := nn.ParseTopology("FC_500_FC_10")
	require.NoError(t, err)
	for _, m := range nn.Modes() {
		sp := signalPathOf(m, specs, false)
		assert.Equal(t, m == nn.DRTP, sp.transportFree == "yes" && sp.unlocked == "yes", m.String())
	}
}

func TestTheSignalPathReadsAsText(t *testing.T) {
	conv, err := nn.ParseTopology("CONV_32_5_1_2_FC_1000_FC_10")
	require.NoError(t, err)
	assert.Equal(t, "DRTP: FC 10 (output), δ₃ = e = y − t*; "+
		"FC 1000, δ₂ = (B₂ᵀ t*) ⊙ f′(a₂) (the target alone, straight through B₂ᵀ); "+
		"CONV 32 5×5, pool, δ₁ = (B₁ᵀ t*) ⊙ f′(a₁) (the target alone, straight through B₁ᵀ); "+
		"free of weight transport: yes; update-unlocked: yes.", signalPathOf(nn.DRTP, conv, false).describe())
	assert.Equal(t, "₁₂", sub(12))
}

func TestTheDiagramsMatricesAndWhereEachLayerIs(t *testing.T) {
	specs, err := nn.ParseTopology("FC_500_FC_500_FC_10")
	require.NoError(t, err)
	for _, tt := range []struct {
		mode nn.Mode
		want []string
	}{
		{nn.BP, nil}, // Wᵀ: no fixed matrix
		{nn.FA, []string{"B2", "B3"}},
		{nn.DFA, []string{"B1", "B2"}},
		{nn.DRTP, []string{"B1", "B2"}},
		{nn.Shallow, nil},
	} {
		assert.Equal(t, tt.want, signalPathOf(tt.mode, specs, false).matrices(), "%s", tt.mode)
	}
	assert.Equal(t, "B12", matrixName("B₁₂ᵀ"))
	assert.Equal(t, "", matrixName("W₂ᵀ"))

	// 5 boxes on 500 px: 88.8 wide, 14 apart. The input is box 0, layer 1 box 1.
	box, gap := signalColumns(500, 3)
	assert.InDelta(t, 88.8, box, 1e-9)
	for _, tt := range []struct {
		x    float64
		want int
	}{{10, -1}, {box + 5, -1}, {box + gap + 1, 0}, {2*(box+gap) + box/2, 1}, {3*(box+gap) + box - 1, 2}, {4*(box+gap) + 1, -1}, {-3, -1}} {
		assert.Equal(t, tt.want, layerAt(tt.x, 500, 3), "x=%v", tt.x)
	}
}
