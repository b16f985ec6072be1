package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
)

// The IDX format (yann.lecun.com/exdb/mnist): a big-endian header, magic number
// 0x0000TTDD (T the data type, D the number of dimensions) then one uint32 size per
// dimension, then the data, row-major.
const (
	idxUbyte   = 0x08
	idxImages  = 0x00000803 // ubyte, 3 dimensions: n × rows × cols
	idxLabels  = 0x00000801 // ubyte, 1 dimension: n
	idxClasses = 10         // classes of MNIST and its look-alikes
	maxBytes   = 1 << 31    // no data file may hold more than this
	firstChunk = 1 << 16    // the first read of a file's body
)

// shortError says that the data ended after got bytes, before the header's sizes
// were met.
type shortError struct{ got int64 }

func (e *shortError) Error() string { return fmt.Sprintf("data ends after %d bytes", e.got) }

// Images is the content of an IDX image file: N images of Rows×Cols bytes, one after
// the other, each row-major.
type Images struct {
	N, Rows, Cols int
	Pixels        []uint8
}

// ReadIDXImages reads an IDX image file (magic number 0x00000803) from r, gunzipping it
// when it starts with the gzip magic bytes 1f 8b. name is used in errors.
func ReadIDXImages(r io.Reader, name string) (Images, error) {
	dims, body, err := readIDX(r, idxImages)
	if err != nil {
		return Images{}, fmt.Errorf("idx: %s: %w", name, err)
	}
	n, rows, cols := dims[0], dims[1], dims[2]
	pixels, err := readBody(body, product(n, rows, cols))
	if err != nil {
		err = describeSize(err, fmt.Sprintf("%d images of %dx%d", n, rows, cols))
		return Images{}, fmt.Errorf("idx: %s: %w", name, err)
	}
	return Images{N: int(n), Rows: int(rows), Cols: int(cols), Pixels: pixels}, nil
}

// ReadIDXLabels reads an IDX label file (magic number 0x00000801) from r, gunzipping it
// when it starts with the gzip magic bytes 1f 8b. name is used in errors.
func ReadIDXLabels(r io.Reader, name string) ([]uint8, error) {
	dims, body, err := readIDX(r, idxLabels)
	if err != nil {
		return nil, fmt.Errorf("idx: %s: %w", name, err)
	}
	labels, err := readBody(body, dims[0])
	if err != nil {
		err = describeSize(err, fmt.Sprintf("%d labels", dims[0]))
		return nil, fmt.Errorf("idx: %s: %w", name, err)
	}
	return labels, nil
}

// readIDX reads the header of an IDX stream that should have the magic number want,
// and returns its dimensions and the reader of the data that follows.
func readIDX(r io.Reader, want uint32) ([]uint64, io.Reader, error) {
	r, err := gunzip(r)
	if err != nil {
		return nil, nil, err
	}
	var magic [4]byte
	if n, err := io.ReadFull(r, magic[:]); err != nil {
		return nil, nil, fmt.Errorf("truncated header: %d bytes, want at least 4: %w", n, err)
	}
	got := binary.BigEndian.Uint32(magic[:])
	switch {
	case magic[0] != 0 || magic[1] != 0 || magic[3] != byte(want):
		return nil, nil, fmt.Errorf("wrong magic number 0x%08x, want 0x%08x", got, want)
	case magic[2] != idxUbyte:
		return nil, nil, fmt.Errorf("data type 0x%02x in magic number 0x%08x, want 0x%02x (ubyte)", magic[2], got, idxUbyte)
	}
	sizes := make([]byte, 4*int(magic[3]))
	if n, err := io.ReadFull(r, sizes); err != nil {
		return nil, nil, fmt.Errorf("truncated header: %d of its %d bytes of sizes: %w", n, len(sizes), err)
	}
	dims := make([]uint64, magic[3])
	for i := range dims {
		dims[i] = uint64(binary.BigEndian.Uint32(sizes[4*i:]))
		if dims[i] == 0 {
			return nil, nil, fmt.Errorf("header gives dimension %d size 0", i+1)
		}
	}
	return dims, r, nil
}

