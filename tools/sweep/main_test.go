package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Bad sweep files are refused before any run starts, with the line that is wrong.
func TestBadSweepFilesNameTheirLine(t *testing.T) {
	tests := []struct{ file, want string }{
		{"rules BP\ntopologies FC_10\nfoo 3\n", "s.sweep:3: unknown statement \"foo\""},
		{"rules BP XP\ntopologies FC_10\n", "s.sweep:1: rules:"},
		{"rules BP\ntopologies FC_-5_FC_10\n", "s.sweep:2: topologies: \"FC_-5_FC_10\""},
		{"# a comment\nflags --epochs 1 --colour red\nrules BP\ntopologies FC_10\n", "s.sweep:2: --colour: no such flag of tools/train"},
		{"flags --epochs many\nrules BP\ntopologies FC_10\n", "s.sweep:1: "},
		{"flags --log x.csv\nrules BP\ntopologies FC_10\n", "s.sweep:1: --log: not in a sweep"},
		{"flags --train-mode DFA\nrules BP\ntopologies FC_10\n", "s.sweep:1: --train-mode: not in a sweep"},
		{"rules BP\ntopologies FC_10\ntrials 0\n", "s.sweep:3: trials: want a whole number of at least 1"},
		{"rules BP\ntopologies FC_10\nwhen DRTP\n", "s.sweep:3: when: want a rule"},
		{"flags --threads 0\nrules BP\ntopologies FC_10\n", "s.sweep:1: --threads \"0\": want a whole number of at least 1"},
		{"rules BP\n", "s.sweep: a sweep needs a rules line and a topologies line"},
		{"rules BP\ntopologies FC_10\nvary --colour red blue\n", "s.sweep:3: vary: \"--colour\": want a setting of tools/train"},
		{"rules BP\ntopologies FC_10\nvary --lr\n", "s.sweep:3: vary: want a setting and its values"},
		{"rules BP\ntopologies FC_10\nvary --lr 1e-3 fast\n", "s.sweep:3: vary: --lr fast: "},
		{"rules BP\ntopologies FC_10\nvary --lr 1e-3\nvary --lr 1e-4\n", "s.sweep:4: vary: --lr is varied on line 3 already"},
		{"flags --lr 1e-3\nrules BP\ntopologies FC_10\nvary --lr 1e-4 1e-5\n", "s.sweep:4: vary: --lr is set by a flags or when line too"},
		{"rules BP\ntopologies FC_10\nvary --topology FC_20\n", "s.sweep:3: vary: \"--topology\""},
		{"flags --dataset regression_synth --output-act none\nrules BP\ntopologies FC_10\nvary --loss MSE BCE\n", "s.sweep:2: BP on FC_10 loss=BCE cannot run"},
		// Impossible together: BCE needs a sigmoid output; a net too deep for the input.
		{"flags --output-act tanh\nrules DRTP\ntopologies FC_10\n", "s.sweep:2: DRTP on FC_10 cannot run"},
		{"flags --dataset regression_synth --loss BCE\nrules BP\ntopologies FC_10\n", "s.sweep:2: BP on FC_10 cannot run"},
	}
	for _, tt := range tests {
		_, err := parseSweep(strings.NewReader(tt.file), "s.sweep")
		require.Error(t, err, tt.file)
		assert.Contains(t, err.Error(), tt.want, tt.file)
	}
}

func TestSweepFileExpandsIntoRuns(t *testing.T) {
	s, err := parseSweep(strings.NewReader(`
flags --dataset MNIST --epochs 100 --seed 10
rules BP DRTP
topologies FC_500_FC_10 FC_1000_FC_10
trials 3
flags --lr 1e-3
when DRTP * --lr 5e-4
when * FC_1000_FC_10 --dropout 0.1
`), "paper.sweep")
	require.NoError(t, err)
	require.Len(t, s.runs, 2*2*3)
	byName := map[string][]string{}
	for _, r := range s.runs {
		byName[r.name] = r.args
	}
	assert.Equal(t, []string{"--train-mode", "BP", "--topology", "FC_500_FC_10", "--seed", "10", "--dataset=MNIST", "--epochs=100", "--lr=1e-3"},
		byName["BP_FC_500_FC_10_trial1"])
	assert.Equal(t, []string{"--train-mode", "DRTP", "--topology", "FC_1000_FC_10", "--seed", "12", "--dataset=MNIST", "--epochs=100", "--lr=5e-4", "--dropout=0.1"},
		byName["DRTP_FC_1000_FC_10_trial3"], "trial k has seed s+k−1, as tools/train --trials seeds it")
}

