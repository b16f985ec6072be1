package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/core/tensor"
)

func runCommand(t *testing.T, ctx context.Context, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(ctx, args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestBadInputExitsWithStatus2(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--train-mode", "XYZ"}, `invalid value "XYZ" for flag -train-mode: unknown train mode "XYZ"`},
		{[]string{"--lr", "0"}, "learning rate 0: must be a positive finite number"},
		{[]string{"--lr", "fast"}, `"fast" is not a number`},
		{[]string{"--topology", "FC_500_FC_7", "--dataset", "regression_synth"}, "ends with FC_7 but the data has 10 labels"},
		{[]string{"--topology", "FC_500_QQ_10"}, `unknown item "QQ"`},
		{[]string{"--output-act", "tanh", "--dataset", "regression_synth", "--topology", "FC_10"}, "loss BCE needs outputs in [0, 1]"},
		{[]string{"--dataset", "CIFAR10"}, "--dataset CIFAR10 needs --data FOLDER"},
		{[]string{"--data", "/no/such/folder"}, "/no/such/folder"},
		{[]string{"--dataset", "regression_synth", "--data", "/tmp"}, "--data is for MNIST-like and CIFAR-10 files"},
		{[]string{"--batch-size", "0"}, `"0" is not a whole number from 1`},
		{[]string{"--colour", "red"}, "flag provided but not defined: -colour"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"--subset", "-1"}, "--subset -1: must be 0 or more"},
		{[]string{"--validation", "-5"}, "--validation -5: must be 0 or more"},
		{[]string{"--dataset", "classification_synth", "--topology", "FC_10", "--validation", "25000"}, "--validation 25000: classification_synth has 25000 training samples: hold out fewer"},
		{[]string{"--load", "net.lwf", "--evaluate", "--validation", "10"}, "--validation with --evaluate"},
		{[]string{"--threads", "0"}, "--threads 0: must be at least 1"},
		{[]string{"--threads", "-2"}, "--threads -2: must be at least 1"},
		{[]string{"--threads", "many"}, `invalid value "many" for flag -threads`},
		{[]string{"--kernels", "AVX-1024"}, `--kernels "AVX-1024": this machine runs`},
		{[]string{"--dataset", "classification_synth", "--topology", "FC_10", "--log", "/no/such/dir/log.csv"}, "--log: open /no/such/dir/log.csv"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := runCommand(t, context.Background(), tt.args...)
			assert.Equal(t, exitUsage, code)
			assert.Contains(t, stderr, tt.want)
		})
	}
}

var testAccuracy = regexp.MustCompile(`\[ Testing set\] Loss: [0-9.]+, Accuracy: +([0-9.]+)%`)

func lastTestAccuracy(t *testing.T, out string) float64 {
	m := testAccuracy.FindAllStringSubmatch(out, -1)
	require.NotEmpty(t, m, "no test accuracy in:\n%s", out)
	acc, err := strconv.ParseFloat(m[len(m)-1][1], 64)
	require.NoError(t, err)
	return acc
}

func TestReportAndLog(t *testing.T) {
	for _, name := range []string{"epochs.csv", "epochs.jsonl"} {
		t.Run(name, func(t *testing.T) {
			log := filepath.Join(t.TempDir(), name)
			code, out, stderr := runCommand(t, context.Background(), "--dataset", "classification_synth",
				"--topology", "FC_64_FC_10", "--train-mode", "DFA", "--lr", "1e-3", "--epochs", "2",
				"--subset", "2000", "--seed", "3", "--log", log)
			require.Equal(t, exitOK, code, stderr)
			assert.Contains(t, out, "Network FC_64_FC_10, trained with DFA (loss BCE)")
			assert.Contains(t, out, "Summary of epoch 2:")
			assert.Contains(t, out, fmt.Sprintf("Kernels %s (this machine runs %s), %d thread(s).", tensor.Kernels(), strings.Join(tensor.KernelSets(), ", "), runtime.NumCPU()))
			assert.Regexp(t, `\t\[Training set\] Loss: [0-9.]+, Accuracy: +[0-9.]+%`, out)
			assert.Regexp(t, `samples/s`, out)
			assert.NotContains(t, out, "\r", "no progress bar when the output is not a terminal")
			raw, err := os.ReadFile(log)
			require.NoError(t, err)
			lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
			if strings.HasSuffix(name, ".csv") {
				require.Len(t, lines, 3)
				assert.Equal(t, "trial,epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds,samples_per_second", lines[0])
				assert.True(t, strings.HasPrefix(lines[2], "1,2,"))
			} else {
				require.Len(t, lines, 2)
				var rec epochRecord
				require.NoError(t, json.Unmarshal([]byte(lines[1]), &rec))
				assert.Equal(t, 2, rec.Epoch)
				assert.InDelta(t, lastTestAccuracy(t, out), rec.TestAccuracy, 0.006)
			}
		})
	}
}

