package nn

import (
	"fmt"
	"strings"
)

// LayerInfo describes one block of a network.
type LayerInfo struct {
	Index      int
	Spec       BlockSpec
	Activation Activation
	Output     bool   // the output layer
	In         [3]int // input as channels, height, width (FC: values, 1, 1)
	Signal     [3]int // at the learning-signal point, before pooling
	Out        [3]int // output, after pooling
	Weights    int    // weights and biases
	Frozen     bool
	Feedback   []int // shape of the fixed feedback matrix, nil if none
}

// Describe returns a description of every block.
func (n *Network[F]) Describe() []LayerInfo {
	out := make([]LayerInfo, len(n.layers))
	for i, l := range n.layers {
		li := LayerInfo{Index: i, Spec: l.spec, Activation: l.act, Output: l.output,
			Weights: len(l.weight.Value) + len(l.bias.Value), Frozen: l.weight.Frozen}
		if l.spec.Kind == ConvBlock {
			li.In = [3]int{l.conv.C, l.conv.H, l.conv.W}
			li.Signal = [3]int{l.spec.Channels, l.conv.OutH, l.conv.OutW}
			li.Out = [3]int{l.spec.Channels, l.conv.OutH / 2, l.conv.OutW / 2}
		} else {
			li.In, li.Signal, li.Out = [3]int{l.in, 1, 1}, [3]int{l.units, 1, 1}, [3]int{l.units, 1, 1}
		}
		switch {
		case l.hook != nil:
			li.Feedback = l.hook.Shape
		case l.feedback != nil:
			li.Feedback = l.feedback.Shape
		}
		out[i] = li
	}
	return out
}

// String writes the network as the command line prints it: one line a block.
func (n *Network[F]) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "Network %s, trained with %s (loss %s):\n", n.cfg.Topology, n.cfg.Mode, n.cfg.Loss)
	for _, li := range n.Describe() {
		var what string
		if li.Spec.Kind == ConvBlock {
			what = fmt.Sprintf("CONV %d %dx%d stride %d pad %d, %s, 2x2 max-pool", li.Spec.Channels,
				li.Spec.Kernel, li.Spec.Kernel, li.Spec.Stride, li.Spec.Padding, li.Activation)
		} else {
			what = fmt.Sprintf("FC %d, %s", li.Spec.Units, li.Activation)
			if n.cfg.Dropout > 0 {
				what = fmt.Sprintf("dropout %g, ", n.cfg.Dropout) + what
			}
		}
		if li.Output {
			what += " (output)"
		}
		extra := ""
		if li.Frozen {
			extra += ", frozen"
		}
		if li.Feedback != nil {
			extra += fmt.Sprintf(", feedback %s", ShapeText(li.Feedback, "x"))
		}
		fmt.Fprintf(&sb, "  layers.%d  %-46s %s -> %s, %d weights%s\n", li.Index, what,
			ShapeText(li.In[:], "x"), ShapeText(li.Out[:], "x"), li.Weights, extra)
	}
	return sb.String()
}

// ShapeText writes a shape as AxBxC (with sep between the sizes), dropping trailing 1s.
func ShapeText(s []int, sep string) string {
	for len(s) > 1 && s[len(s)-1] == 1 {
		s = s[:len(s)-1]
	}
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return strings.Join(parts, sep)
}
