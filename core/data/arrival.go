package data

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// Has reports whether sample i is in: always, but for a set still being assembled
// from parts (an Assembly), which may be trained on as far as its parts have arrived.
func (s *Set) Has(i int) bool {
	if s.arrived == nil {
		return i >= 0 && i < s.n
	}
	return i >= 0 && i < s.n && int(s.partOf[i]) < int(s.arrived.Load())
}

// Arrived returns how many of the set's samples are in.
func (s *Set) Arrived() int {
	if s.arrived == nil {
		return s.n
	}
	return min(int(s.arrived.Load())*PartSize, s.n)
}

// Whole reports whether every sample of the set is in.
func (s *Set) Whole() bool { return s.arrived == nil || int(s.arrived.Load()) == Parts(s.n) }

// Assembly builds an image set whose images arrive in its parts (see PartSize and
// PartSamples), in any order, while its Set is already in use: a sample is
// in (Set.Has) once its part and every part before it have arrived. The labels come
// first, whole.
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
		arrived: new(atomic.Int64), partOf: partLayout(n).part}
	return &Assembly{set: s, have: make([]bool, Parts(n))}, nil
}

// Set returns the set being assembled.
func (a *Assembly) Set() *Set { return a.set }

// Add puts in part p's images (Images.Part's), which must be the part's count of the
// set's size.
func (a *Assembly) Add(p int, images Images) error {
	s := a.set
	parts := len(a.have)
	if p < 0 || p >= parts {
		return fmt.Errorf("idx: %s: part %d of %d", s.Name, p+1, parts)
	}
	members := PartSamples(s.n, p)
	switch want := len(members); {
	case images.Rows != s.Side || images.Cols != s.Side:
		return fmt.Errorf("idx: %s: part %d holds images of %dx%d, the set's are %dx%d", s.Name, p+1, images.Rows, images.Cols, s.Side, s.Side)
	case images.N != want || len(images.Pixels) != images.N*s.Side*s.Side:
		return fmt.Errorf("idx: %s: part %d holds %d images, want %d", s.Name, p+1, images.N, want)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	size := s.size()
	for j, i := range members {
		copy(s.pixels[i*size:(i+1)*size], images.Pixels[j*size:(j+1)*size])
	}
	a.have[p] = true
	in := 0
	for in < parts && a.have[in] {
		in++
	}
	s.arrived.Store(int64(in)) // after the copy: what it counts is there
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
