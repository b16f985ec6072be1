package data

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// Arrived returns how many of the set's samples are in, counted from the first: all
// of them but for a set still being assembled from parts (an Assembly), which may be
// trained on as far as it has arrived.
func (s *Set) Arrived() int {
	if s.arrived == nil {
		return s.n
	}
	return min(int(s.arrived.Load()), s.n)
}

// Assembly builds an image set whose images arrive in parts of PartSize (the last part
// fewer), in any order, while its Set is already in use: Set().Arrived() is the count
// of samples before the first part still missing. The labels come first, whole.
type Assembly struct {
	set  *Set
	mu   sync.Mutex
	have []bool // per part
}

// NewAssembly starts the set named name of len(labels) images of side×side bytes, one
// channel, 10 classes (MNIST's layout), none of whose images has arrived.
func NewAssembly(name string, side int, labels []uint8) (*Assembly, error) {
	for i, c := range labels {
		if c >= idxClasses {
			return nil, fmt.Errorf("idx: %s: label %d of sample %d out of range for %d classes", name, c, i, idxClasses)
		}
	}
	if side < 1 {
		return nil, fmt.Errorf("idx: %s: images of side %d", name, side)
	}
	n := len(labels)
	s := &Set{Name: name, Channels: 1, Side: side, Labels: idxClasses, n: n,
		pixels: make([]uint8, n*side*side), classes: labels, levels: levels([]float64{0}, []float64{1}),
		arrived: new(atomic.Int64)}
	return &Assembly{set: s, have: make([]bool, Parts(n))}, nil
}

// Set returns the set being assembled.
func (a *Assembly) Set() *Set { return a.set }

// Add puts in part p's images, which must be the part's count of the set's size.
func (a *Assembly) Add(p int, images Images) error {
	s := a.set
	if p < 0 || p >= len(a.have) {
		return fmt.Errorf("idx: %s: part %d of %d", s.Name, p+1, len(a.have))
	}
	from, to := p*PartSize, min((p+1)*PartSize, s.n)
	switch {
	case images.Rows != s.Side || images.Cols != s.Side:
		return fmt.Errorf("idx: %s: part %d holds images of %dx%d, the set's are %dx%d", s.Name, p+1, images.Rows, images.Cols, s.Side, s.Side)
	case images.N != to-from || len(images.Pixels) != images.N*s.Side*s.Side:
		return fmt.Errorf("idx: %s: part %d holds %d images, want %d (samples %d to %d)", s.Name, p+1, images.N, to-from, from+1, to)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	size := s.size()
	copy(s.pixels[from*size:to*size], images.Pixels)
	a.have[p] = true
	in := 0
	for in < len(a.have) && a.have[in] {
		in++
	}
	s.arrived.Store(int64(min(in*PartSize, s.n))) // after the copy: what it counts is there
	return nil
}

// Missing returns the parts not in yet, in order.
func (a *Assembly) Missing() []int {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []int
	for p, ok := range a.have {
		if !ok {
			out = append(out, p)
		}
	}
	return out
}