// writeDigits writes an MNIST-like folder of n training and 20 test images, each
// training image unique (its index in its first two bytes), for runs on files.
func writeDigits(t *testing.T, n int) string {
	dir := t.TempDir()
	write := func(name string, f func(*os.File) error) {
		file, err := os.Create(filepath.Join(dir, name))
		require.NoError(t, err)
		require.NoError(t, f(file))
		require.NoError(t, file.Close())
	}
	for _, set := range []struct {
		prefix string
		n      int
	}{{"train", n}, {"t10k", 20}} {
		pixels, labels := make([]byte, 784*set.n), make([]byte, set.n)
		for i := range set.n {
			img := pixels[784*i : 784*(i+1)]
			img[0], img[1] = byte(i), byte(i>>8)
			for j := 2; j < 784; j++ {
				img[j] = byte((i%10*37 + j*11) % 256) // its class in every pixel
			}
			labels[i] = byte(i % 10)
		}
		write(set.prefix+"-images-idx3-ubyte", func(f *os.File) error {
			return data.WriteIDXImages(f, data.Images{N: set.n, Rows: 28, Cols: 28, Pixels: pixels})
		})
		write(set.prefix+"-labels-idx1-ubyte", func(f *os.File) error { return data.WriteIDXLabels(f, labels) })
	}
	return dir
}

// TestValidationIsTheSameHeldOutSamplesInEveryRun: --validation N takes the
// training file's last N samples, whatever the seed, rule or subset, and none of
// them is among the samples trained on.
func TestValidationIsTheSameHeldOutSamplesInEveryRun(t *testing.T) {
	dir := writeDigits(t, 300)
	samples := func(s *data.Set) map[string]bool {
		images, _, err := s.IDX()
		require.NoError(t, err)
		out := map[string]bool{}
		for i := range images.N {
			out[string(images.Pixels[784*i:784*(i+1)])] = true
		}
		return out
	}
	var first map[string]bool
	for _, args := range [][]string{
		{"--seed", "1", "--train-mode", "DRTP"},
		{"--seed", "7", "--train-mode", "BP"},
		{"--seed", "7", "--train-mode", "BP", "--subset", "100"},
	} {
		c, err := parseFlags(append([]string{"--dataset", "MNIST", "--data", dir, "--topology", "FC_10", "--validation", "80"}, args...), io.Discard)
		require.NoError(t, err)
		exp, err := prepare(context.Background(), c, io.Discard, io.Discard)
		require.NoError(t, err)
		require.Equal(t, 80, exp.validation.Len())
		held, trained := samples(exp.validation), samples(exp.train)
		require.Len(t, held, 80)
		for s := range held {
			assert.False(t, trained[s], "%v: a validation sample is trained on", args)
		}
		images, _, err := exp.validation.IDX()
		require.NoError(t, err)
		assert.Equal(t, []byte{220, 0}, images.Pixels[:2], "the first held-out sample is the file's 221st")
		if first == nil {
			first = held
			assert.Equal(t, 220, exp.train.Len())
		}
		assert.Equal(t, first, held, "%v: the same samples held out", args)
		exp.close()
	}
}