// A vary line multiplies the runs by its values; two multiply by both.
func TestVaryLinesMultiplyTheRuns(t *testing.T) {
	s, err := parseSweep(strings.NewReader("flags --epochs 20\nrules BP DRTP\ntopologies FC_10\nvary --lr 1e-3 5e-4\nvary --dropout 0 0.1\ntrials 2\nwhen DRTP * --fc-zero-init\n"), "grid.sweep")
	require.NoError(t, err)
	require.Len(t, s.runs, 2*2*2*2)
	byName := map[string]run{}
	for _, r := range s.runs {
		byName[r.name] = r
	}
	r, ok := byName["DRTP_FC_10_lr5e-4_dropout0.1_trial2"]
	require.True(t, ok, "names: %v", slices.Collect(maps.Keys(byName)))
	assert.Equal(t, []string{"--train-mode", "DRTP", "--topology", "FC_10", "--seed", "1", "--epochs=20", "--fc-zero-init=true", "--lr=5e-4", "--dropout=0.1"}, r.args)
	assert.Equal(t, "lr=5e-4 dropout=0.1", r.variant)
	assert.Equal(t, "", func() string {
		s, _ := parseSweep(strings.NewReader("rules BP\ntopologies FC_10\n"), "x")
		return s.runs[0].variant
	}())
}

// sweepBinary builds this command once for the tests that run it as a process.
func sweepBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "sweep")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

// runSweepCommand runs `sweep run` from the repository's root.
func runSweepCommand(bin string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, append([]string{"run"}, args...)...)
	cmd.Dir = "../.."
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// A sweep killed half-way (SIGKILL: no chance to tidy up) and started again runs
// only what is missing: every run ends done once, none twice.
func TestAKilledSweepResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 4 small runs")
	}
	bin, out := sweepBinary(t), t.TempDir()
	file := filepath.Join(out, "four.sweep")
	require.NoError(t, os.WriteFile(file, []byte("flags --dataset classification_synth --epochs 2 --subset 3000\nrules BP DRTP\ntopologies FC_64_FC_10\ntrials 2\n"), 0o644))
	cmd := runSweepCommand(bin, file, "--out", out, "--jobs", "1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	first := filepath.Join(out, "runs", "BP_FC_64_FC_10_trial1", "done")
	deadline := time.Now().Add(2 * time.Minute)
	for !exists(first) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	require.FileExists(t, first, "the first run never ended: %s", stderr.String())
	require.NoError(t, syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)) // the sweep and its tools/train
	_ = cmd.Wait()
	before, err := os.Stat(first)
	require.NoError(t, err)
	doneBefore, _ := filepath.Glob(filepath.Join(out, "runs", "*", "done"))
	require.Less(t, len(doneBefore), 4, "killed before the end")

	again := runSweepCommand(bin, file, "--out", out, "--jobs", "2")
	msg, err := again.CombinedOutput()
	require.NoError(t, err, "%s", msg)
	assert.Contains(t, string(msg), "all 4 runs done")
	assert.Regexp(t, `sweep: [1-4] done, [01] running, 0 failed, [0-2] to start, about \d+\S* left`, string(msg), "progress on the terminal")
	after, err := os.Stat(first)
	require.NoError(t, err)
	assert.Equal(t, before.ModTime(), after.ModTime(), "a done run is not run again")
	for _, name := range []string{"BP_FC_64_FC_10_trial1", "BP_FC_64_FC_10_trial2", "DRTP_FC_64_FC_10_trial1", "DRTP_FC_64_FC_10_trial2"} {
		log, err := os.ReadFile(filepath.Join(out, "runs", name, "log.jsonl"))
		require.NoError(t, err, name)
		assert.Len(t, strings.Split(strings.TrimSpace(string(log)), "\n"), 2, "%s: both epochs logged, once", name)
	}
}

