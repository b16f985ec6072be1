// Package optim holds the optimisers of the reference, with PyTorch's semantics and
// no weight decay: SGD with momentum, Nesterov momentum (NAG), Adam and RMSprop.
package optim

import (
	"fmt"
	"math"
	"strings"

	"github.com/nofeedback/lwf/core/tensor"
)

// Kind names an optimiser.
type Kind int

// The optimisers of the reference.
const (
	SGD     Kind = iota // v = 0.9v + g; p −= lr·v
	NAG                 // v = 0.9v + g; p −= lr·(g + 0.9v)
	Adam                // β = (0.9, 0.999), ε = 1e-8, bias-corrected
	RMSprop             // s = 0.99s + 0.01g²; p −= lr·g/(√s + ε)
)

var kindNames = []string{SGD: "SGD", NAG: "NAG", Adam: "Adam", RMSprop: "RMSprop"}

// Kinds lists every optimiser.
func Kinds() []Kind { return []Kind{SGD, NAG, Adam, RMSprop} }

// String returns the optimiser's name as the reference spells it.
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("Kind(%d)", int(k))
	}
	return kindNames[k]
}

// ParseKind reads an optimiser's name: SGD, NAG, Adam or RMSprop (any case).
func ParseKind(s string) (Kind, error) {
	for k, name := range kindNames {
		if strings.EqualFold(s, name) {
			return Kind(k), nil
		}
	}
	return 0, fmt.Errorf("unknown optimizer %q (want one of %s)", s, strings.Join(kindNames, ", "))
}

// Hyper-parameters fixed by the reference.
const (
	momentum = 0.9
	beta1    = 0.9
	beta2    = 0.999
	alpha    = 0.99 // RMSprop smoothing
	eps      = 1e-8
)

// Slot is one parameter an optimiser updates: its values and the gradient the
// network writes before each Step.
type Slot[F tensor.Float] struct {
	Value []F
	Grad  []F
}

// Optimizer updates a fixed list of parameters from their gradients.
type Optimizer[F tensor.Float] struct {
	kind  Kind
	lr    float64
	slots []Slot[F]
	m, v  [][]F // per slot: momentum or first moment; second moment (Adam, RMSprop)
	step  int
}

// New returns an optimiser of the given kind for slots, with learning rate lr (a
// positive finite number). Its state starts at zero.
func New[F tensor.Float](kind Kind, lr float64, slots []Slot[F]) (*Optimizer[F], error) {
	if kind < 0 || int(kind) >= len(kindNames) {
		return nil, fmt.Errorf("unknown optimizer %d", int(kind))
	}
	if err := CheckLearningRate(lr); err != nil {
		return nil, err
	}
	o := &Optimizer[F]{kind: kind, lr: lr, slots: slots, m: make([][]F, len(slots)), v: make([][]F, len(slots))}
	for i, s := range slots {
		if len(s.Grad) != len(s.Value) {
			return nil, fmt.Errorf("optimizer slot %d: %d gradients for %d values", i, len(s.Grad), len(s.Value))
		}
		o.m[i] = make([]F, len(s.Value))
		if kind == Adam || kind == RMSprop {
			o.v[i] = make([]F, len(s.Value))
		}
	}
	return o, nil
}

// CheckLearningRate returns an error unless lr is a positive finite number.
func CheckLearningRate(lr float64) error {
	if !(lr > 0) || math.IsInf(lr, 0) {
		return fmt.Errorf("learning rate %v: must be a positive finite number", lr)
	}
	return nil
}

// Kind returns the optimiser's kind.
func (o *Optimizer[F]) Kind() Kind { return o.kind }

// LR returns the learning rate.
func (o *Optimizer[F]) LR() float64 { return o.lr }

// Steps returns how many steps were taken.
func (o *Optimizer[F]) Steps() int { return o.step }

// Step updates every slot from its current gradient.
func (o *Optimizer[F]) Step() {
	o.step++
	lr := F(o.lr)
	// The coefficients of this step, the same for every slot.
	adam, rmsprop := o.adamCoefficients(), tensor.RMSpropCoefficients[F]{LR: lr, Alpha: alpha, OneMinusAlpha: 1 - alpha, Eps: eps}
	for i, s := range o.slots {
		p, g, m := s.Value, s.Grad[:len(s.Value)], o.m[i][:len(s.Value)]
		switch o.kind {
		case SGD:
			for j, gj := range g {
				m[j] = F(momentum*m[j]) + gj // v = 0.9v + g
				p[j] -= F(lr * m[j])         // p −= lr·v
			}
		case NAG:
			tensor.NAGStep(p, g, m, lr, momentum) // v = 0.9v + g; p −= lr·(g + 0.9v)
		case Adam:
			tensor.AdamStep(p, g, m, o.v[i][:len(p)], adam)
		case RMSprop:
			tensor.RMSpropStep(p, g, o.v[i][:len(p)], rmsprop) // s = 0.99s + 0.01g²; p −= lr·g/(√s + ε)
		}
	}
}

// adamCoefficients are those of a bias-corrected Adam step at the current step t, in
// PyTorch's order of operations:
// m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²; p −= (lr/(1−β₁ᵗ))·m/(√v/√(1−β₂ᵗ) + ε).
// The bias corrections are computed in float64, then rounded to F.
func (o *Optimizer[F]) adamCoefficients() tensor.AdamCoefficients[F] {
	t := float64(o.step)
	return tensor.AdamCoefficients[F]{
		OneMinusBeta1: 1 - beta1, Beta2: beta2, OneMinusBeta2: 1 - beta2, Eps: eps,
		StepSize: F(o.lr / (1 - math.Pow(beta1, t))),
		BC2Sqrt:  F(math.Sqrt(1 - math.Pow(beta2, t))),
	}
}
