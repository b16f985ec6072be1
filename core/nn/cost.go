package nn

import "fmt"

// Cost is what one training sample costs a network under one rule, counted from its
// shapes (dense: zero inputs are counted as any others).
type Cost struct {
	Mode Mode
	// ForwardMACs are the multiply-accumulates of the forward pass.
	ForwardMACs int64
	// LearningMACs are those of learning: the weight gradients of every layer that
	// learns, and the learning signals (the backward pass for BP and FA, the
	// projection e·B or sign(e)·B for DFA and sDFA, nothing for DRTP's row lookup).
	LearningMACs int64
	// HeldValues are the activations a layer's update must wait with: all of them for
	// BP, FA, DFA and sDFA (no layer may update before the output is known), only the
	// largest single layer's input and output for DRTP, whose layers update as soon as
	// their own forward pass is done, and the output layer's input for shallow.
	HeldValues int64
	// Backward tells whether the rule runs a backward pass through the layers.
	Backward bool
}

// Costs returns the cost of one sample under each of the six rules, for the network
// cfg describes (its own Mode is ignored; FreezeConv is honoured).
func (cfg Config) Costs() ([]Cost, error) {
	n, err := plan[float32](cfg)
	if err != nil {
		return nil, err
	}
	type layerCost struct {
		macs   int64 // forward, and the same again for dW
		in, h  int64 // input values and values at the learning point
		frozen bool
	}
	var layers []layerCost
	for _, l := range n.layers {
		lc := layerCost{in: int64(l.in), h: int64(l.units)}
		if l.spec.Kind == ConvBlock {
			lc.macs = int64(l.spec.Channels) * int64(l.conv.ColRows()) * int64(l.conv.ColCols())
			lc.frozen = cfg.FreezeConv
		} else {
			lc.macs = int64(l.in) * int64(l.units)
		}
		layers = append(layers, lc)
	}
	labels := int64(cfg.Labels)
	var forward, all, largest int64
	for _, l := range layers {
		forward += l.macs
		all += l.in + l.h
		largest = max(largest, l.in+l.h)
	}
	last := len(layers) - 1
	var out []Cost
	for _, mode := range Modes() {
		c := Cost{Mode: mode, ForwardMACs: forward, HeldValues: all, Backward: mode == BP || mode == FA}
		c.LearningMACs = layers[last].macs // the output layer learns under every rule
		for k, l := range layers[:last] {
			if l.frozen || mode == Shallow {
				continue
			}
			c.LearningMACs += l.macs // dW_k
			switch mode {
			case BP, FA:
				// δ_{k+1} carried down through W_{k+1} (or B_{k+1}) to layer k.
				c.LearningMACs += layers[k+1].macs
			case DFA, SDFA:
				c.LearningMACs += labels * l.h // e·B_k
			}
		}
		switch mode {
		case DRTP:
			c.HeldValues = largest
		case Shallow:
			c.HeldValues = layers[last].in
		}
		out = append(out, c)
	}
	return out, nil
}

// String writes a cost for a log line.
func (c Cost) String() string {
	return fmt.Sprintf("%s: %d MACs forward, %d learning, %d values held", c.Mode, c.ForwardMACs, c.LearningMACs, c.HeldValues)
}
