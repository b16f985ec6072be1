package netfile

import (
	"fmt"

	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/core/tensor"
)

// tensorSpec is a tensor a network holds: its name and PyTorch shape.
type tensorSpec struct {
	name  string
	shape []int
}

// size returns the number of elements. Shapes come from layout, whose products
// nn.Config.Check has bounded.
func (t tensorSpec) size() int {
	n := 1
	for _, d := range t.shape {
		n *= d
	}
	return n
}

// layout lists the tensors nn.New builds for cfg, in its order, without allocating
// them, so that Read can compare a file's tensor list with the network before paying
// for the network. cfg must have passed cfg.Check. It mirrors nn's initParams; a test
// holds the two together, and Read checks the built network against it again.
func layout(cfg nn.Config) ([]tensorSpec, error) {
	blocks, err := nn.ParseTopology(cfg.Topology)
	if err != nil {
		return nil, err
	}
	fa := cfg.Mode == nn.FA
	hook := cfg.Mode == nn.DFA || cfg.Mode == nn.SDFA || cfg.Mode == nn.DRTP
	var out []tensorSpec
	add := func(name string, shape ...int) { out = append(out, tensorSpec{name, shape}) }
	c, h, w := cfg.InputChannels, cfg.InputSide, cfg.InputSide
	for i, b := range blocks {
		last := i == len(blocks)-1
		switch b.Kind {
		case nn.ConvBlock:
			cs := tensor.NewConvShape(c, h, w, b.Kernel, b.Stride, b.Padding)
			if fa {
				add(fmt.Sprintf("layers.%d.conv.feedback", i), b.Channels, c, b.Kernel, b.Kernel)
			}
			add(fmt.Sprintf("layers.%d.conv.weight", i), b.Channels, c, b.Kernel, b.Kernel)
			add(fmt.Sprintf("layers.%d.conv.bias", i), b.Channels)
			if hook && !last {
				add(fmt.Sprintf("layers.%d.hook.feedback", i), cfg.Labels, b.Channels, cs.OutH, cs.OutW)
			}
			c, h, w = b.Channels, cs.OutH/2, cs.OutW/2
		case nn.FCBlock:
			in := c * h * w
			if fa {
				add(fmt.Sprintf("layers.%d.fc.feedback", i), b.Units, in)
			}
			add(fmt.Sprintf("layers.%d.fc.weight", i), b.Units, in)
			add(fmt.Sprintf("layers.%d.fc.bias", i), b.Units)
			if hook && !last {
				add(fmt.Sprintf("layers.%d.hook.feedback", i), cfg.Labels, b.Units)
			}
			c, h, w = b.Units, 1, 1
		}
	}
	return out, nil
}
