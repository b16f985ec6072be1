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
	asm, decl := generate()
	for name, want := range map[string][]byte{"kernels_amd64.s": asm, "kernels_amd64.go": decl} {
		got, err := os.ReadFile("../../" + name)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "%s is stale: run go generate ./core/tensor", name)
	}
}
