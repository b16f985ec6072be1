package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"image"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// idxFile returns an IDX file: the magic number, the sizes, then data.
func idxFile(magic uint32, sizes []uint32, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	for _, s := range sizes {
		b = binary.BigEndian.AppendUint32(b, s)
	}
	return append(b, data...)
}

// gzipped returns b compressed with gzip.
func gzipped(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, err := w.Write(b)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// sequence returns n bytes 0, 1, 2, … (mod 256), starting at from.
func sequence(n, from int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(from + i)
	}
	return b
}

func TestIDXRoundTrip(t *testing.T) {
	trainPixels, testPixels := sequence(3*4*4, 0), sequence(2*4*4, 200)
	trainLabels, testLabels := []byte{7, 0, 9}, []byte{3, 5}
	files := map[string][]byte{
		"train-images-idx3-ubyte": idxFile(idxImages, []uint32{3, 4, 4}, trainPixels),
		"train-labels-idx1-ubyte": idxFile(idxLabels, []uint32{3}, trainLabels),
		"t10k-images-idx3-ubyte":  idxFile(idxImages, []uint32{2, 4, 4}, testPixels),
		"t10k-labels-idx1-ubyte":  idxFile(idxLabels, []uint32{2}, testLabels),
	}
	for _, gz := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "gzip"}[gz], func(t *testing.T) {
			dir := t.TempDir()
			for name, b := range files {
				if gz {
					name, b = name+".gz", gzipped(t, b)
				}
				require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
			}
			train, test, err := LoadIDXDir(dir)
			require.NoError(t, err)
			for _, c := range []struct {
				set    *Set
				pixels []byte
				labels []byte
			}{{train, trainPixels, trainLabels}, {test, testPixels, testLabels}} {
				assert.Equal(t, "MNIST", c.set.Name)
				assert.Equal(t, len(c.labels), c.set.Len())
				assert.Equal(t, []int{1, 4, 10}, []int{c.set.Channels, c.set.Side, c.set.Labels})
				assert.True(t, c.set.Classification())
				var b Batch[float64]
				idx := []int{}
				for i, l := range c.labels {
					assert.Equal(t, int(l), c.set.Class(i))
					assert.Equal(t, c.pixels[i*16:(i+1)*16], c.set.Image(i).(*image.Gray).Pix)
					idx = append(idx, i)
				}
				require.NoError(t, Fill(c.set, &b, idx, false, nil))
				for j, p := range c.pixels {
					assert.Equal(t, float64(p)/255, b.X[j])
				}
			}
		})
	}
}

func TestParseIDXPair(t *testing.T) {
	images := idxFile(idxImages, []uint32{2, 3, 3}, sequence(18, 0))
	labels := idxFile(idxLabels, []uint32{2}, []byte{4, 2})
	s, err := ParseIDXPair(gzipped(t, images), labels, "Fashion-MNIST")
	require.NoError(t, err)
	assert.Equal(t, "Fashion-MNIST", s.Name)
	assert.Equal(t, 2, s.Len())
	assert.Equal(t, 3, s.Side)
	assert.Equal(t, []int{4, 2}, []int{s.Class(0), s.Class(1)})

	// Plain bytes are kept, not copied: a browser's 47 MB of MNIST pixels stay where
	// they landed.
	plain, err := ParseIDXPair(images, labels, "MNIST")
	require.NoError(t, err)
	assert.Equal(t, s.pixels, plain.pixels)
	assert.Same(t, &images[16], &plain.pixels[0])
}

