// Command lockstep is the Go half of tools/reference/lockstep.py: it trains our core
// from parameters and a sample order given by the PyTorch side, so that the two can be
// compared step by step on real MNIST batches, at full size. It is a measuring tool,
// not part of the trainer.
//
//	lockstep IN.json OUT.json
//
// IN holds the topology, rule, optimiser, learning rate, batch size, float64 or not,
// every parameter in PyTorch order by its reference name, and the order of the
// training samples (consecutive batches). OUT gets the loss of every step, the
// gradients of the first step, every parameter at the end and the test loss and
// accuracy.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/optim"
	"github.com/nofeedback/lwf/core/tensor"
	"github.com/nofeedback/lwf/core/train"
	"github.com/nofeedback/lwf/tools/internal/mnist"
)

type input struct {
	Topology  string               `json:"topology"`
	Mode      string               `json:"mode"`
	Optimizer string               `json:"optimizer"`
	LR        float64              `json:"lr"`
	Batch     int                  `json:"batch"`
	Float64   bool                 `json:"float64"`
	Order     []int                `json:"order"`
	Params    map[string][]float64 `json:"params"`
}

type output struct {
	Losses       []float64            `json:"losses"`
	Grads0       map[string][]float64 `json:"grads0"`
	Final        map[string][]float64 `json:"final"`
	TestLoss     float64              `json:"test_loss"`
	TestAccuracy float64              `json:"test_accuracy"`
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: lockstep IN.json OUT.json")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "lockstep:", err)
		os.Exit(1)
	}
}

func run(inPath, outPath string) error {
	b, err := os.ReadFile(inPath)
	if err != nil {
		return err
	}
	var in input
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	var out output
	if in.Float64 {
		out, err = steps[float64](in)
	} else {
		out, err = steps[float32](in)
	}
	if err != nil {
		return err
	}
	if b, err = json.Marshal(out); err != nil {
		return err
	}
	return os.WriteFile(outPath, b, 0o644)
}

func convert[F, G tensor.Float](v []G) []F {
	o := make([]F, len(v))
	for i, x := range v {
		o[i] = F(x)
	}
	return o
}

func steps[F tensor.Float](in input) (output, error) {
	var out output
	dir, err := mnist.Dir(context.Background(), func(s string) { fmt.Fprintln(os.Stderr, s) })
	if err != nil {
		return out, err
	}
	trainSet, testSet, err := data.LoadIDXDir(dir)
	if err != nil {
		return out, err
	}
	cfg := nn.DefaultConfig()
	cfg.Topology = in.Topology
	if cfg.Mode, err = nn.ParseMode(in.Mode); err != nil {
		return out, err
	}
	net, err := nn.New[F](cfg)
	if err != nil {
		return out, err
	}
	for _, p := range net.Params() {
		v, ok := in.Params[p.Name]
		if !ok {
			return out, fmt.Errorf("no values for %s", p.Name)
		}
		if err := p.SetTorch(convert[F](v)); err != nil {
			return out, err
		}
	}
	kind, err := optim.ParseKind(in.Optimizer)
	if err != nil {
		return out, err
	}
	tr, err := train.New(net, kind, in.LR)
	if err != nil {
		return out, err
	}
	out.Grads0, out.Final = map[string][]float64{}, map[string][]float64{}
	var batch data.Batch[F]
	for s := 0; (s+1)*in.Batch <= len(in.Order); s++ {
		if err := data.Fill(trainSet, &batch, in.Order[s*in.Batch:(s+1)*in.Batch], false, nil); err != nil {
			return out, err
		}
		loss, err := net.Gradients(batch)
		if err != nil {
			return out, err
		}
		if s == 0 {
			for _, p := range net.Params() {
				if g := p.TorchGrad(); g != nil {
					out.Grads0[p.Name] = convert[float64](g)
				}
			}
		}
		tr.Opt.Step()
		out.Losses = append(out.Losses, loss)
	}
	for _, p := range net.Params() {
		out.Final[p.Name] = convert[float64](p.Torch())
	}
	ev, err := train.Evaluate(net, testSet, 1000)
	if err != nil {
		return out, err
	}
	out.TestLoss, out.TestAccuracy = ev.Loss, ev.Accuracy
	return out, nil
}