// A run that fails is reported with its message and is not run again, unless asked.
func TestAFailedRunIsReportedNotRetried(t *testing.T) {
	bin, out := sweepBinary(t), t.TempDir()
	file := filepath.Join(out, "bad.sweep")
	// An IDX folder that does not exist: tools/train stops with its message.
	require.NoError(t, os.WriteFile(file, []byte("flags --dataset MNIST --data "+filepath.Join(out, "nothing")+" --epochs 1\nrules DRTP\ntopologies FC_10\n"), 0o644))
	for range 2 {
		msg, err := runSweepCommand(bin, file, "--out", out).CombinedOutput()
		require.Error(t, err)
		assert.Equal(t, exitFailed, err.(*exec.ExitError).ExitCode())
		assert.Contains(t, string(msg), "1 of 1 runs failed")
	}
	failed, err := os.ReadFile(filepath.Join(out, "runs", "DRTP_FC_10_trial1", "failed"))
	require.NoError(t, err)
	assert.Contains(t, string(failed), "exit status 2", "tools/train's status")
	assert.Contains(t, string(failed), "nothing", "and its message, which names the folder")
	output, err := os.ReadFile(filepath.Join(out, "runs", "DRTP_FC_10_trial1", "output.txt"))
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(output), "nothing"), "the second sweep did not run it again")

	msg, _ := runSweepCommand(bin, file, "--out", out, "--retry-failed").CombinedOutput()
	assert.Contains(t, string(msg), "1 of 1 runs failed", "--retry-failed runs it again")
}

func TestUsageErrors(t *testing.T) {
	cifar := filepath.Join(t.TempDir(), "cifar.sweep")
	require.NoError(t, os.WriteFile(cifar, []byte("flags --dataset CIFAR10 --loss CE --output-act none\nrules DRTP\ntopologies FC_10\n"), 0o644))
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "usage: sweep run FILE"},
		{[]string{"submit", "../../sweeps/smoke.sweep"}, "--out DIR"},
		{[]string{"submit", "../../sweeps/smoke.sweep", "--out", "x", "--cpus", "0"}, "--cpus 0: must be at least 1"},
		{[]string{"task", "x"}, "usage: sweep task"},
		{[]string{"fly"}, "unknown command \"fly\""},
		{[]string{"run", cifar, "--out", "x"}, "cifar.sweep:2: CIFAR10 needs its files: give sweep run --data FOLDER"},
		{[]string{"submit", cifar, "--out", "x"}, "give sweep submit --data FOLDER"},
		{[]string{"run", cifar, "--out", "x", "--data", "no-such-folder"}, "--data: stat"},
		{[]string{"report", "no-such-dir"}, "no finished runs"},
		{[]string{"run", "../../sweeps/smoke.sweep"}, "--out DIR"},
		{[]string{"run", "../../sweeps/smoke.sweep", "--out", "x", "--jobs", "0"}, "--jobs 0: must be at least 1"},
		{[]string{"run", "no-such.sweep", "--out", "x"}, "no-such.sweep"},
	} {
		var stderr bytes.Buffer
		assert.Equal(t, exitUsage, command(context.Background(), tt.args, io.Discard, &stderr), tt.args)
		assert.Contains(t, stderr.String(), tt.want, tt.args)
	}
}

