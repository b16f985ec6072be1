package nn

import (
	"fmt"

	"github.com/nofeedback/lwf/core/tensor"
)

// Param is one tensor of a network: a weight, a bias or a fixed feedback matrix.
type Param[F tensor.Float] struct {
	Name  string // as the reference names it, e.g. layers.0.fc.weight
	Shape []int  // as PyTorch shapes it, e.g. [out, in] for an FC weight
	// Value holds the values in the network's own layout: PyTorch's order, except for
	// FC weights and their FA feedback, which are stored transposed ([in][out]) so that
	// a sparse input costs only its nonzero pixels. Torch and SetTorch convert.
	Value []F
	// Grad is the gradient of the last Gradients call, in the layout of Value; it is
	// nil for parameters that never learn: fixed feedback matrices and frozen layers.
	Grad []F
	// Layer is the block the parameter belongs to, counting from 0; Role is what it is
	// there (Role.Fixed: a feedback matrix, drawn once, never changed).
	Layer int
	Role  Role
	// Frozen marks a conv weight or bias under freeze-conv-layers.
	Frozen bool

	transposed bool // Value is the transpose of Shape[0]×Shape[1]
}

// Size returns the number of elements.
func (p *Param[F]) Size() int { return len(p.Value) }

// Learns reports whether an optimiser should update the parameter.
func (p *Param[F]) Learns() bool { return p.Grad != nil }

// Torch returns a copy of the values in PyTorch's order (row-major over Shape).
func (p *Param[F]) Torch() []F { return p.toTorch(p.Value) }

// TorchGrad returns a copy of the gradient in PyTorch's order, or nil.
func (p *Param[F]) TorchGrad() []F {
	if p.Grad == nil {
		return nil
	}
	return p.toTorch(p.Grad)
}

func (p *Param[F]) toTorch(v []F) []F {
	out := make([]F, len(v))
	if !p.transposed {
		copy(out, v)
		return out
	}
	rows, cols := p.Shape[0], p.Shape[1] // out[r][c] = v[c][r]
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			out[r*cols+c] = v[c*rows+r]
		}
	}
	return out
}

// SetTorch sets the values from a slice in PyTorch's order.
func (p *Param[F]) SetTorch(v []F) error {
	if len(v) != len(p.Value) {
		return fmt.Errorf("%s: got %d values, want %d (shape %v)", p.Name, len(v), len(p.Value), p.Shape)
	}
	if !p.transposed {
		copy(p.Value, v)
		return nil
	}
	rows, cols := p.Shape[0], p.Shape[1]
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			p.Value[c*rows+r] = v[r*cols+c]
		}
	}
	return nil
}

func newParam[F tensor.Float](name string, shape ...int) *Param[F] {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return &Param[F]{Name: name, Shape: shape, Value: make([]F, n)}
}
