package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func parseText(t *testing.T, text string) (*sweep, error) {
	t.Helper()
	return parseSweep(strings.NewReader(text), "test.sweep")
}

func names(s *sweep) []string {
	var out []string
	for _, r := range s.runs {
		out = append(out, r.name)
	}
	return out
}

// Variant lines are each a variant of the rules and topologies they match, crossed
// with the vary lines; the runs come a topology at a time.
func TestVariantLinesCrossedWithVaryLines(t *testing.T) {
	s, err := parseText(t, `flags --dataset classification_synth --epochs 1
rules BP DRTP
topologies FC_10 FC_64_FC_10
variant * * --optimizer NAG --lr 1.5
variant DRTP * --optimizer Adam --lr 5e-4
vary --dropout 0 0.1
`)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"BP_FC_10_optimizerNAG_lr1.5_dropout0_trial1", "BP_FC_10_optimizerNAG_lr1.5_dropout0.1_trial1",
		"DRTP_FC_10_optimizerNAG_lr1.5_dropout0_trial1", "DRTP_FC_10_optimizerNAG_lr1.5_dropout0.1_trial1",
		"DRTP_FC_10_optimizerAdam_lr5e-4_dropout0_trial1", "DRTP_FC_10_optimizerAdam_lr5e-4_dropout0.1_trial1",
		"BP_FC_64_FC_10_optimizerNAG_lr1.5_dropout0_trial1", "BP_FC_64_FC_10_optimizerNAG_lr1.5_dropout0.1_trial1",
		"DRTP_FC_64_FC_10_optimizerNAG_lr1.5_dropout0_trial1", "DRTP_FC_64_FC_10_optimizerNAG_lr1.5_dropout0.1_trial1",
		"DRTP_FC_64_FC_10_optimizerAdam_lr5e-4_dropout0_trial1", "DRTP_FC_64_FC_10_optimizerAdam_lr5e-4_dropout0.1_trial1",
	}, names(s))
	last := s.runs[len(s.runs)-1]
	assert.Equal(t, "optimizer=Adam lr=5e-4 dropout=0.1", last.variant)
	assert.Subset(t, last.args, []string{"--optimizer=Adam", "--lr=5e-4", "--dropout=0.1"})
	assert.Equal(t, names(s)[:6], names(&sweep{runs: onTopology(s.runs, "FC_10")}), "the runs of one row")
	assert.Equal(t, "FC_64_FC_10", onTopology(s.runs, "FC_64_FC_10")[0].topology)
}

func TestBadVariantLines(t *testing.T) {
	head := "flags --dataset classification_synth --epochs 1\nrules BP DRTP\ntopologies FC_10\n"
	for _, tt := range []struct{ text, want string }{
		{"variant BP FC_10\n", "test.sweep:4: variant: want a rule (or *), a topology (or *) and flags"},
		{"variant XX * --lr 1\n", "test.sweep:4: variant: unknown train mode"},
		{"variant * * --subset 100\n", "test.sweep:4: variant: --subset: a variant sets settings of tools/train"},
		{"variant * * --lr 1 --lr 2\n", "test.sweep:4: variant: --lr is given twice"},
		{"variant * * --lr 0\n", "test.sweep:4: variant: lr: learning rate 0"},
		{"flags --lr 1e-3\nvariant * * --lr 1\n", "test.sweep:5: variant: --lr is set by a flags or when line too"},
		{"vary --lr 1 2\nvariant * * --lr 1\n", "test.sweep:5: variant: --lr is varied on line 4"},
		{"variant BP * --lr 1\n", "test.sweep:2: DRTP on FC_10 has no variant line"},
		{"variant * * --lr 1\nvariant * * --lr 1\n", "BP_FC_10_lr1_trial1 runs twice"},
	} {
		_, err := parseText(t, head+tt.text)
		require.Error(t, err, tt.text)
		assert.Contains(t, err.Error(), tt.want, tt.text)
	}
}