// The report averages each run's last 10 epochs, gives mean ± std over the trials
// beside the paper's figure, and draws a curve and band per rule.
func TestReportBesideThePaper(t *testing.T) {
	dir := t.TempDir()
	write := func(name, args string, accuracies ...float64) {
		run := filepath.Join(dir, "runs", name)
		require.NoError(t, os.MkdirAll(run, 0o755))
		args, variant, _ := strings.Cut(args, "\n")
		var log strings.Builder
		for e, a := range accuracies {
			fmt.Fprintf(&log, "{\"trial\":1,\"epoch\":%d,\"test_accuracy\":%g}\n", e+1, a)
		}
		require.NoError(t, os.WriteFile(filepath.Join(run, "log.jsonl"), []byte(log.String()), 0o644))
		marker := "tools/train " + args + "\n"
		if variant != "" {
			marker += "variant " + variant + "\n"
		}
		require.NoError(t, os.WriteFile(filepath.Join(run, "done"), []byte(marker), 0o644))
	}
	// 12 epochs: the first two (50%) fall outside the last ten.
	twelve := func(last float64) []float64 { return append([]float64{50, 50}, slices.Repeat([]float64{last}, 10)...) }
	write("BP_FC_500_FC_10_trial1", "--train-mode BP --topology FC_500_FC_10 --seed 0 --dataset=MNIST", twelve(98)...)
	write("BP_FC_500_FC_10_trial2", "--train-mode BP --topology FC_500_FC_10 --seed 1 --dataset=MNIST", twelve(97)...)
	write("DRTP_FC_500_FC_10_trial1", "--train-mode DRTP --topology FC_500_FC_10 --seed 0 --dataset=MNIST --optimizer=Adam --lr 1.5e-3 --dropout=0.1", twelve(95)...)
	write("FA_FC_500_FC_10_lr1e-3_trial1", "--train-mode FA --topology FC_500_FC_10 --seed 0 --lr=1e-3\nlr=1e-3", twelve(97)...)
	write("FA_FC_500_FC_10_lr5e-4_trial1", "--train-mode FA --topology FC_500_FC_10 --seed 0 --lr=5e-4\nlr=5e-4", twelve(96)...)
	write("BP_FC_1000_FC_10_trial1", "--train-mode BP --topology FC_1000_FC_10 --seed 0", twelve(99)...)
	write("shallow_FC_64_FC_10_trial1", "--train-mode shallow --topology FC_64_FC_10 --seed 0 --dataset=classification_synth", 60, 70)
	var out bytes.Buffer
	require.NoError(t, report([]string{dir}, &out))
	table := out.String()
	assert.Contains(t, table, "| rule | topology | settings | trials | test error % (mean ± std) | paper |")
	assert.Contains(t, table, "| BP | FC_500_FC_10 | NAG 1e-4, dropout 0 | 2 | 2.50 ± 0.71 | 1.72 ± 0.08 |")
	assert.Contains(t, table, "| DRTP | FC_500_FC_10 | Adam 1.5e-3, dropout 0.1 | 1 | 5.00 ± 0.00 | 4.58 ± 0.12 |", "the run's settings, as its command gave them")
	assert.Contains(t, table, "| shallow | FC_64_FC_10 | NAG 1e-4, dropout 0 | 1 | 35.00 ± 0.00 | – |")
	assert.Contains(t, table, "| FA | FC_500_FC_10 lr=1e-3 | NAG 1e-3, dropout 0 | 1 | 3.00 ± 0.00 | 1.92 ± 0.08 |", "a row per value of a vary line, beside the paper")
	assert.Contains(t, table, "| FA | FC_500_FC_10 lr=5e-4 | NAG 5e-4, dropout 0 | 1 | 4.00 ± 0.00 | 1.92 ± 0.08 |")
	assert.NotContains(t, table, "validation", "no validation column without runs that have one")
	assert.FileExists(t, filepath.Join(dir, "curves-MNIST-FC_500_FC_10-lr=5e-4.svg"))
	assert.Less(t, strings.Index(table, "| DRTP | FC_500_FC_10 |"), strings.Index(table, "| BP | FC_1000_FC_10 |"), "the paper's rows in its order, whatever the folders' names")
	assert.Less(t, strings.Index(table, "**MNIST**"), strings.Index(table, "| BP | FC_500_FC_10"), "two data sets: a table under each one's name")
	assert.Less(t, strings.Index(table, "**classification_synth**"), strings.Index(table, "| shallow | FC_64_FC_10"))
	assert.Less(t, strings.Index(table, "| DRTP | FC_500_FC_10"), strings.Index(table, "**classification_synth**"))
	svg, err := os.ReadFile(filepath.Join(dir, "curves-MNIST-FC_500_FC_10.svg"))
	require.NoError(t, err)
	assert.Equal(t, 2, strings.Count(string(svg), "<polyline"), "a curve per rule")
	assert.Equal(t, 2, strings.Count(string(svg), "<polygon"), "and its band")
	assert.Equal(t, 2, strings.Count(string(svg), "stroke-dasharray"), "and the paper's figure")
	assert.Contains(t, string(svg), "BP 2.50 ± 0.71")
	synth, err := os.ReadFile(filepath.Join(dir, "curves-classification_synth-FC_64_FC_10.svg"))
	require.NoError(t, err)
	assert.NotContains(t, string(synth), "stroke-dasharray", "no published figure")
}

