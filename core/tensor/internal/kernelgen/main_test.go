package main

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The assembly and its declarations in core/tensor are what this generator writes:
// `go generate ./core/tensor` after every change to it.
func TestTheGeneratedFilesAreCurrent(t *testing.T) {
	for name, want := range files() {
		got, err := os.ReadFile("../../" + name)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "%s is stale: run go generate ./core/tensor", name)
	}
}

// The NEON encodings, as GNU as (binutils-aarch64-linux-gnu) assembles each line
// and the Arm manual gives them: a field in the wrong place fails here before the
// kernels' bit checks under qemu.
func TestTheNEONEncodings(t *testing.T) {
	tests := []struct {
		ins     string
		d, n, m int
		want    uint32
		as      string
	}{
		{"FADD", 1, 2, 3, 0x4e23d441, "fadd v1.4s, v2.4s, v3.4s"},
		{"FSUB", 1, 2, 3, 0x4ea3d441, "fsub v1.4s, v2.4s, v3.4s"},
		{"FMUL", 1, 2, 3, 0x6e23dc41, "fmul v1.4s, v2.4s, v3.4s"},
		{"FDIV", 1, 2, 3, 0x6e23fc41, "fdiv v1.4s, v2.4s, v3.4s"},
		{"FMAX", 1, 2, 3, 0x4e23f441, "fmax v1.4s, v2.4s, v3.4s"},
		{"FMIN", 1, 2, 3, 0x4ea3f441, "fmin v1.4s, v2.4s, v3.4s"},
		{"ADD", 1, 2, 3, 0x4ea38441, "add v1.4s, v2.4s, v3.4s"},
		{"FSQRT", 1, 2, 0, 0x6ea1f841, "fsqrt v1.4s, v2.4s"},
		{"FNEG", 1, 2, 0, 0x6ea0f841, "fneg v1.4s, v2.4s"},
		{"FRINTM", 1, 2, 0, 0x4e219841, "frintm v1.4s, v2.4s"},
		{"FCVTZS", 1, 2, 0, 0x4ea1b841, "fcvtzs v1.4s, v2.4s"},
		{"DUPW", 20, 14, 0, 0x4e040dd4, "dup v20.4s, w14"},
		{"DUPS", 16, 16, 0, 0x4e040610, "dup v16.4s, v16.s[0]"},
		{"FMUL", 31, 31, 31, 0x6e3fdfff, "fmul v31.4s, v31.4s, v31.4s"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, neonWord(tt.ins, tt.d, tt.n, tt.m), tt.as)
	}
	assert.Len(t, neonOps, 13, "every instruction used is in the table above")
}
