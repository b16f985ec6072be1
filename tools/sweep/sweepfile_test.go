package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMatches(t *testing.T) {
	for _, tt := range []struct {
		rulePattern, topologyPattern, rule, top string
		want                                    bool
	}{
		{"*", "*", "BP", "FC_10", true},
		{"BP", "*", "BP", "FC_10", true},
		{"DRTP", "*", "BP", "FC_10", false},
		{"*", "FC_10", "BP", "FC_10", true},
		{"*", "FC_20_FC_10", "BP", "FC_10", false},
		{"BP", "FC_10", "BP", "FC_10", true},
		{"BP", "FC_20_FC_10", "BP", "FC_10", false},
	} {
		assert.Equal(t, tt.want, matches(tt.rulePattern, tt.topologyPattern, tt.rule, tt.top), "%+v", tt)
	}
}

func TestCrossVaries(t *testing.T) {
	for _, tt := range []struct {
		name   string
		varies []varyLine
		want   [][]flagValue
	}{
		{"no vary lines: one variant without flags", nil, [][]flagValue{nil}},
		{"one line: a variant per value", []varyLine{{"lr", []string{"1", "2"}, 3}},
			[][]flagValue{{{"lr", "1"}}, {{"lr", "2"}}}},
		{"two lines: their product, the first line's values outermost", []varyLine{{"lr", []string{"1", "2"}, 3}, {"dropout", []string{"0", "0.1"}, 4}},
			[][]flagValue{{{"lr", "1"}, {"dropout", "0"}}, {{"lr", "1"}, {"dropout", "0.1"}}, {{"lr", "2"}, {"dropout", "0"}}, {{"lr", "2"}, {"dropout", "0.1"}}}},
	} {
		assert.Equal(t, tt.want, crossVaries(tt.varies), tt.name)
	}
}

func TestTrialArgs(t *testing.T) {
	for _, tt := range []struct {
		name string
		seed uint64
		fv   []flagValue
		want []string
	}{
		{"no flags", 0, nil, []string{"--train-mode", "BP", "--topology", "FC_10", "--seed", "0"}},
		{"flags in their order", 3, []flagValue{{"epochs", "2"}, {"lr", "1e-3"}},
			[]string{"--train-mode", "BP", "--topology", "FC_10", "--seed", "3", "--epochs=2", "--lr=1e-3"}},
		{"a later value wins, --seed is the trial's", 7, []flagValue{{"lr", "1"}, {"seed", "5"}, {"epochs", "2"}, {"lr", "2"}},
			[]string{"--train-mode", "BP", "--topology", "FC_10", "--seed", "7", "--epochs=2", "--lr=2"}},
	} {
		assert.Equal(t, tt.want, trialArgs("BP", "FC_10", tt.seed, tt.fv), tt.name)
	}
}

func TestRowCurve(t *testing.T) {
	r := row{rule: "BP", mean: 2.5, std: 0.5, runs: []result{{errors: []float64{10, 4, 2}}, {errors: []float64{20, 6}}}}
	c, highest := rowCurve(r)
	assert.Equal(t, "BP", c.rule)
	assert.Equal(t, "2.50 ± 0.50", c.final)
	assert.Equal(t, []float64{15, 5}, c.mean, "over the epochs every run has")
	assert.InDeltaSlice(t, []float64{7.0710678118654755, 1.4142135623730951}, c.std, 1e-12)
	assert.InDelta(t, 15+7.0710678118654755, highest, 1e-12, "the highest mean + std")
}