// writeRun writes a run's folder as sweep run leaves it: its log (the validation
// and test errors of each epoch, in %) and its marker.
func writeRun(t *testing.T, dir string, r run, marker string, held, test []float64) {
	t.Helper()
	folder := filepath.Join(dir, "runs", r.name)
	require.NoError(t, os.MkdirAll(folder, 0o755))
	var log strings.Builder
	for e := range test {
		fmt.Fprintf(&log, `{"trial":1,"epoch":%d,"test_accuracy":%g`, e+1, 100-test[e])
		if held != nil {
			fmt.Fprintf(&log, `,"validation_accuracy":%g`, 100-held[e])
		}
		log.WriteString("}\n")
	}
	require.NoError(t, os.WriteFile(filepath.Join(folder, "log.jsonl"), []byte(log.String()), 0o644))
	text := "tools/train " + strings.Join(r.args, " ") + "\nvariant " + r.variant + "\n"
	if marker == "failed" {
		text += ": exit status 1\ntrain: epoch 1, batch 3: training diverged at step 3: the loss of batch 3 (epoch 1) is NaN\n"
	}
	require.NoError(t, os.WriteFile(filepath.Join(folder, marker), []byte(text), 0o644))
}

// selection writes a finished selection of two rules on one topology, four variants
// each, and returns its file and folder. Scores (validation error, the mean of the
// last quarter of 8 epochs, i.e. the last 2): BP's best is lr=1 dropout=0.1, DRTP's
// lr=0.1 dropout=0; DRTP's lr=10 diverged.
func selection(t *testing.T) (file, dir string) {
	dir = t.TempDir()
	file = filepath.Join(dir, "select.sweep")
	require.NoError(t, os.WriteFile(file, []byte(`flags --dataset classification_synth --epochs 8 --validation 1000
rules BP DRTP
topologies FC_64_FC_10
variant * * --lr 0.1
variant * * --lr 1
variant * * --lr 10
vary --dropout 0 0.1
`), 0o644))
	f, err := os.Open(file)
	require.NoError(t, err)
	s, err := parseSweep(f, file)
	f.Close()
	require.NoError(t, err)
	score := map[string]float64{
		"BP lr=0.1 dropout=0": 9, "BP lr=0.1 dropout=0.1": 8, "BP lr=1 dropout=0": 5, "BP lr=1 dropout=0.1": 4,
		"BP lr=10 dropout=0": 6, "BP lr=10 dropout=0.1": 7,
		"DRTP lr=0.1 dropout=0": 3, "DRTP lr=0.1 dropout=0.1": 3.5, "DRTP lr=1 dropout=0": 6, "DRTP lr=1 dropout=0.1": 7,
	}
	for _, r := range s.runs {
		rule := flagOf(r.args, "train-mode")
		if rule == "DRTP" && flagOf(r.args, "lr") == "10" {
			writeRun(t, dir, r, "failed", nil, nil)
			continue
		}
		v := score[rule+" "+r.variant]
		// The first 6 epochs are worse by 50 points: only the last quarter counts.
		held := []float64{v + 50, v + 50, v + 50, v + 50, v + 50, v + 50, v - 1, v + 1}
		writeRun(t, dir, r, "done", held, []float64{1, 1, 1, 1, 1, 1, 1, 1})
	}
	return file, dir
}

func writeBase(t *testing.T, text string) string {
	name := filepath.Join(t.TempDir(), "next.base")
	require.NoError(t, os.WriteFile(name, []byte(text), 0o644))
	return name
}

