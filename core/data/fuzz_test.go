package data

import (
	"bytes"
	"testing"
)

func fuzzSeeds(f *testing.F) {
	images := idxFile(idxImages, []uint32{2, 3, 3}, sequence(18, 0))
	labels := idxFile(idxLabels, []uint32{2}, []byte{4, 2})
	f.Add(images, labels)
	f.Add(gzipped(f, images), gzipped(f, labels))
	f.Add(images[:20], labels)
	f.Add(idxFile(idxImages, []uint32{1 << 30, 28, 28}, nil), labels)
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0}, labels)
	f.Add([]byte("<html>"), []byte{})
}

// FuzzParseIDXPair: any pair of files gives a consistent set or an error, and never
// holds more than its input could describe.
func FuzzParseIDXPair(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, images, labels []byte) {
		s, err := ParseIDXPair(images, labels, "fuzz")
		if err != nil {
			return
		}
		if s.Len() < 1 || len(s.pixels) != s.Len()*s.Side*s.Side || len(s.classes) != s.Len() {
			t.Fatalf("inconsistent set: %d samples of %dx%d, %d pixels, %d classes", s.Len(), s.Side, s.Side, len(s.pixels), len(s.classes))
		}
		for _, c := range s.classes {
			if int(c) >= s.Labels {
				t.Fatalf("class %d of %d", c, s.Labels)
			}
		}
		// Plain input holds its pixels; gzip can expand by at most about 1032 times.
		if limit := 1100 * (len(images) + 64); len(s.pixels) > limit {
			t.Fatalf("%d pixels from %d bytes", len(s.pixels), len(images))
		}
	})
}

// FuzzReadCIFAR: any file gives a consistent set or an error.
func FuzzReadCIFAR(f *testing.F) {
	rec := make([]byte, cifarRecord)
	rec[0] = 3
	f.Add(rec)
	f.Add(append(rec, rec...))
	f.Add(rec[:100])
	f.Add([]byte{10})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ReadCIFAR(bytes.NewReader(b), "fuzz", false)
		if err != nil {
			return
		}
		if s.Len()*cifarRecord != len(b) || len(s.pixels) != s.Len()*3*32*32 {
			t.Fatalf("%d samples from %d bytes, %d pixels", s.Len(), len(b), len(s.pixels))
		}
	})
}
