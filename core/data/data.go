// Package data holds the data sets the networks learn from: readers of the MNIST (IDX)
// and CIFAR-10 files, the synthetic regression and classification sets, and seeded
// shuffling and batching.
package data

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"
	"sync/atomic"

	"github.com/nofeedback/lwf/core/tensor"
)

// Batch is n samples: inputs X (n × channels × side × side, channel-major), targets T
// (n × labels) and, for classification, each sample's class (nil for real-valued
// targets).
type Batch[F tensor.Float] struct {
	X      []F
	T      []F
	Labels []int
	N      int
}

// Set is a data set in memory: Len samples of Channels×Side×Side inputs
// (channel-major) and, for each, a class (classification) or Labels real targets
// (regression).
type Set struct {
	Name                   string
	Channels, Side, Labels int  // inputs are Channels×Side×Side; Labels output units
	Flip                   bool // training batches mirror each sample left-right with probability 1/2 (CIFAR10aug)

	n       int
	pixels  []uint8        // image sets: n × size bytes
	levels  [][256]float64 // image sets: the input value of each byte, per channel
	values  []float32      // synthetic sets: n × size inputs
	classes []uint8        // classification sets: the class of each sample
	targets []float32      // regression sets: n × Labels targets
	arrived *atomic.Int64  // a set being assembled: its first parts in so far (Has); nil when whole
	partOf  []int32        // a set being assembled: the part of each sample (PartSamples)
}

// size is the number of input values of one sample.
func (s *Set) size() int { return s.Channels * s.Side * s.Side }

// Len returns the number of samples.
func (s *Set) Len() int { return s.n }

// Classification reports whether each sample has a class (one-hot targets), rather
// than real-valued targets.
func (s *Set) Classification() bool { return s.targets == nil }

// Class returns the class of sample i, or −1 for regression sets and for i out of
// range.
func (s *Set) Class(i int) int {
	if !s.Classification() || i < 0 || i >= s.n {
		return -1
	}
	return int(s.classes[i])
}

// Subset returns the first n samples of s (all of them if n > Len), sharing s's
// storage: for short runs.
func (s *Set) Subset(n int) *Set { return s.slice(0, min(max(n, 0), s.n)) }

// HoldOut splits s in two: its first Len−n samples, and its last n samples as a
// validation set, both sharing s's storage. The rule is fixed (the last n of the file,
// whatever the seed), so every run and rule holds out the same samples; n must leave
// at least one sample on each side.
func (s *Set) HoldOut(n int) (rest, held *Set, err error) {
	if n < 1 || n >= s.n {
		return nil, nil, fmt.Errorf("holding out %d of %d samples: want 1 to %d", n, s.n, s.n-1)
	}
	return s.slice(0, s.n-n), s.slice(s.n-n, s.n), nil
}

// Spread returns n samples of s taken evenly across it (sample ⌊i·Len/n⌋ for i < n),
// copied into a set of their own; all of them if n ≥ Len. A fixed, representative
// subset: the first samples of a file are often not (MNIST's first test digits are
// harder than the rest).
//
// The copy is whole: take it of a set whose samples have all arrived.
func (s *Set) Spread(n int) *Set {
	if n >= s.n {
		return s
	}
	n = max(n, 0)
	t := *s
	t.arrived, t.partOf = nil, nil
	t.n = n
	size := s.size()
	copyRows := func(src []uint8, width int) []uint8 {
		dst := make([]uint8, n*width)
		for i := 0; i < n; i++ {
			j := i * s.n / n
			copy(dst[i*width:(i+1)*width], src[j*width:(j+1)*width])
		}
		return dst
	}
	copyRows32 := func(src []float32, width int) []float32 {
		dst := make([]float32, n*width)
		for i := 0; i < n; i++ {
			j := i * s.n / n
			copy(dst[i*width:(i+1)*width], src[j*width:(j+1)*width])
		}
		return dst
	}
	if s.pixels != nil {
		t.pixels = copyRows(s.pixels, size)
	}
	if s.values != nil {
		t.values = copyRows32(s.values, size)
	}
	if s.classes != nil {
		t.classes = copyRows(s.classes, 1)
	}
	if s.targets != nil {
		t.targets = copyRows32(s.targets, s.Labels)
	}
	return &t
}

