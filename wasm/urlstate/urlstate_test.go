package urlstate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/settings"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		query    string
		check    func(*testing.T, State)
		warnings []string
		err      string
	}{
		{query: "", check: func(t *testing.T, st State) {
			assert.Equal(t, PageDefaults(), st.Settings)
			assert.False(t, st.Autoplay)
		}},
		{query: "?train-mode=BP&topology=FC_500_FC_10&lr=0.001&autoplay=1&embed", check: func(t *testing.T, st State) {
			assert.Equal(t, nn.BP, st.Settings.Mode)
			assert.Equal(t, 0.001, st.Settings.LR)
			assert.True(t, st.Autoplay)
			assert.True(t, st.Embed)
		}},
		{query: "present=1", check: func(t *testing.T, st State) {
			assert.True(t, st.Present)
			assert.False(t, st.Embed)
			assert.Equal(t, "present=1", st.Query(), "the projector's view stays in the link")
		}},
		{query: "present=big", err: `present: "big" is not 1 or 0`},
		{query: "present=1&signals=1", check: func(t *testing.T, st State) {
			assert.True(t, st.Present)
			assert.True(t, st.Signals)
			assert.Equal(t, "present=1&signals=1", st.Query(), "the signals beside the curves stay in the link")
		}},
		{query: "signals=2", err: `signals: "2" is not 1 or 0`},
		{query: "lr=0.01&utm_source=slides", warnings: []string{`unknown parameter "utm_source" in the link (ignored)`},
			check: func(t *testing.T, st State) { assert.Equal(t, 0.01, st.Settings.LR) }},
		{query: "lr=-3", err: "lr: learning rate -3: must be a positive finite number"},
		{query: "topology=FC_0", err: "topology: topology \"FC_0\": units of FC at position 1 is 0"},
		{query: "autoplay=maybe", err: `autoplay: "maybe" is not 1 or 0`},
		{query: "lr=%zz", err: "cannot be read"},
		{query: "train-mode=BP,DRTP&autoplay=1", check: func(t *testing.T, st State) {
			assert.Equal(t, []nn.Mode{nn.BP, nn.DRTP}, st.Race)
			assert.Equal(t, []nn.Mode{nn.BP, nn.DRTP}, st.Modes())
			assert.Equal(t, nn.BP, st.Settings.Mode)
			assert.Equal(t, "autoplay=1&train-mode=BP%2CDRTP", st.Query())
			assert.Contains(t, st.WorkerQuery(nn.BP), "train-mode=BP")
			assert.NotContains(t, st.WorkerQuery(nn.DRTP), "train-mode", "DRTP is the reference's default")
		}},
		{query: "train-mode=DRTP", check: func(t *testing.T, st State) { assert.Equal(t, []nn.Mode{nn.DRTP}, st.Modes()) }},
		{query: "train-mode=BP,BP", err: "BP twice in the race"},
		{query: "train-mode=BP,FA,DFA,sDFA,DRTP,shallow,BP", err: "BP twice"},
		{query: "train-mode=BP,XX", err: `unknown train mode "XX"`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			st, warnings, err := ParseQuery(tt.query)
			assert.Equal(t, tt.warnings, warnings)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			tt.check(t, st)
		})
	}
}

func TestQueryRoundTrip(t *testing.T) {
	st, _, err := ParseQuery("train-mode=DFA&lr=0.003&seed=9&autoplay=1")
	require.NoError(t, err)
	assert.Equal(t, "autoplay=1&lr=0.003&seed=9&train-mode=DFA", st.Query(), "only what differs from the page's defaults")
	back, _, err := ParseQuery(st.Query())
	require.NoError(t, err)
	assert.Equal(t, st, back)
	assert.Contains(t, st.WorkerQuery(nn.DFA), "topology=FC_500_FC_10", "the worker hears every setting that differs from the reference's defaults")
}

func TestPresets(t *testing.T) {
	for _, p := range Presets {
		for _, v := range []Variant{Demo, Reference} {
			t.Run(p.Name+"/"+v.String(), func(t *testing.T) {
				st, warnings, err := ParseQuery("preset=" + p.Name + "&preset-settings=" + v.String() + "&train-mode=FA")
				require.NoError(t, err)
				assert.Empty(t, warnings)
				assert.True(t, p.Matches(st.Settings, v))
				assert.False(t, p.Matches(st.Settings, 1-v), "the variants differ")
				assert.Equal(t, nn.FA, st.Settings.Mode, "the link's rule")
				name, variant := PresetOf(st.Settings)
				assert.Equal(t, p.Name, name)
				assert.Equal(t, v, variant)
				shape, err := settings.ShapeOf(st.Settings.Dataset)
				require.NoError(t, err)
				assert.NoError(t, st.Settings.Check(shape), "a preset is a valid run")
				if v == Reference {
					assert.Equal(t, 1e-4, st.Settings.LR, "the published code's default learning rate")
				}
			})
		}
	}
	st, _, err := ParseQuery("preset=mnist-conv")
	require.NoError(t, err)
	assert.Equal(t, 0.002, st.Settings.LR, "the demo's settings unless the link asks for the reference's")
	assert.Equal(t, 50, st.Settings.BatchSize)
	assert.Equal(t, nn.CE, st.Settings.Loss)
	st, _, err = ParseQuery("preset=mnist-conv&preset-settings=reference")
	require.NoError(t, err)
	assert.Equal(t, nn.BCE, st.Settings.Loss)
	st, _, err = ParseQuery("preset=mnist-1000-1000&lr=0.05")
	require.NoError(t, err)
	assert.Equal(t, "FC_1000_FC_1000_FC_10", st.Settings.Topology)
	assert.Equal(t, 0.05, st.Settings.LR, "the link's own settings override the preset's")
	_, _, err = ParseQuery("preset=imagenet")
	assert.ErrorContains(t, err, `preset: unknown "imagenet" (want one of mnist-500,`)
	_, _, err = ParseQuery("preset=mnist-500&preset-settings=paperish")
	assert.ErrorContains(t, err, `preset-settings: unknown "paperish" (want demo or reference)`)
	name, _ := PresetOf(PageDefaults())
	assert.Equal(t, "mnist-500", name, "the page's defaults are the first experiment's demo settings")
}
