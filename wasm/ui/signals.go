package ui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nofeedback/lwf/core/nn"
)

// The paper's Figure 1 for the run on the page: for one rule on one network, where
// each layer's learning signal comes from and its formula, and the row of the
// paper's table for the rule (free of weight transport, update-unlocked). It is
// computed from the settings alone, so that it follows the rule and the topology
// before any training.

// signalSource is where a layer's learning signal comes from.
type signalSource int

// Where a learning signal comes from.
const (
	fromAbove   signalSource = iota // the layer above's δ, back through Wᵀ (BP) or a fixed Bᵀ (FA)
	fromError                       // the output's error e straight (DFA), or its sign (sDFA)
	fromTarget                      // the one-hot target t* straight (DRTP): no error at all
	fromOutput                      // the output layer's own error, e = y − t*
	fromNothing                     // none: the layer keeps its initial weights (shallow, frozen)
)

// pathLayer is one layer of a signal-path diagram.
type pathLayer struct {
	name    string // as drawn: "FC 500", "CONV 32 5×5, pool", "FC 10 (output)"
	source  signalSource
	through string // the matrix the signal passes: "W₂ᵀ", "B₂ᵀ", "B₁ᵀ"; "" for none
	formula string // "δ₁ = (W₂ᵀ δ₂) ⊙ f′(a₁)"
}

// signalPath is the diagram of one rule on one network.
type signalPath struct {
	mode   nn.Mode
	layers []pathLayer // the first layer first, the output layer last
	// The row of the paper's table: "yes", "no", or "–" where the question does not
	// arise (shallow learning sends no signal to the hidden layers).
	transportFree, unlocked string
}

// signalPathOf draws the diagram of mode on the network specs, whose conv blocks
// keep their initial weights when frozenConv is set.
func signalPathOf(mode nn.Mode, specs []nn.BlockSpec, frozenConv bool) signalPath {
	sp := signalPath{mode: mode, transportFree: "yes", unlocked: "no"}
	switch mode {
	case nn.BP:
		sp.transportFree = "no"
	case nn.DRTP:
		sp.unlocked = "yes"
	case nn.Shallow:
		sp.transportFree, sp.unlocked = "–", "–"
	}
	last := len(specs) // layers are numbered 1..last, as the paper does
	for i, spec := range specs {
		k := i + 1
		l := pathLayer{name: blockName(spec, k == last)}
		frozen := frozenConv && spec.Kind == nn.ConvBlock
		switch {
		case k == last:
			l.source, l.formula = fromOutput, fmt.Sprintf("δ%s = e = y − t*", sub(k))
		case frozen || mode == nn.Shallow:
			l.source, l.formula = fromNothing, fmt.Sprintf("δ%s = 0: keeps its initial weights", sub(k))
		default:
			l.source, l.through, l.formula = hiddenSignal(mode, k)
		}
		sp.layers = append(sp.layers, l)
	}
	return sp
}

// hiddenSignal is the learning signal of hidden layer k under a rule that trains it.
func hiddenSignal(mode nn.Mode, k int) (signalSource, string, string) {
	f := fmt.Sprintf(" ⊙ f′(a%s)", sub(k))
	switch mode {
	case nn.BP:
		w := "W" + sub(k+1) + "ᵀ"
		return fromAbove, w, fmt.Sprintf("δ%s = (%s δ%s)", sub(k), w, sub(k+1)) + f
	case nn.FA:
		b := "B" + sub(k+1) + "ᵀ"
		return fromAbove, b, fmt.Sprintf("δ%s = (%s δ%s)", sub(k), b, sub(k+1)) + f
	case nn.DFA:
		b := "B" + sub(k) + "ᵀ"
		return fromError, b, fmt.Sprintf("δ%s = (%s e)", sub(k), b) + f
	case nn.SDFA:
		b := "B" + sub(k) + "ᵀ"
		return fromError, b, fmt.Sprintf("δ%s = (%s sign(e))", sub(k), b) + f
	default: // DRTP
		b := "B" + sub(k) + "ᵀ"
		return fromTarget, b, fmt.Sprintf("δ%s = (%s t*)", sub(k), b) + f
	}
}

// blockName is a block as the diagram labels it.
func blockName(spec nn.BlockSpec, output bool) string {
	if spec.Kind == nn.ConvBlock {
		return fmt.Sprintf("CONV %d %d×%d, pool", spec.Channels, spec.Kernel, spec.Kernel)
	}
	if output {
		return fmt.Sprintf("FC %d (output)", spec.Units)
	}
	return fmt.Sprintf("FC %d", spec.Units)
}

// sub writes n in subscript digits.
func sub(n int) string {
	return strings.Map(func(r rune) rune { return '₀' + (r - '0') }, fmt.Sprint(n))
}

// describe is the diagram as text, one line a layer from the output down, then the
// table's row: the canvas's text alternative.
func (sp signalPath) describe() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s: ", sp.mode)
	for i := len(sp.layers) - 1; i >= 0; i-- {
		l := sp.layers[i]
		fmt.Fprintf(&sb, "%s, %s", l.name, l.formula)
		switch l.source {
		case fromAbove:
			fmt.Fprintf(&sb, " (from the layer above, through %s)", l.through)
		case fromError:
			fmt.Fprintf(&sb, " (the output's error, straight through %s)", l.through)
		case fromTarget:
			fmt.Fprintf(&sb, " (the target alone, straight through %s)", l.through)
		}
		sb.WriteString("; ")
	}
	fmt.Fprintf(&sb, "free of weight transport: %s; update-unlocked: %s.", sp.transportFree, sp.unlocked)
	return sb.String()
}

// matrices returns, in the order of the layers, the fixed feedback matrices the
// path's signals pass through, by their pictures' names ("B1", "B2"), each once:
// what a reader can open from the diagram. BP's Wᵀ is not one.
func (sp signalPath) matrices() []string {
	var names []string
	for _, l := range sp.layers {
		if name := matrixName(l.through); name != "" && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names
}

// matrixName is the picture's name of a feedback matrix as the diagram writes it
// ("B₂ᵀ" is "B2"), "" for none or for W.
func matrixName(through string) string {
	if !strings.HasPrefix(through, "B") {
		return ""
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '₀' && r <= '₉':
			return '0' + (r - '₀')
		case r == 'ᵀ':
			return -1
		}
		return r
	}, through)
}

// signalColumns is the diagram's horizontal layout on a canvas w wide: the width of
// each of its boxes (the input, the layers, the target) and the gap between them.
func signalColumns(w float64, layers int) (box, gap float64) {
	n := float64(layers + 2)
	gap = 14
	return (w - gap*(n-1)) / n, gap
}

// layerAt returns the layer (from 0) whose column holds x on a diagram w wide, or
// -1 over the input, the target or a gap.
func layerAt(x, w float64, layers int) int {
	box, gap := signalColumns(w, layers)
	i := int(x / (box + gap))
	if x < 0 || x-float64(i)*(box+gap) > box || i < 1 || i > layers {
		return -1
	}
	return i - 1
}
