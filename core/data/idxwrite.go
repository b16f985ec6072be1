package data

import (
	"encoding/binary"
	"fmt"
	"io"
)

// WriteIDXImages writes images as a plain IDX image file (magic number 0x00000803),
// which ReadIDXImages reads back.
func WriteIDXImages(w io.Writer, images Images) error {
	if len(images.Pixels) != images.N*images.Rows*images.Cols {
		return fmt.Errorf("idx: %d bytes of pixels for %d images of %dx%d", len(images.Pixels), images.N, images.Rows, images.Cols)
	}
	head := []uint32{idxImages, uint32(images.N), uint32(images.Rows), uint32(images.Cols)}
	if err := binary.Write(w, binary.BigEndian, head); err != nil {
		return err
	}
	_, err := w.Write(images.Pixels)
	return err
}

// WriteIDXLabels writes labels as a plain IDX label file (magic number 0x00000801),
// which ReadIDXLabels reads back.
func WriteIDXLabels(w io.Writer, labels []uint8) error {
	if err := binary.Write(w, binary.BigEndian, []uint32{idxLabels, uint32(len(labels))}); err != nil {
		return err
	}
	_, err := w.Write(labels)
	return err
}

// IDX returns the images and labels of a one-channel image set with classes (MNIST
// and its look-alikes), sharing its storage.
func (s *Set) IDX() (Images, []uint8, error) {
	if s.pixels == nil || s.Channels != 1 || !s.Classification() || !s.Whole() {
		return Images{}, nil, fmt.Errorf("idx: %s is not a whole one-channel image set with classes", s.Name)
	}
	return Images{N: s.n, Rows: s.Side, Cols: s.Side, Pixels: s.pixels[:s.n*s.size()]}, s.classes[:s.n], nil
}

// Part returns part p of a set of images (the images PartSamples names), copied.
func (im Images) Part(p int) Images {
	size, members := im.Rows*im.Cols, PartSamples(im.N, p)
	out := Images{N: len(members), Rows: im.Rows, Cols: im.Cols, Pixels: make([]uint8, len(members)*size)}
	for j, i := range members {
		copy(out.Pixels[j*size:(j+1)*size], im.Pixels[i*size:(i+1)*size])
	}
	return out
}