// TestValidationIsReportedAndLogged: each epoch has its validation figures on
// the screen and in both logs, and training is the same without them when the held-
// out samples are not trained on anyway (a subset before them), and without the
// evaluation of the training set.
func TestValidationIsReportedAndLogged(t *testing.T) {
	dir := writeDigits(t, 300)
	tmp := t.TempDir()
	base := []string{"--dataset", "MNIST", "--data", dir, "--topology", "FC_16_FC_10", "--train-mode", "DFA",
		"--lr", "1e-2", "--epochs", "2", "--batch-size", "20", "--subset", "200", "--trials", "2"}
	code, out, stderr := runCommand(t, context.Background(), append(base, "--validation", "50",
		"--log", filepath.Join(tmp, "a.csv"), "--step-log", filepath.Join(tmp, "a-steps.csv"))...)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, out, "Data MNIST: 200 training, 50 validation (the training file's last, never trained on) and 20 test samples.")
	assert.Equal(t, 4, strings.Count(out, "\t[Validation  ] Loss: "), "a line each epoch of each trial")
	assert.Contains(t, out, "=== Validation error over 2 trials:")
	raw, err := os.ReadFile(filepath.Join(tmp, "a.csv"))
	require.NoError(t, err)
	rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 5)
	assert.Equal(t, []string{"validation_loss", "validation_accuracy"}, rows[0][8:10])
	assert.NotEmpty(t, rows[4][9])

	code, _, stderr = runCommand(t, context.Background(), append(base, "--validation", "50", "--log", filepath.Join(tmp, "a.jsonl"))...)
	require.Equal(t, exitOK, code, stderr)
	line, _, _ := strings.Cut(readFile(t, filepath.Join(tmp, "a.jsonl")), "\n")
	var rec epochRecord
	require.NoError(t, json.Unmarshal([]byte(line), &rec))
	require.NotNil(t, rec.ValidationAccuracy)
	assert.Regexp(t, fmt.Sprintf(`\[Validation  \] Loss: [0-9.]+, Accuracy: +%.2f%%`, *rec.ValidationAccuracy), out)

	code, out, stderr = runCommand(t, context.Background(), append(base, "--step-log", filepath.Join(tmp, "b-steps.csv"),
		"--train-eval=false", "--log", filepath.Join(tmp, "b.jsonl"))...)
	require.Equal(t, exitOK, code, stderr)
	assert.NotContains(t, out, "Validation")
	assert.NotContains(t, out, "[Training set]", "--train-eval=false: no evaluation of the training set")
	assert.Contains(t, out, "[ Testing set]")
	assert.NotContains(t, readFile(t, filepath.Join(tmp, "b.jsonl")), "train_loss")
	assert.Equal(t, readFile(t, filepath.Join(tmp, "b-steps.csv")), readFile(t, filepath.Join(tmp, "a-steps.csv")),
		"the same losses, bit for bit: evaluating the held-out samples, or not the training set, changes no training step")
}

func readFile(t *testing.T, name string) string {
	raw, err := os.ReadFile(name)
	require.NoError(t, err)
	return string(raw)
}

func TestTrialsReportMeanAndSpread(t *testing.T) {
	code, out, stderr := runCommand(t, context.Background(), "--dataset", "regression_synth", "--topology", "FC_10",
		"--loss", "MSE", "--output-act", "none", "--epochs", "1", "--trials", "2", "--subset", "500")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, out, "=== Trial 2/2 (seed 1)")
	assert.Contains(t, out, "Test error over 2 trials:")
}

// TestDRTPLearnsMNIST trains DRTP on real MNIST for a short run. With fc-zero-init the
// hidden layer starts with no information about the input, so 80% test accuracy
// needs a hidden layer that learns; shallow learning, from the same start, cannot
// get near it.
func TestDRTPLearnsMNIST(t *testing.T) {
	args := []string{"--dataset", "MNIST", "--topology", "FC_500_FC_10", "--fc-zero-init", "--loss", "CE",
		"--output-act", "none", "--lr", "0.01", "--epochs", "1", "--subset", "10000", "--test-batch-size", "2000"}
	code, out, stderr := runCommand(t, context.Background(), append(args, "--train-mode", "DRTP")...)
	require.Equal(t, exitOK, code, stderr)
	drtp := lastTestAccuracy(t, out)
	assert.GreaterOrEqual(t, drtp, 80.0, out)

	code, out, stderr = runCommand(t, context.Background(), append(args, "--train-mode", "shallow")...)
	require.Equal(t, exitOK, code, stderr)
	assert.Less(t, lastTestAccuracy(t, out), 50.0, "shallow learning from zero hidden weights cannot classify")
	t.Logf("test accuracy after 10000 samples: DRTP %.2f%%", drtp)
}

func TestInterruptStopsCleanly(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log.jsonl")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	code, out, _ := runCommand(t, ctx, "--dataset", "classification_synth", "--topology", "FC_32_FC_10",
		"--epochs", "1000", "--subset", "500", "--log", log)
	assert.Equal(t, exitInterrupted, code)
	assert.Regexp(t, `Interrupted: stopped after trial 1, epoch \d+, batch \d+\.`, out)
	raw, err := os.ReadFile(log)
	require.NoError(t, err)
	finished := strings.Count(out, "Summary of epoch")
	assert.Equal(t, finished, strings.Count(string(raw), "\n"), "the log holds every finished epoch")
}