// sweep select ranks each rule and topology's variants by validation error and
// writes the next stage: variant lines for --keep K > 1, when lines for --keep 1,
// after the base's lines, in a file that parses.
func TestSelectKeepsTheBestVariantsOfEachCell(t *testing.T) {
	file, dir := selection(t)
	base := writeBase(t, "# the next stage\nflags --dataset classification_synth --epochs 20 --validation 1000\n")
	var out, stderr bytes.Buffer
	require.Equal(t, exitOK, command(t.Context(), []string{"select", file, "--out", dir, "--keep", "3", "--next", base}, &out, &stderr), stderr.String())
	text := out.String()
	assert.True(t, strings.HasPrefix(text, "# the next stage\nflags --dataset classification_synth --epochs 20 --validation 1000\n"), "the base first:\n%s", text)
	assert.Contains(t, text, "rules BP DRTP\ntopologies FC_64_FC_10\n")
	assert.Contains(t, text, "variant BP FC_64_FC_10 --lr=1 --dropout=0.1 # validation 4.00 %, 1 of 6, 8 epochs\n"+
		"variant BP FC_64_FC_10 --lr=1 --dropout=0 # validation 5.00 %, 2 of 6, 8 epochs\n"+
		"variant BP FC_64_FC_10 --lr=10 --dropout=0 # validation 6.00 %, 3 of 6, 8 epochs\n")
	assert.Contains(t, text, "variant DRTP FC_64_FC_10 --lr=0.1 --dropout=0 # validation 3.00 %, 1 of 6")
	assert.Contains(t, text, "variant DRTP FC_64_FC_10 --lr=1 --dropout=0 # validation 6.00 %, 3 of 6")
	assert.NotContains(t, text, "--lr=10 --dropout=0.1", "a diverged variant ranks last")
	assert.Contains(t, stderr.String(), "DRTP on FC_64_FC_10: 2 runs diverged (ranked last)")
	next, err := parseText(t, text)
	require.NoError(t, err)
	assert.Len(t, next.runs, 6)
	assert.Subset(t, next.runs[0].args, []string{"--epochs=20", "--lr=1", "--dropout=0.1"})

	out.Reset()
	stderr.Reset()
	require.Equal(t, exitOK, command(t.Context(), []string{"select", file, "--out", dir, "--next", base}, &out, &stderr), stderr.String())
	text = out.String()
	assert.Contains(t, text, "when BP FC_64_FC_10 --lr=1 --dropout=0.1 # validation 4.00 %, 1 of 6, 8 epochs\n")
	assert.Contains(t, text, "when DRTP FC_64_FC_10 --lr=0.1 --dropout=0 # validation 3.00 %, 1 of 6, 8 epochs\n"+
		"# DRTP on FC_64_FC_10: --lr 0.1 is the smallest tried: the grid may need smaller values\n")
	assert.NotContains(t, text, "# BP on FC_64_FC_10: --lr", "BP's choice is inside its grid")
	assert.Contains(t, stderr.String(), "DRTP on FC_64_FC_10: --lr 0.1 is the smallest tried")
	final, err := parseText(t, text)
	require.NoError(t, err)
	require.Len(t, final.runs, 2)
	assert.Equal(t, "", final.runs[0].variant, "when lines: the final runs are no variants")
	assert.Subset(t, final.runs[1].args, []string{"--train-mode", "DRTP", "--lr=0.1", "--dropout=0"})

	var again bytes.Buffer
	require.Equal(t, exitOK, command(t.Context(), []string{"select", file, "--out", dir, "--next", base}, &again, io.Discard))
	assert.Equal(t, text, again.String(), "the same results, the same next stage")
}

// --per keeps the best of each value of a setting (the best NAG and the best Adam,
// say), as variant lines; --rules keeps some rules only.
func TestSelectPerSettingAndRules(t *testing.T) {
	file, dir := selection(t)
	base := writeBase(t, "flags --dataset classification_synth --epochs 20\n")
	var out, stderr bytes.Buffer
	require.Equal(t, exitOK, command(t.Context(), []string{"select", file, "--out", dir, "--per", "dropout", "--rules", "drtp", "--next", base}, &out, &stderr), stderr.String())
	text := out.String()
	assert.Contains(t, text, "rules DRTP\n")
	assert.Contains(t, text, "variant DRTP FC_64_FC_10 --lr=0.1 --dropout=0 # validation 3.00 %, 1 of 3, 8 epochs\n")
	assert.Contains(t, text, "variant DRTP FC_64_FC_10 --lr=0.1 --dropout=0.1 # validation 3.50 %, 1 of 3, 8 epochs\n",
		"the best of dropout 0.1 (its lr=10 diverged)")
	assert.NotContains(t, text, "variant BP")
	next, err := parseText(t, text)
	require.NoError(t, err)
	assert.Len(t, next.runs, 2)

	assert.Equal(t, exitUsage, command(t.Context(), []string{"select", file, "--out", dir, "--rules", "XYZ", "--next", base}, io.Discard, &stderr))
	assert.Contains(t, stderr.String(), `--rules: unknown train mode "XYZ"`)
}

