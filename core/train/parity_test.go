package train

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/core/internal/fixture"
	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/optim"
	"github.com/nofeedback/lwf/core/tensor"
)

// tolerance returns how far a value computed in precision F may be from the
// reference's float64 value.
func tolerance[F tensor.Float](want float64) float64 {
	var zero F
	if _, ok := any(zero).(float32); ok {
		return math.Max(1e-4*math.Abs(want), 1e-5)
	}
	return 1e-8 * math.Max(1, math.Abs(want))
}

// TestReferenceParity checks every field of every golden case, in float64 and in
// float32: output, loss, every gradient, and after two steps of each optimiser the
// losses, every parameter and the evaluation output.
func TestReferenceParity(t *testing.T) {
	dir, err := fixture.Dir()
	require.NoError(t, err)
	files, err := fixture.Files(dir)
	require.NoError(t, err)
	require.NotEmpty(t, files, "no reference case (*.json) in %s", dir)
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		t.Run(name, func(t *testing.T) {
			c, err := fixture.Load(path)
			require.NoError(t, err)
			t.Run("float64", func(t *testing.T) { checkCase[float64](t, c) })
			t.Run("float32", func(t *testing.T) { checkCase[float32](t, c) })
		})
	}
}

func checkCase[F tensor.Float](t *testing.T, c *fixture.Case) {
	batches := caseBatches[F](t, c)

	net := caseNetwork[F](t, c)
	y, err := net.Forward(batches[0].X, batches[0].N, true)
	require.NoError(t, err)
	assertClose(t, "output", c.Output, y)

	loss, err := net.Gradients(batches[0])
	require.NoError(t, err)
	assertClose(t, "loss_value", c.LossValue, []F{F(loss)})
	for _, name := range sortedKeys(c.Grads) {
		p := net.Param(name)
		require.NotNil(t, p, "grads: no parameter %s", name)
		if c.Grads[name] == nil {
			require.Nil(t, p.Grad, "grads: %s should receive no gradient", name)
			continue
		}
		require.NotNil(t, p.Grad, "grads: %s received no gradient", name)
		assertClose(t, "grads."+name, c.Grads[name], p.TorchGrad())
	}

	for _, kind := range optim.Kinds() {
		want, ok := c.AfterTwoSteps[kind.String()]
		require.True(t, ok, "after_two_steps has no %s", kind)
		t.Run(kind.String(), func(t *testing.T) {
			net := caseNetwork[F](t, c)
			tr, err := New(net, kind, c.LR)
			require.NoError(t, err)
			var losses []F
			for _, b := range batches {
				res, err := tr.TrainBatch(b, false)
				l := res.Loss
				require.NoError(t, err)
				losses = append(losses, F(l))
			}
			assertClose(t, "losses", want.Losses, losses)
			for _, name := range sortedKeys(want.Params) {
				p := net.Param(name)
				require.NotNil(t, p, "params: no parameter %s", name)
				assertClose(t, "params."+name, want.Params[name], p.Torch())
			}
			y, err := net.Forward(batches[0].X, batches[0].N, false)
			require.NoError(t, err)
			assertClose(t, "eval_output_on_x0", want.EvalOutputOnX0, y)
		})
	}
}

// caseNetwork builds the case's network and loads its initial parameters, checking
// that the network has exactly the reference's parameters.
func caseNetwork[F tensor.Float](t *testing.T, c *fixture.Case) *nn.Network[F] {
	t.Helper()
	mode, err := nn.ParseMode(c.Mode)
	require.NoError(t, err)
	hidden, err := nn.ParseHiddenActivation(c.HiddenAct)
	require.NoError(t, err)
	conv, err := nn.ParseHiddenActivation(c.ConvAct)
	require.NoError(t, err)
	out, err := nn.ParseOutputActivation(c.OutputAct)
	require.NoError(t, err)
	loss, err := nn.ParseLoss(c.Loss)
	require.NoError(t, err)
	net, err := nn.New[F](nn.Config{
		Topology: c.Topology, InputSide: c.InputSize, InputChannels: c.InputChannels,
		Labels: c.Labels, Mode: mode, ConvAct: conv, HiddenAct: hidden, OutputAct: out,
		Loss: loss, FreezeConv: c.FreezeConv,
	})
	require.NoError(t, err)
	var have []string
	for _, p := range net.Params() {
		have = append(have, p.Name)
	}
	require.ElementsMatch(t, sortedKeys(c.Init), have, "parameters")
	for name, v := range c.Init {
		vals, err := fixture.Flat(v)
		require.NoError(t, err)
		require.NoError(t, net.Param(name).SetTorch(convert[F](vals)))
	}
	return net
}

func caseBatches[F tensor.Float](t *testing.T, c *fixture.Case) []data.Batch[F] {
	t.Helper()
	require.Len(t, c.X, 2)
	require.Len(t, c.Targets, 2)
	var out []data.Batch[F]
	for i := range c.X {
		x, err := fixture.Flat(c.X[i])
		require.NoError(t, err)
		tg, err := fixture.Flat(c.Targets[i])
		require.NoError(t, err)
		b := data.Batch[F]{X: convert[F](x), T: convert[F](tg), N: c.Batch}
		if c.LabelIndex != nil {
			b.Labels = c.LabelIndex[i]
		}
		out = append(out, b)
	}
	return out
}

func convert[F tensor.Float](v []float64) []F {
	out := make([]F, len(v))
	for i, x := range v {
		out[i] = F(x)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// assertClose compares got with the reference's nested list want, element by element,
// and reports the worst few misses.
func assertClose[F tensor.Float](t *testing.T, field string, want any, got []F) {
	t.Helper()
	w, ok := want.([]float64)
	if !ok {
		var err error
		w, err = fixture.Flat(want)
		require.NoError(t, err, field)
	}
	require.Len(t, got, len(w), "%s: number of values", field)
	var misses []string
	for i, e := range w {
		g := float64(got[i])
		if !(math.Abs(g-e) <= tolerance[F](e)) {
			misses = append(misses, fmt.Sprintf("[%d] got %.10g, want %.10g", i, g, e))
		}
	}
	if len(misses) > 0 {
		if len(misses) > 5 {
			misses = append(misses[:5], fmt.Sprintf("... %d more", len(misses)-5))
		}
		t.Errorf("%s: %d of %d values differ from the reference:\n  %s", field, len(misses), len(w), strings.Join(misses, "\n  "))
	}
}