// slice returns samples from..to−1 of s, sharing its storage.
func (s *Set) slice(from, to int) *Set {
	t := *s
	t.n = to - from
	size := s.size()
	if t.pixels != nil {
		t.pixels = s.pixels[from*size : to*size]
	}
	if t.values != nil {
		t.values = s.values[from*size : to*size]
	}
	if t.classes != nil {
		t.classes = s.classes[from:to]
	}
	if t.targets != nil {
		t.targets = s.targets[from*s.Labels : to*s.Labels]
	}
	return &t
}

// grow returns buf resliced to n values, reusing its storage when it is big enough.
func grow[T any](buf []T, n int) []T {
	if cap(buf) >= n {
		return buf[:n]
	}
	return make([]T, n)
}

// Fill writes the samples idx of s into b: b.X (len(idx) × Channels·Side·Side), b.T
// (one-hot rows for classification, the real targets for regression), b.Labels (nil
// for regression) and b.N. It reuses b's slices when they are big enough. When augment
// is true and s.Flip is set, each sample is mirrored left-right with probability 1/2,
// drawn from rng (which may be nil otherwise). It returns an error, and leaves b
// unchanged, for an index out of range or a missing rng.
func Fill[F tensor.Float](s *Set, b *Batch[F], idx []int, augment bool, rng *rand.Rand) error {
	for _, i := range idx {
		if i < 0 || i >= s.n {
			return fmt.Errorf("data: %s: sample %d out of range [0, %d)", s.Name, i, s.n)
		}
		if !s.Has(i) {
			return fmt.Errorf("data: %s: sample %d has not arrived yet (its part, %d of %d, has not)", s.Name, i, s.partOf[i]+1, Parts(s.n))
		}
	}
	flip := augment && s.Flip
	if flip && rng == nil {
		return errors.New("data: " + s.Name + ": flipping samples needs a random generator")
	}
	n, size := len(idx), s.size()
	b.N = n
	b.X = grow(b.X, n*size)
	b.T = grow(b.T, n*s.Labels)
	for k, i := range idx {
		x := b.X[k*size : (k+1)*size]
		input(s, x, i)
		if flip && rng.IntN(2) == 1 {
			mirror(x, s.Channels, s.Side)
		}
	}
	if !s.Classification() {
		b.Labels = nil
		for k, i := range idx {
			for j, v := range s.targets[i*s.Labels : (i+1)*s.Labels] {
				b.T[k*s.Labels+j] = F(v)
			}
		}
		return nil
	}
	b.Labels = grow(b.Labels, n)
	clear(b.T)
	for k, i := range idx {
		c := int(s.classes[i])
		b.Labels[k] = c
		b.T[k*s.Labels+c] = 1
	}
	return nil
}

// input writes the input values of sample i of s into x.
func input[F tensor.Float](s *Set, x []F, i int) {
	size := s.size()
	if s.values != nil {
		for j, v := range s.values[i*size : (i+1)*size] {
			x[j] = F(v)
		}
		return
	}
	plane := s.Side * s.Side
	p := s.pixels[i*size : (i+1)*size]
	for c := range s.Channels {
		lv := &s.levels[c]
		for j := c * plane; j < (c+1)*plane; j++ {
			x[j] = F(lv[p[j]])
		}
	}
}

// mirror flips each side×side plane of x left-right.
func mirror[F tensor.Float](x []F, channels, side int) {
	for r := range channels * side {
		row := x[r*side : (r+1)*side]
		for a, z := 0, side-1; a < z; a, z = a+1, z-1 {
			row[a], row[z] = row[z], row[a]
		}
	}
}

// Image returns sample i as 8-bit pixels for display: an *image.Gray for one channel,
// an *image.RGBA for three. It returns nil for synthetic sets and for i out of range.
func (s *Set) Image(i int) image.Image {
	if s.pixels == nil || i < 0 || i >= s.n {
		return nil
	}
	plane := s.Side * s.Side
	p := s.pixels[i*s.size() : (i+1)*s.size()]
	rect := image.Rect(0, 0, s.Side, s.Side)
	switch s.Channels {
	case 1:
		g := image.NewGray(rect)
		copy(g.Pix, p)
		return g
	case 3:
		m := image.NewRGBA(rect)
		for j := range plane {
			m.SetRGBA(j%s.Side, j/s.Side, color.RGBA{p[j], p[plane+j], p[2*plane+j], 255})
		}
		return m
	}
	return nil
}

// levels returns, for each channel, the input value of each byte:
// (p/255 − mean_c)/std_c.
func levels(mean, std []float64) [][256]float64 {
	lv := make([][256]float64, len(mean))
	for c := range lv {
		for p := range 256 {
			lv[c][p] = (float64(p)/255 - mean[c]) / std[c]
		}
	}
	return lv
}
