package data

import (
	"bytes"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cifarFile returns CIFAR-10 records with the given labels, pixel j of record i being
// byte(i + j).
func cifarFile(labels ...byte) []byte {
	var b []byte
	for i, l := range labels {
		b = append(b, l)
		b = append(b, sequence(cifarPixels, i)...)
	}
	return b
}

// writeCIFARDir writes the six CIFAR-10 batch files into a new folder, batch k (1 to
// 5) holding k records, the test batch two.
func writeCIFARDir(t *testing.T) string {
	dir := t.TempDir()
	for k := 1; k <= 5; k++ {
		labels := make([]byte, k)
		for i := range labels {
			labels[i] = byte(k + i)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, "data_batch_"+string(rune('0'+k))+".bin"), cifarFile(labels...), 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "test_batch.bin"), cifarFile(9, 0), 0o644))
	return dir
}

func TestLoadCIFARDir(t *testing.T) {
	dir := writeCIFARDir(t)
	for _, augment := range []bool{false, true} {
		train, test, err := LoadCIFARDir(dir, augment)
		require.NoError(t, err)
		assert.Equal(t, 15, train.Len())
		assert.Equal(t, 2, test.Len())
		assert.Equal(t, augment, train.Flip)
		assert.False(t, test.Flip, "the test set is never flipped")
		assert.Equal(t, map[bool]string{false: "CIFAR10", true: "CIFAR10aug"}[augment], train.Name)
		assert.Equal(t, []int{3, 32, 10}, []int{train.Channels, train.Side, train.Labels})
		assert.Equal(t, []int{1, 2, 3, 3, 4, 5}, []int{train.Class(0), train.Class(1), train.Class(2), train.Class(3), train.Class(4), train.Class(5)})
		assert.Equal(t, []int{9, 0}, []int{test.Class(0), test.Class(1)})
	}
}

func TestCIFARNormalisesEachChannel(t *testing.T) {
	s, err := ReadCIFAR(bytes.NewReader(cifarFile(3, 4)), "c", false)
	require.NoError(t, err)
	var b Batch[float64]
	require.NoError(t, Fill(s, &b, []int{1}, false, nil))
	mean, std := []float64{125.3, 123.0, 113.9}, []float64{63.0, 62.1, 66.7}
	for _, j := range []int{0, 500, 1023, 1024, 2047, 2048, 3071} {
		c, p := j/1024, float64(byte(1+j))
		assert.InDelta(t, (p-mean[c])/std[c], b.X[j], 1e-12, "value %d", j)
	}
	pixel := func(j int) byte { return byte(1 + j) } // pixel j of record 1
	img := s.Image(1).(*image.RGBA)
	at := 2*32 + 5 // row 2, column 5
	assert.Equal(t, color.RGBA{pixel(at), pixel(1024 + at), pixel(2048 + at), 255}, img.RGBAAt(5, 2))
}

func TestCIFARBadFilesAreRefused(t *testing.T) {
	for _, c := range []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "c: empty file"},
		{"not whole records", cifarFile(1, 2)[:3073+100], "3173 bytes is not a whole number of 3073-byte records"},
		{"label out of range", cifarFile(1, 10, 2), "record 1 has label 10, want 0 to 9"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { _, err = ReadCIFAR(bytes.NewReader(c.file), "c", false) })
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	dir := writeCIFARDir(t)
	require.NoError(t, os.Remove(filepath.Join(dir, "data_batch_4.bin")))
	_, _, err := LoadCIFARDir(dir, false)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "data_batch_4.bin")
}
