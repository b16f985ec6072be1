package settings

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/optim"
)

func TestFromValues(t *testing.T) {
	tests := []struct {
		query   string
		check   func(*testing.T, Settings)
		wantErr []string
		unknown []string
	}{
		{query: "", check: func(t *testing.T, s Settings) { assert.Equal(t, Default(), s) }},
		{query: "train-mode=BP&topology=fc_500_fc_10&lr=0.001&seed=42&freeze-conv-layers&fc-zero-init=0",
			check: func(t *testing.T, s Settings) {
				assert.Equal(t, nn.BP, s.Mode)
				assert.Equal(t, "FC_500_FC_10", s.Topology)
				assert.Equal(t, 0.001, s.LR)
				assert.Equal(t, uint64(42), s.Seed)
				assert.True(t, s.FreezeConv)
				assert.False(t, s.FCZeroInit)
			}},
		{query: "dataset=classification_synth&optimizer=adam&loss=ce&output-act=none&dropout=0.25&epochs=3",
			check: func(t *testing.T, s Settings) {
				assert.Equal(t, Classification, s.Dataset)
				assert.Equal(t, optim.Adam, s.Optimizer)
				assert.Equal(t, nn.CE, s.Loss)
				assert.Equal(t, nn.None, s.OutputAct)
				assert.Equal(t, 0.25, s.Dropout)
				assert.Equal(t, 3, s.Epochs)
			}},
		{query: "train-mode=XYZ", wantErr: []string{`train-mode: unknown train mode "XYZ"`}},
		{query: "lr=-1", wantErr: []string{"lr: learning rate -1: must be a positive finite number"}},
		{query: "lr=abc", wantErr: []string{`lr: "abc" is not a number`}},
		{query: "lr=NaN", wantErr: []string{`lr: "NaN" is not a finite number`}},
		{query: "dropout=1", wantErr: []string{"dropout: 1 is not in [0, 1)"}},
		{query: "batch-size=0&epochs=2.5", wantErr: []string{`batch-size: "0" is not a whole number from 1`, `epochs: "2.5" is not a whole number`}},
		{query: "topology=FC_500_CONV_1_1_1_1", wantErr: []string{"topology: topology \"FC_500_CONV_1_1_1_1\": CONV at position 2 follows an FC block"}},
		{query: "hidden-act=none", wantErr: []string{`hidden-act: unknown activation "none"`}},
		{query: "seed=-4", wantErr: []string{`seed: "-4" is not a whole number`}},
		{query: "fc-zero-init=maybe", wantErr: []string{`fc-zero-init: "maybe" is not true or false`}},
		{query: "dataset=ImageNet", wantErr: []string{`dataset: "ImageNet" is not one of MNIST, CIFAR10`}},
		{query: "lr=0.01&color=blue&autoplay=1", unknown: []string{"autoplay", "color"},
			check: func(t *testing.T, s Settings) { assert.Equal(t, 0.01, s.LR) }},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			v, err := url.ParseQuery(tt.query)
			require.NoError(t, err)
			s, unknown, err := FromValues(v, Default())
			assert.Equal(t, tt.unknown, unknown)
			if len(tt.wantErr) > 0 {
				require.Error(t, err)
				for _, w := range tt.wantErr {
					assert.Contains(t, err.Error(), w)
				}
				return
			}
			require.NoError(t, err)
			tt.check(t, s)
		})
	}
}

func TestValuesRoundTrip(t *testing.T) {
	s := Default()
	require.NoError(t, s.Set("train-mode", "sDFA"))
	require.NoError(t, s.Set("lr", "0.0005"))
	require.NoError(t, s.Set("fc-zero-init", "true"))
	require.NoError(t, s.Set("output-act", "none"))
	v := s.Values(Default())
	assert.Equal(t, url.Values{"train-mode": {"sDFA"}, "lr": {"0.0005"}, "fc-zero-init": {"true"}, "output-act": {"none"}}, v)
	back, unknown, err := FromValues(v, Default())
	require.NoError(t, err)
	assert.Empty(t, unknown)
	assert.Equal(t, s, back)
}

func TestSetKeepsTheOldValueOnError(t *testing.T) {
	s := Default()
	err := s.Set("lr", "0")
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "lr", e.Name)
	assert.Equal(t, 1e-4, s.LR)
	assert.ErrorContains(t, s.Set("colour", "red"), `unknown option "colour"`)
}

func TestOptionsCheckTheWhole(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Settings)
		want string
	}{
		{"BCE with tanh", func(s *Settings) { s.OutputAct = nn.Tanh }, "loss BCE needs outputs in [0, 1]"},
		{"labels", func(s *Settings) { s.Topology = "FC_100_FC_7" }, "ends with FC_7 but the data has 10 labels"},
		{"conv on tiny input", func(s *Settings) { s.Dataset, s.Topology, s.Loss = Regression, "CONV_4_17_1_0_FC_10", nn.MSE }, "too small to pool"},
		{"regression with CE", func(s *Settings) { s.Dataset, s.Loss, s.OutputAct = Regression, nn.CE, nn.None }, "loss CE needs classes, but regression_synth has real-valued targets"},
		{"regression with BCE", func(s *Settings) { s.Dataset = Regression }, "loss BCE needs classes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Default()
			tt.edit(&s)
			shape, err := ShapeOf(s.Dataset)
			require.NoError(t, err)
			assert.ErrorContains(t, s.Check(shape), tt.want)
		})
	}
	s := Default()
	s.Seed = 10
	require.NoError(t, s.Check(Shape{1, 28, 10}))
	assert.Equal(t, uint64(12), s.Config(Shape{1, 28, 10}, 2).Seed, "trial t runs with seed + t")
}

func TestWithNetwork(t *testing.T) {
	s := Default()
	s.Topology, s.Mode, s.LR, s.Seed = "FC_100_FC_10", nn.BP, 0.5, 3
	s.HiddenAct, s.Dropout, s.FCZeroInit = nn.ReLU, 0.2, true
	cfg := s.Config(Shape{1, 28, 10}, 0)
	got := Default().WithNetwork(cfg)
	for _, name := range NetworkFields {
		assert.Equal(t, s.Get(name), got.Get(name), name)
	}
	assert.Equal(t, Default().LR, got.LR, "training options are not the network's")
	assert.Equal(t, cfg, got.Config(Shape{1, 28, 10}, 0))
}
