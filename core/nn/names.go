package nn

import (
	"fmt"
	"strings"
)

// Mode is a learning rule: how the hidden layers get their learning signal.
type Mode int

// The six learning rules of the reference.
const (
	BP      Mode = iota // backpropagation: the true gradient
	FA                  // feedback alignment: the error backpropagated through fixed random B
	DFA                 // direct feedback alignment: e·B_k straight from the output
	SDFA                // sign-DFA: sign(e)·B_k
	DRTP                // direct random target projection: t·B_k, no error at all
	Shallow             // hidden layers keep their initial weights
)

var modeNames = []string{BP: "BP", FA: "FA", DFA: "DFA", SDFA: "sDFA", DRTP: "DRTP", Shallow: "shallow"}

// Modes lists every learning rule in the reference's order.
func Modes() []Mode { return []Mode{BP, FA, DFA, SDFA, DRTP, Shallow} }

// String returns the rule's name as the reference spells it.
func (m Mode) String() string {
	if m < 0 || int(m) >= len(modeNames) {
		return fmt.Sprintf("Mode(%d)", int(m))
	}
	return modeNames[m]
}

// ParseMode reads a rule's name (BP, FA, DFA, sDFA, DRTP or shallow; any case).
func ParseMode(s string) (Mode, error) {
	for m, name := range modeNames {
		if strings.EqualFold(s, name) {
			return Mode(m), nil
		}
	}
	return 0, fmt.Errorf("unknown train mode %q (want one of %s)", s, strings.Join(modeNames, ", "))
}

// MarshalText writes the rule's name, so that messages and files carry BP, not 0.
func (m Mode) MarshalText() ([]byte, error) {
	if m < 0 || int(m) >= len(modeNames) {
		return nil, fmt.Errorf("unknown train mode %d", int(m))
	}
	return []byte(modeNames[m]), nil
}

// UnmarshalText reads a rule's name as ParseMode does.
func (m *Mode) UnmarshalText(b []byte) error {
	v, err := ParseMode(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// usesHookFeedback reports whether the rule projects a signal straight from the output
// onto each hidden layer through a fixed matrix B_k of shape [labels, units].
func (m Mode) usesHookFeedback() bool { return m == DFA || m == SDFA || m == DRTP }

// Activation is an element-wise nonlinearity.
type Activation int

// The activations of the reference. None is the identity (output layer only).
const (
	Tanh Activation = iota
	Sigmoid
	ReLU
	None
)

var activationNames = []string{Tanh: "tanh", Sigmoid: "sigmoid", ReLU: "relu", None: "none"}

// String returns the activation's name as the reference spells it.
func (a Activation) String() string {
	if a < 0 || int(a) >= len(activationNames) {
		return fmt.Sprintf("Activation(%d)", int(a))
	}
	return activationNames[a]
}

// ParseHiddenActivation reads a conv or hidden activation: tanh, sigmoid or relu.
func ParseHiddenActivation(s string) (Activation, error) {
	return parseActivation(s, []Activation{Tanh, Sigmoid, ReLU})
}

// ParseOutputActivation reads an output activation: sigmoid, tanh or none.
func ParseOutputActivation(s string) (Activation, error) {
	return parseActivation(s, []Activation{Sigmoid, Tanh, None})
}

func parseActivation(s string, allowed []Activation) (Activation, error) {
	names := make([]string, len(allowed))
	for i, a := range allowed {
		if strings.EqualFold(s, a.String()) {
			return a, nil
		}
		names[i] = a.String()
	}
	return 0, fmt.Errorf("unknown activation %q (want one of %s)", s, strings.Join(names, ", "))
}

// Loss is the cost the output layer minimises.
type Loss int

// The losses of the reference.
const (
	MSE Loss = iota // mean squared error over all elements
	BCE             // binary cross-entropy, mean over all elements
	CE              // cross-entropy: log-softmax and negative log-likelihood, mean over the batch
)

var lossNames = []string{MSE: "MSE", BCE: "BCE", CE: "CE"}

// String returns the loss's name as the reference spells it.
func (l Loss) String() string {
	if l < 0 || int(l) >= len(lossNames) {
		return fmt.Sprintf("Loss(%d)", int(l))
	}
	return lossNames[l]
}

// ParseLoss reads a loss's name: MSE, BCE or CE (any case).
func ParseLoss(s string) (Loss, error) {
	for l, name := range lossNames {
		if strings.EqualFold(s, name) {
			return Loss(l), nil
		}
	}
	return 0, fmt.Errorf("unknown loss %q (want one of %s)", s, strings.Join(lossNames, ", "))
}