func TestAlignmentIsReportedAndLogged(t *testing.T) {
	log := filepath.Join(t.TempDir(), "a.jsonl")
	code, out, stderr := runCommand(t, context.Background(), "--dataset", "classification_synth", "--topology", "FC_64_FC_32_FC_10",
		"--train-mode", "DRTP", "--lr", "1e-3", "--epochs", "1", "--subset", "1000", "--alignment", "--log", log)
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `Angle with the true gradient \(degrees, mean over the epoch\): layer 1 [0-9.]+ layer 2 [0-9.]+`, out)
	raw, err := os.ReadFile(log)
	require.NoError(t, err)
	var rec epochRecord
	require.NoError(t, json.Unmarshal(raw, &rec))
	require.Len(t, rec.Alignment, 2)
	for _, a := range rec.Alignment {
		assert.True(t, a > 0 && a < 180, "%v", a)
	}
	code, out, _ = runCommand(t, context.Background(), "--dataset", "classification_synth", "--topology", "FC_64_FC_32_FC_10",
		"--train-mode", "FA", "--epochs", "1", "--subset", "500", "--alignment")
	require.Equal(t, exitOK, code)
	assert.Regexp(t, `Angle between B and W \(degrees\): layer 2 [0-9.]+ layer 3 [0-9.]+`, out)
}

// TestLogRowsMatchTheirHeader: every CSV row has the header's columns, with or
// without --alignment, and a layer without an angle (shallow learning) is empty in
// CSV and null in JSON.
func TestLogRowsMatchTheirHeader(t *testing.T) {
	for _, tt := range []struct {
		name, file string
		args       []string
		header     []string // the CSV header's alignment columns
		json       string   // what a JSON line's alignment holds
	}{
		{"CSV", "log.csv", nil, []string{}, ""},
		{"CSV with alignment", "log.csv", []string{"--alignment"}, []string{"alignment_layer1", "alignment_layer2"}, ""},
		{"JSON lines, shallow", "log.jsonl", []string{"--alignment", "--train-mode", "shallow"}, nil, `"alignment":[null,null]`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			log := filepath.Join(t.TempDir(), tt.file)
			args := append([]string{"--dataset", "classification_synth", "--topology", "FC_32_FC_16_FC_10", "--lr", "1e-3",
				"--epochs", "2", "--subset", "500", "--log", log}, tt.args...)
			code, _, stderr := runCommand(t, context.Background(), args...)
			require.Equal(t, exitOK, code, stderr)
			raw, err := os.ReadFile(log)
			require.NoError(t, err)
			if tt.json != "" {
				for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
					assert.Contains(t, line, tt.json)
				}
				return
			}
			rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
			require.NoError(t, err, "every row has the header's columns")
			require.Len(t, rows, 3)
			assert.Equal(t, tt.header, rows[0][8:], "the alignment columns")
			for _, row := range rows[1:] {
				for _, cell := range row[8:] {
					_, err := strconv.ParseFloat(cell, 64)
					assert.NoError(t, err, "an angle")
				}
			}
		})
	}
}

// TestSaveLoadEvaluate: a network saved after training loads back with the same
// figures, and a loaded network brings its own settings.
func TestSaveLoadEvaluate(t *testing.T) {
	file := filepath.Join(t.TempDir(), "net.lwfnet")
	code, out, stderr := runCommand(t, context.Background(), "--dataset", "classification_synth", "--topology", "FC_32_FC_10",
		"--train-mode", "DFA", "--lr", "1e-3", "--epochs", "1", "--subset", "2000", "--save", file)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, out, "Saved the network to "+file)
	trained := lastTestAccuracy(t, out)

	code, out, stderr = runCommand(t, context.Background(), "--dataset", "classification_synth", "--load", file, "--evaluate")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, out, "Network FC_32_FC_10, trained with DFA (loss BCE)")
	assert.Equal(t, trained, lastTestAccuracy(t, out), "the same network, the same test accuracy")

	code, out, stderr = runCommand(t, context.Background(), "--dataset", "classification_synth", "--load", file, "--epochs", "1", "--subset", "500", "--lr", "1e-3")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, out, "Summary of epoch 1:", "training goes on from the loaded network")

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--evaluate"}, "--evaluate needs --load FILE"},
		{[]string{"--load", file, "--topology", "FC_10"}, "--topology: the network comes from --load"},
		{[]string{"--load", file, "--trials", "2"}, "--trials 2: a loaded network makes one run"},
		{[]string{"--load", "/no/such.lwfnet"}, "--load: open /no/such.lwfnet"},
		{[]string{"--load", file, "--dataset", "MNIST"}, "the network takes 1 channel(s) of 16x16 with 10 labels, but MNIST has 1 of 28x28"},
		{[]string{"--load", "main_test.go", "--dataset", "classification_synth"}, "--load main_test.go: netfile:"},
	} {
		code, _, stderr := runCommand(t, context.Background(), tt.args...)
		assert.Equal(t, exitUsage, code, tt.args)
		assert.Contains(t, stderr, tt.want, tt.args)
	}
}