func TestSelectRefusesWhatItCannotRank(t *testing.T) {
	file, dir := selection(t)
	base := writeBase(t, "flags --dataset classification_synth --epochs 20\n")
	for _, tt := range []struct {
		name  string
		args  []string
		setup func()
		want  string
	}{
		{"no files", []string{"select", "--out", dir, "--next", base}, nil, "name the selection's sweep files"},
		{"no out", []string{"select", file, "--next", base}, nil, "--out DIR"},
		{"no next", []string{"select", file, "--out", dir}, nil, "--next FILE"},
		{"keep 0", []string{"select", file, "--out", dir, "--next", base, "--keep", "0"}, nil, "--keep 0: must be at least 1"},
		{"keep past the runs that trained", []string{"select", file, "--out", dir, "--next", base, "--keep", "5"}, nil,
			"DRTP on FC_64_FC_10: only 4 of its variants trained without diverging; keep fewer"},
		{"a base with rules", []string{"select", file, "--out", dir, "--next", writeBase(t, "flags --epochs 3\nrules BP\n")}, nil,
			"next.base:2: rules: the base of the next stage holds flags, trials and when lines"},
		{"a base on another data set", []string{"select", file, "--out", dir, "--next", writeBase(t, "flags --dataset regression_synth --loss MSE --output-act none\n")}, nil,
			"the next stage would run regression_synth FC_64_FC_10 BP, which the selection"},
		{"a base that sets a variant's setting", []string{"select", file, "--out", dir, "--keep", "2", "--next", writeBase(t, "flags --lr 1\n")}, nil,
			"--lr is set by a flags or when line too"},
		{"a run without validation", []string{"select", file, "--out", dir, "--next", base}, func() {
			r := run{name: "BP_FC_64_FC_10_lr1_dropout0_trial1", args: []string{"--train-mode", "BP", "--topology", "FC_64_FC_10"}, variant: "lr=1 dropout=0"}
			writeRun(t, dir, r, "done", nil, []float64{1})
		}, "BP_FC_64_FC_10_lr1_dropout0_trial1 has no validation figures: the selection's runs need --validation N"},
		{"a run that failed otherwise", []string{"select", file, "--out", dir, "--next", base}, func() {
			folder := filepath.Join(dir, "runs", "BP_FC_64_FC_10_lr1_dropout0_trial1")
			require.NoError(t, os.Remove(filepath.Join(folder, "done")))
			require.NoError(t, os.WriteFile(filepath.Join(folder, "failed"), []byte("tools/train --train-mode BP --topology FC_64_FC_10\n: signal: killed\n"), 0o644))
		}, "BP_FC_64_FC_10_lr1_dropout0_trial1 failed, not by diverging"},
		{"a run that has not ended", []string{"select", file, "--out", dir, "--next", base}, func() {
			require.NoError(t, os.RemoveAll(filepath.Join(dir, "runs", "BP_FC_64_FC_10_lr1_dropout0_trial1")))
		}, "1 of the 12 runs of " + file + " have not ended"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup()
			}
			var out, stderr bytes.Buffer
			assert.Equal(t, exitUsage, command(t.Context(), tt.args, &out, &stderr))
			assert.Contains(t, stderr.String(), tt.want)
			assert.Empty(t, out.String(), "nothing written")
		})
	}
}

// The report of a selection has the validation error beside the test error, scored
// on the last quarter of each run's epochs.
func TestReportHasTheValidationError(t *testing.T) {
	file, dir := selection(t)
	_ = file
	var out bytes.Buffer
	require.NoError(t, report([]string{dir}, &out))
	table := out.String()
	assert.Contains(t, table, "| rule | topology | settings | trials | validation error % | test error % (mean ± std) | paper |")
	assert.Contains(t, table, "| BP | FC_64_FC_10 lr=1 dropout=0.1 | NAG 1, dropout 0.1 | 1 | 4.00 ± 0.00 | 1.00 ± 0.00 | – |")
	assert.Contains(t, table, "Validation error: the mean of the last quarter of each run's epochs")
}