// IDXLength returns the length in bytes of a plain (not compressed) ubyte IDX file,
// header and data, as the header at the start of head announces it: what a download
// of the inflated file will come to. ok is false while head is too short to hold the
// header, when it is no ubyte IDX header, or when the length would pass maxBytes.
func IDXLength(head []byte) (n int64, ok bool) {
	if len(head) < 4 || head[0] != 0 || head[1] != 0 || head[2] != idxUbyte || head[3] == 0 {
		return 0, false
	}
	header := 4 + 4*int(head[3]) // the magic number, then one 4-byte size per dimension
	if len(head) < header {
		return 0, false
	}
	dims := make([]uint64, head[3])
	for i := range dims {
		dims[i] = uint64(binary.BigEndian.Uint32(head[4+4*i:]))
	}
	size := product(dims...)
	if size > maxBytes {
		return 0, false
	}
	return int64(header) + int64(size), true
}

// product returns the product of sizes, or the largest uint64 if it overflows.
func product(sizes ...uint64) uint64 {
	p := uint64(1)
	for _, s := range sizes {
		if s != 0 && p > math.MaxUint64/s {
			return math.MaxUint64
		}
		p *= s
	}
	return p
}

// gunzip returns a reader of r's content, uncompressed if r starts with 1f 8b.
func gunzip(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(2)
	if !bytes.Equal(head, []byte{0x1f, 0x8b}) {
		return br, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return zr, nil
}

// readBody reads exactly want bytes from r and checks that nothing follows them. It
// grows its buffer as the data arrives, so a header that claims more than the file
// holds costs no more memory than the file does. When the data ends early it returns
// a *shortError; it never stores more than maxBytes.
func readBody(r io.Reader, want uint64) ([]byte, error) {
	if want > maxBytes {
		n, err := io.CopyN(io.Discard, r, maxBytes+1)
		if err == io.EOF {
			return nil, &shortError{n}
		}
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%d bytes of data, more than the limit of %d", want, int64(maxBytes))
	}
	buf := make([]byte, 0, min(want, firstChunk))
	for uint64(len(buf)) < want {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, int(min(want-uint64(len(buf)), uint64(len(buf)))))
		}
		n, err := io.ReadFull(r, buf[len(buf):min(uint64(cap(buf)), want)])
		buf = buf[:len(buf)+n]
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, &shortError{int64(len(buf))}
		}
		if err != nil {
			return buf, err
		}
	}
	extra, err := io.Copy(io.Discard, r)
	if err != nil {
		return buf, err
	}
	if extra > 0 {
		return buf, fmt.Errorf("trailing garbage: %d bytes after the %d bytes of data the header announces", extra, want)
	}
	return buf, nil
}

// describeSize turns a *shortError from readBody into an error that says what the
// header claimed (what) and what the file held.
func describeSize(err error, what string) error {
	var short *shortError
	if !errors.As(err, &short) {
		return err
	}
	return fmt.Errorf("truncated: header says %s, file holds only %d bytes after the header", what, short.got)
}

// NewIDXSet builds a data set named name from the content of an IDX image file and
// its label file: square images of one channel, pixels scaled to [0, 1], 10 classes.
func NewIDXSet(name string, images Images, labels []uint8) (*Set, error) {
	switch {
	case images.Rows != images.Cols:
		return nil, fmt.Errorf("idx: %s: images are %dx%d, not square", name, images.Rows, images.Cols)
	case images.N != len(labels):
		return nil, fmt.Errorf("idx: %s: %d images but %d labels", name, images.N, len(labels))
	case len(images.Pixels) != images.N*images.Rows*images.Cols:
		return nil, fmt.Errorf("idx: %s: %d bytes of pixels for %d images of %dx%d", name, len(images.Pixels), images.N, images.Rows, images.Cols)
	}
	for i, c := range labels {
		if c >= idxClasses {
			return nil, fmt.Errorf("idx: %s: label %d of sample %d out of range for %d classes", name, c, i, idxClasses)
		}
	}
	return &Set{Name: name, Channels: 1, Side: images.Rows, Labels: idxClasses,
		n: images.N, pixels: images.Pixels, classes: labels, levels: levels([]float64{0}, []float64{1})}, nil
}

