//go:build !js

package train

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/optim"
	"github.com/nofeedback/lwf/core/tensor"
)

var mnist struct {
	once  sync.Once
	train *data.Set
	err   error
}

// mnistTrain loads the real MNIST training set once, from this machine's cache of it
// (which `go run ./tools/mnist` fills): the zero pixels of real digits are part of
// what is measured.
func mnistTrain(b *testing.B) *data.Set {
	mnist.once.Do(func() {
		dir, err := data.CacheDir("mnist")
		if err != nil {
			mnist.err = err
			return
		}
		mnist.train, _, mnist.err = data.LoadIDXDir(dir)
	})
	if mnist.err != nil {
		b.Skipf("MNIST is not available (`go run ./tools/mnist` fetches it): %v", mnist.err)
	}
	return mnist.train
}

// BenchmarkStep measures one training step, batch 100, on real MNIST batches, with the
// reference's defaults (tanh, sigmoid output, BCE, NAG). It reports samples/s.
func BenchmarkStep(b *testing.B) {
	cases := []struct {
		topology string
		modes    []nn.Mode
	}{
		{"FC_500_FC_10", nn.Modes()},
		{"FC_1000_FC_1000_FC_10", []nn.Mode{nn.BP, nn.DRTP}},
		{"CONV_32_5_1_2_FC_1000_FC_10", []nn.Mode{nn.BP, nn.DRTP}},
	}
	for _, c := range cases {
		for _, mode := range c.modes {
			b.Run(c.topology+"/"+mode.String(), func(b *testing.B) { benchStep(b, c.topology, mode) })
		}
	}
}

// BenchmarkStepThreads measures the step of 784-1000-1000-10 with its products split
// across goroutines (tensor.SetThreads, the command line's --threads).
func BenchmarkStepThreads(b *testing.B) {
	defer tensor.SetThreads(tensor.Threads())
	for _, threads := range slices.Compact([]int{1, 2, max(runtime.NumCPU(), 2)}) {
		for _, mode := range []nn.Mode{nn.BP, nn.DRTP} {
			b.Run(fmt.Sprintf("FC_1000_FC_1000_FC_10/%s/threads=%d", mode, threads), func(b *testing.B) {
				tensor.SetThreads(threads)
				benchStep(b, "FC_1000_FC_1000_FC_10", mode)
			})
		}
	}
}

// BenchmarkStepOptimizer measures the step of 784-500-10 DRTP (tanh, sigmoid output,
// BCE, batch 100) under each optimiser: Adam is what the sweeps train with, NAG the
// reference's default.
func BenchmarkStepOptimizer(b *testing.B) {
	for _, kind := range optim.Kinds() {
		b.Run("FC_500_FC_10/DRTP/"+kind.String(), func(b *testing.B) { benchStepWith(b, "FC_500_FC_10", nn.DRTP, kind) })
	}
}

// benchStep times the training step of a network on real MNIST batches of 100, with
// NAG.
func benchStep(b *testing.B, topology string, mode nn.Mode) {
	benchStepWith(b, topology, mode, optim.NAG)
}

// benchStepWith times the training step of a network on real MNIST batches of 100,
// with the optimiser kind.
func benchStepWith(b *testing.B, topology string, mode nn.Mode, kind optim.Kind) {
	set := mnistTrain(b)
	cfg := nn.DefaultConfig()
	cfg.Topology, cfg.Mode = topology, mode
	net, err := nn.New[float32](cfg)
	if err != nil {
		b.Fatal(err)
	}
	tr, err := New(net, kind, 1e-3)
	if err != nil {
		b.Fatal(err)
	}
	const size = 100
	order := data.Order(set.Len(), 1, 0)
	batches := make([]data.Batch[float32], 20)
	for i := range batches {
		if err := data.Fill(set, &batches[i], order[i*size:(i+1)*size], false, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tr.TrainBatch(batches[i%len(batches)], false); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size*b.N)/b.Elapsed().Seconds(), "samples/s")
}

// TestMain lets the benchmarks run on chosen kernels: LWF_KERNELS=plain (or another
// of tensor.KernelSets) go test -bench . (tools/bench compares them so).
func TestMain(m *testing.M) {
	if k := os.Getenv("LWF_KERNELS"); k != "" {
		if err := tensor.SetKernels(k); err != nil {
			fmt.Fprintln(os.Stderr, "LWF_KERNELS:", err)
			os.Exit(2)
		}
	}
	os.Exit(m.Run())
}
