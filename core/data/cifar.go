package data

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// The CIFAR-10 binary format (www.cs.toronto.edu/~kriz/cifar.html): records of one
// label byte and 32×32 pixels per channel, red, green then blue, each row-major.
const (
	cifarSide    = 32
	cifarClasses = 10
	cifarPixels  = 3 * cifarSide * cifarSide
	cifarRecord  = 1 + cifarPixels
)

// The reference's per-channel normalisation of CIFAR-10.
var (
	cifarMean = []float64{125.3 / 255, 123.0 / 255, 113.9 / 255}
	cifarStd  = []float64{63.0 / 255, 62.1 / 255, 66.7 / 255}
)

// ReadCIFAR reads a data set named name from r, in the CIFAR-10 binary format: one or
// more whole batch files, one after the other. When flip is set (CIFAR10aug), training
// batches mirror samples at random (see Fill).
func ReadCIFAR(r io.Reader, name string, flip bool) (*Set, error) {
	s := newCIFARSet(name, flip)
	if err := s.appendCIFAR(r, name); err != nil {
		return nil, err
	}
	return s, nil
}

// LoadCIFARDir reads CIFAR-10 from dir: the training set from data_batch_1.bin to
// data_batch_5.bin, the test set from test_batch.bin. With augment (CIFAR10aug), the
// training set has Flip set.
func LoadCIFARDir(dir string, augment bool) (train, test *Set, err error) {
	name := "CIFAR10"
	if augment {
		name = "CIFAR10aug"
	}
	train, test = newCIFARSet(name, augment), newCIFARSet(name, false)
	for _, f := range []struct {
		set  *Set
		file string
	}{
		{train, "data_batch_1.bin"}, {train, "data_batch_2.bin"}, {train, "data_batch_3.bin"},
		{train, "data_batch_4.bin"}, {train, "data_batch_5.bin"}, {test, "test_batch.bin"},
	} {
		if err := f.set.loadCIFAR(filepath.Join(dir, f.file)); err != nil {
			return nil, nil, err
		}
	}
	return train, test, nil
}

// newCIFARSet returns an empty CIFAR-10 set.
func newCIFARSet(name string, flip bool) *Set {
	return &Set{Name: name, Channels: 3, Side: cifarSide, Labels: cifarClasses, Flip: flip,
		pixels: []uint8{}, classes: []uint8{}, levels: levels(cifarMean, cifarStd)}
}

// loadCIFAR appends the records of the file at path to s.
func (s *Set) loadCIFAR(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cifar: %w", err)
	}
	defer f.Close()
	return s.appendCIFAR(f, path)
}

// appendCIFAR appends the records read from r to s; name is used in errors.
func (s *Set) appendCIFAR(r io.Reader, name string) error {
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	switch {
	case err != nil:
		return fmt.Errorf("cifar: %s: %w", name, err)
	case len(data) > maxBytes:
		return fmt.Errorf("cifar: %s: more than the limit of %d bytes", name, int64(maxBytes))
	case len(data) == 0:
		return fmt.Errorf("cifar: %s: empty file", name)
	case len(data)%cifarRecord != 0:
		return fmt.Errorf("cifar: %s: %d bytes is not a whole number of %d-byte records (1 label + 3×32×32 pixels)",
			name, len(data), cifarRecord)
	}
	n := len(data) / cifarRecord
	for i := range n {
		if c := data[i*cifarRecord]; c >= cifarClasses {
			return fmt.Errorf("cifar: %s: record %d has label %d, want 0 to %d", name, i, c, cifarClasses-1)
		}
	}
	for i := range n {
		rec := data[i*cifarRecord : (i+1)*cifarRecord]
		s.classes = append(s.classes, rec[0])
		s.pixels = append(s.pixels, rec[1:]...)
	}
	s.n += n
	return nil
}