// ParseIDXPair builds a data set named name from the bytes of an IDX image file and
// of its label file, each plain or gzipped: what a browser fetches. Plain bytes are
// kept as they are, not copied: the set then shares them.
func ParseIDXPair(images, labels []byte, name string) (*Set, error) {
	imagesName, labelsName := name+" images", name+" labels"
	if isGzip(images) || isGzip(labels) {
		return readIDXPair(name, bytes.NewReader(images), imagesName, bytes.NewReader(labels), labelsName)
	}
	dims, pixels, err := splitIDX(images, idxImages, func(d []uint64) string {
		return fmt.Sprintf("%d images of %dx%d", d[0], d[1], d[2])
	})
	if err != nil {
		return nil, fmt.Errorf("idx: %s: %w", imagesName, err)
	}
	ldims, lb, err := splitIDX(labels, idxLabels, func(d []uint64) string { return fmt.Sprintf("%d labels", d[0]) })
	if err != nil {
		return nil, fmt.Errorf("idx: %s: %w", labelsName, err)
	}
	return NewIDXSet(name, Images{N: int(dims[0]), Rows: int(dims[1]), Cols: int(dims[2]), Pixels: pixels}, lb[:ldims[0]])
}

func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

// splitIDX checks the header of plain IDX bytes and returns its dimensions and the
// data that follows, which must be exactly what the header announces (what describes
// it in errors).
func splitIDX(b []byte, magic uint32, what func([]uint64) string) ([]uint64, []byte, error) {
	dims, _, err := readIDX(bytes.NewReader(b), magic)
	if err != nil {
		return nil, nil, err
	}
	body := b[4+4*len(dims):] // the magic number, then one 4-byte size per dimension
	want := product(dims...)
	switch {
	case uint64(len(body)) < want:
		return nil, nil, describeSize(&shortError{int64(len(body))}, what(dims))
	case uint64(len(body)) > want:
		return nil, nil, fmt.Errorf("trailing garbage: %d bytes after the %d bytes of data the header announces", uint64(len(body))-want, want)
	}
	return dims, body, nil
}

// readIDXPair reads an image file and a label file into a set.
func readIDXPair(name string, images io.Reader, imagesName string, labels io.Reader, labelsName string) (*Set, error) {
	im, err := ReadIDXImages(images, imagesName)
	if err != nil {
		return nil, err
	}
	lb, err := ReadIDXLabels(labels, labelsName)
	if err != nil {
		return nil, err
	}
	return NewIDXSet(name, im, lb)
}

// LoadIDXDir reads a training and a test set from dir in the layout of MNIST (also that
// of Fashion-MNIST and KMNIST): train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each plain or with a .gz suffix.
// Both sets are named "MNIST"; set Name to tell the look-alikes apart.
func LoadIDXDir(dir string) (train, test *Set, err error) {
	if train, err = loadIDXPair(dir, "train"); err != nil {
		return nil, nil, err
	}
	if test, err = loadIDXPair(dir, "t10k"); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// loadIDXPair reads prefix-images-idx3-ubyte and prefix-labels-idx1-ubyte from dir.
func loadIDXPair(dir, prefix string) (*Set, error) {
	images, err := openEither(dir, prefix+"-images-idx3-ubyte")
	if err != nil {
		return nil, err
	}
	defer images.Close()
	labels, err := openEither(dir, prefix+"-labels-idx1-ubyte")
	if err != nil {
		return nil, err
	}
	defer labels.Close()
	return readIDXPair("MNIST", images, images.Name(), labels, labels.Name())
}

// openEither opens dir/base, or dir/base.gz if there is no dir/base.
func openEither(dir, base string) (*os.File, error) {
	for _, name := range []string{base, base + ".gz"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("idx: %w", err)
		}
	}
	return nil, fmt.Errorf("idx: %s: found neither %s nor %s.gz", dir, base, base)
}