func TestDivergenceExitsWithStatus1(t *testing.T) {
	code, out, stderr := runCommand(t, context.Background(), "--dataset", "classification_synth", "--topology", "FC_64_FC_10",
		"--hidden-act", "relu", "--output-act", "none", "--loss", "MSE", "--lr", "100", "--optimizer", "SGD", "--epochs", "5", "--subset", "2000")
	assert.Equal(t, exitFailed, code, out)
	assert.Regexp(t, `train: epoch \d+, batch \d+: training diverged at step \d+: the loss of batch \d+ \(epoch \d+\) is (NaN|\+Inf)\. Likely cause: the learning rate \(100\) is too high`, stderr)
}

func TestStepLog(t *testing.T) {
	log := filepath.Join(t.TempDir(), "steps.csv")
	code, _, stderr := runCommand(t, context.Background(), "--dataset", "classification_synth", "--topology", "FC_16_FC_10",
		"--epochs", "2", "--subset", "300", "--step-log", log)
	require.Equal(t, exitOK, code, stderr)
	raw, err := os.ReadFile(log)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	require.Len(t, lines, 1+2*3, "a header and three batches of 100 in each of two epochs")
	assert.Equal(t, "trial,epoch,batch,loss", lines[0])
	assert.Regexp(t, `^1,2,3,0\.[0-9]+$`, lines[6])
}

// TestKernelsGiveTheSameRun: a run is the same, bit for bit, on every set of kernels
// this machine runs, the plain ones included (core/tensor checks each product on
// sparse and dense matrices; this checks a whole run: forward, backward, optimiser).
func TestKernelsGiveTheSameRun(t *testing.T) {
	var logs []string
	sets := tensor.KernelSets()
	for _, set := range sets {
		log := filepath.Join(t.TempDir(), "steps.csv")
		code, _, stderr := runCommand(t, context.Background(), "--dataset", "classification_synth", "--topology", "FC_100_FC_50_FC_10",
			"--train-mode", "BP", "--epochs", "1", "--subset", "800", "--kernels", set, "--step-log", log)
		require.Equal(t, exitOK, code, stderr)
		raw, err := os.ReadFile(log)
		require.NoError(t, err)
		logs = append(logs, string(raw))
	}
	for i := 1; i < len(sets); i++ {
		assert.Equal(t, logs[0], logs[i], "%s kernels against %s", sets[i], sets[0])
	}
	assert.Equal(t, sets[0], tensor.Kernels(), "the run leaves the default kernels")
}

// TestThreadsGiveTheSameRun: every rule's run is the same, bit for bit, whether its
// products use one goroutine or several (the products of 784-1000-1000-10 are split).
func TestThreadsGiveTheSameRun(t *testing.T) {
	for _, mode := range []string{"BP", "DRTP"} {
		t.Run(mode, func(t *testing.T) {
			var logs []string
			for _, threads := range []string{"1", "2", "3"} {
				log := filepath.Join(t.TempDir(), "steps.csv")
				code, _, stderr := runCommand(t, context.Background(), "--dataset", "classification_synth", "--topology", "FC_1000_FC_1000_FC_10",
					"--train-mode", mode, "--epochs", "1", "--subset", "800", "--threads", threads, "--step-log", log)
				require.Equal(t, exitOK, code, stderr)
				raw, err := os.ReadFile(log)
				require.NoError(t, err)
				logs = append(logs, string(raw))
			}
			require.Len(t, strings.Split(strings.TrimSpace(logs[0]), "\n"), 1+8)
			assert.Equal(t, logs[0], logs[1], "2 threads")
			assert.Equal(t, logs[0], logs[2], "3 threads")
		})
	}
}