// The bases of the reproduction's later stages make, with a selection's lines, the
// stages docs/reproduction.md describes.
func TestTheShippedBases(t *testing.T) {
	for _, tt := range []struct {
		file       string
		runs       int // of one cell
		validation bool
		epochs     string
	}{
		{"select-mnist-2.base", 1, true, "20"},
		{"final-mnist.base", 10, false, "100"},
		{"nag-adam.base", 3, false, "100"},
	} {
		base, err := os.ReadFile(filepath.Join("../../sweeps", tt.file))
		require.NoError(t, err)
		s, err := parseText(t, string(base)+"rules DFA\ntopologies FC_500_FC_10\nwhen DFA FC_500_FC_10 --optimizer=NAG --lr=1.5e-2 --dropout=0.1\n")
		require.NoError(t, err, tt.file)
		require.Len(t, s.runs, tt.runs, tt.file)
		assert.Equal(t, tt.validation, hasFlag(s.runs[0].args, "validation"), tt.file)
		assert.Equal(t, tt.epochs, flagOf(s.runs[0].args, "epochs"), tt.file)
		assert.Contains(t, s.runs[0].args, "--fc-zero-init=true", tt.file)
		assert.Contains(t, s.runs[0].args, "--lr=1.5e-2", tt.file)
	}
}

func TestCompareVariants(t *testing.T) {
	in := []string{"lr=5e-3", "lr=1.5e-4", "lr=5e-5", "lr=1.5e-3", "lr=5e-4"}
	slices.SortFunc(in, compareVariants)
	assert.Equal(t, []string{"lr=5e-5", "lr=1.5e-4", "lr=5e-4", "lr=1.5e-3", "lr=5e-3"}, in)
	in = []string{"lr=1e-3 dropout=0.1", "lr=1e-3 dropout=0", "lr=1e-4 dropout=0.1", "optimizer=SGD", "optimizer=Adam"}
	slices.SortFunc(in, compareVariants)
	assert.Equal(t, []string{"lr=1e-4 dropout=0.1", "lr=1e-3 dropout=0", "lr=1e-3 dropout=0.1", "optimizer=Adam", "optimizer=SGD"}, in)
}

func TestNiceTicks(t *testing.T) {
	for _, tt := range []struct {
		hi        float64
		n         int
		step, top float64
	}{
		{10, 6, 2, 10},
		{11.5, 6, 2, 12},
		{4.6, 6, 1, 5},
		{0.5, 6, 0.1, 0.5},
		{100, 10, 10, 100},
		{20, 10, 2, 20},
		{1, 10, 0.1, 1},
		{37, 6, 10, 40},
	} {
		step, top := niceTicks(tt.hi, tt.n)
		assert.InDelta(t, tt.step, step, 1e-12, "%v", tt)
		assert.InDelta(t, tt.top, top, 1e-9, "%v", tt)
	}
}

// The sweep files the repository ships parse, hold the paper's whole tables, and
// every row of them has the paper's figure beside it in the report.
func TestTheShippedSweepFiles(t *testing.T) {
	for _, tt := range []struct {
		file   string
		runs   int
		frozen bool
	}{
		{"smoke.sweep", 4, false},
		{"reproduction.sweep", 4 * 2 * 3, false},
		{"grid-mnist-500.sweep", 4 * 5, false},
		{"paper-mnist.sweep", 4 * 5 * 10, false},
		{"paper-mnist-frozen.sweep", 4 * 10, true},
		{"paper-cifar.sweep", 4 * 5 * 10, false},
		{"paper-cifar-frozen.sweep", 4 * 10, true},
		{"select-mnist.sweep", 6 * 4 * (9 + 7) * 3, false},
	} {
		f, err := os.Open(filepath.Join("../../sweeps", tt.file))
		require.NoError(t, err)
		s, err := parseSweep(f, tt.file)
		f.Close()
		require.NoError(t, err, tt.file)
		assert.Len(t, s.runs, tt.runs, tt.file)
		for _, r := range s.runs {
			res := result{dataset: r.dataset, topology: r.args[slices.Index(r.args, "--topology")+1],
				rule: r.args[slices.Index(r.args, "--train-mode")+1], frozen: hasFlag(r.args, "freeze-conv-layers")}
			assert.Equal(t, tt.frozen, res.frozen, "%s: %s", tt.file, r.name)
			if tt.file != "smoke.sweep" && res.rule != "sDFA" && res.rule != "shallow" {
				assert.Contains(t, paper[res.group()], res.rule, "%s: %s has no published figure", tt.file, r.name)
			}
			if strings.HasPrefix(tt.file, "select-") {
				assert.Contains(t, r.args, "--validation=10000", "%s: %s is scored on the held-out samples", tt.file, r.name)
			}
		}
	}
}