func TestIDXBadFilesAreRefused(t *testing.T) {
	goodImages := idxFile(idxImages, []uint32{3, 4, 4}, sequence(48, 0))
	goodLabels := idxFile(idxLabels, []uint32{3}, []byte{1, 2, 3})
	for _, c := range []struct {
		name           string
		images, labels []byte
		want           []string
	}{
		{"labels given as images", goodLabels, goodLabels,
			[]string{"idx: x images:", "wrong magic number 0x00000801, want 0x00000803"}},
		{"images given as labels", goodImages, goodImages,
			[]string{"idx: x labels:", "wrong magic number 0x00000803, want 0x00000801"}},
		{"not IDX at all", []byte("<html>not found</html>"), goodLabels,
			[]string{"wrong magic number 0x3c68746d"}},
		{"float data", idxFile(0x00000d03, []uint32{3, 4, 4}, make([]byte, 4*48)), goodLabels,
			[]string{"data type 0x0d", "want 0x08 (ubyte)"}},
		{"empty file", nil, goodLabels, []string{"truncated header: 0 bytes"}},
		{"header cut in the sizes", goodImages[:10], goodLabels, []string{"truncated header: 6 of its 12 bytes"}},
		{"truncated pixels", goodImages[:16+40], goodLabels,
			[]string{"truncated: header says 3 images of 4x4, file holds only 40 bytes"}},
		{"truncated gzipped pixels", gzipped(t, goodImages[:16+40]), goodLabels,
			[]string{"truncated: header says 3 images of 4x4, file holds only 40 bytes"}},
		{"truncated labels", goodImages, goodLabels[:9], []string{"truncated: header says 3 labels, file holds only 1 bytes"}},
		{"trailing garbage", append(bytes.Clone(goodImages), 1, 2, 3, 4, 5), goodLabels,
			[]string{"trailing garbage: 5 bytes"}},
		{"zero images", idxFile(idxImages, []uint32{0, 4, 4}, nil), goodLabels, []string{"dimension 1 size 0"}},
		{"not square", idxFile(idxImages, []uint32{3, 4, 2}, make([]byte, 24)), goodLabels,
			[]string{"images are 4x2, not square"}},
		{"counts differ", goodImages, idxFile(idxLabels, []uint32{2}, []byte{1, 2}),
			[]string{"3 images but 2 labels"}},
		{"label out of range", goodImages, idxFile(idxLabels, []uint32{3}, []byte{1, 10, 2}),
			[]string{"label 10 of sample 1 out of range for 10 classes"}},
		{"broken gzip", []byte{0x1f, 0x8b, 0, 0, 0}, goodLabels, []string{"idx: x images: gzip:"}},
		{"corrupt gzip body", gzipped(t, goodImages)[:30], goodLabels, []string{"idx: x images:"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { _, err = ParseIDXPair(c.images, c.labels, "x") })
			require.Error(t, err)
			for _, w := range c.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestIDXHugeHeaderIsRefusedWithoutAllocating(t *testing.T) {
	body := make([]byte, 1000)
	readImages := func(b []byte) error { _, err := ReadIDXImages(bytes.NewReader(b), "big"); return err }
	readLabels := func(b []byte) error { _, err := ReadIDXLabels(bytes.NewReader(b), "big"); return err }
	for _, c := range []struct {
		name string
		read func([]byte) error
		file []byte
		want string
	}{
		{"10^9 images, plain", readImages, idxFile(idxImages, []uint32{1e9, 28, 28}, body),
			"idx: big: truncated: header says 1000000000 images of 28x28, file holds only 1000 bytes"},
		{"10^9 images, gzip", readImages, gzipped(t, idxFile(idxImages, []uint32{1e9, 28, 28}, body)),
			"truncated: header says 1000000000 images of 28x28, file holds only 1000 bytes"},
		{"2·10^6 images, under the size limit", readImages, idxFile(idxImages, []uint32{2e6, 28, 28}, body),
			"truncated: header says 2000000 images of 28x28, file holds only 1000 bytes"},
		{"sizes whose product overflows", readImages, idxFile(idxImages, []uint32{1<<32 - 1, 1<<32 - 1, 1<<32 - 1}, body),
			"file holds only 1000 bytes"},
		{"10^9 labels", readLabels, gzipped(t, idxFile(idxLabels, []uint32{1e9}, body)),
			"truncated: header says 1000000000 labels, file holds only 1000 bytes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			err := c.read(c.file)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "allocated for what the header claims")
			assert.Less(t, elapsed, time.Second)
		})
	}
}

func TestLoadIDXDirNamesMissingFiles(t *testing.T) {
	dir := t.TempDir()
	_, _, err := LoadIDXDir(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "found neither train-images-idx3-ubyte nor train-images-idx3-ubyte.gz")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "train-images-idx3-ubyte.gz"),
		gzipped(t, idxFile(idxImages, []uint32{1, 2, 2}, make([]byte, 4))), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "train-labels-idx1-ubyte"),
		idxFile(idxLabels, []uint32{1}, []byte{0}), 0o644))
	_, _, err = LoadIDXDir(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "found neither t10k-images-idx3-ubyte nor t10k-images-idx3-ubyte.gz")
}

func TestIDXLength(t *testing.T) {
	images := idxFile(idxImages, []uint32{3, 28, 28}, nil)
	labels := idxFile(idxLabels, []uint32{60000}, nil)
	for _, c := range []struct {
		name string
		head []byte
		want int64
		ok   bool
	}{
		{"images", images, 16 + 3*28*28, true},
		{"labels", labels, 8 + 60000, true},
		{"images, header and some data", append(images, 1, 2, 3), 16 + 3*28*28, true},
		{"header cut short", images[:15], 0, false},
		{"magic number only", images[:4], 0, false},
		{"empty", nil, 0, false},
		{"gzip bytes", gzipped(t, images)[:16], 0, false},
		{"not ubyte", idxFile(0x00000d01, []uint32{5}, nil), 0, false},
		{"no dimension", idxFile(0x00000800, nil, nil), 0, false},
		{"larger than any data file", idxFile(idxImages, []uint32{1 << 20, 1 << 10, 1 << 10}, nil), 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			n, ok := IDXLength(c.head)
			assert.Equal(t, c.ok, ok)
			assert.Equal(t, c.want, n)
		})
	}
}
