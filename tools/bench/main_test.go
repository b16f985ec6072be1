package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteTarget(t *testing.T) {
	for _, tt := range []struct {
		name    string
		r, goal float64
		want    string
	}{
		{"not measured", 0, 1.5, "| x | – | 1.5× | – |\n"},
		{"met", 1.5, 1.5, "| x | 1.50× | 1.5× | yes |\n"},
		{"not met", 1.234, 10, "| x | 1.23× | 10.0× | no |\n"},
		{"a goal of two decimals", 0.9, 1 / 1.15, "| x | 0.90× | 0.87× | yes |\n"},
	} {
		var sb strings.Builder
		writeTarget(&sb, "x", tt.r, tt.goal)
		assert.Equal(t, tt.want, sb.String(), tt.name)
	}
}

func TestFiguresCellAndRatio(t *testing.T) {
	f := figures{{"go native", fc, "BP"}: 1234.5, {"pytorch", fc, "BP"}: 500, {"go plain", fc, "BP"}: 0}
	assert.Equal(t, "1234", f.cell(key{"go native", fc, "BP"}), "rounded half to even, no decimals")
	assert.Equal(t, "–", f.cell(key{"go plain", fc, "BP"}), "zero: not measured")
	assert.Equal(t, "–", f.cell(key{"go wasm", fc, "BP"}))
	assert.InDelta(t, 2.469, f.ratio(key{"go native", fc, "BP"}, key{"pytorch", fc, "BP"}), 1e-12)
	assert.Equal(t, 0.0, f.ratio(key{"go native", fc, "BP"}, key{"go plain", fc, "BP"}))
	assert.Equal(t, 0.0, f.ratio(key{"go wasm", fc, "BP"}, key{"pytorch", fc, "BP"}))
}

func TestThreadCounts(t *testing.T) {
	f := figures{{"go threads=4", deep, "DRTP"}: 1, {"go threads=1", deep, "DRTP"}: 1, {"go threads=2", deep, "DRTP"}: 1,
		{"go threads=8", deep, "BP"}: 1, {"go threads=16", fc, "DRTP"}: 1, {"go native", deep, "DRTP"}: 1}
	assert.Equal(t, []int{1, 2, 4}, threadCounts(f), "the deep network's DRTP, ascending")
	assert.Equal(t, []int{}, threadCounts(figures{}))
}

func TestLeastKernelGain(t *testing.T) {
	for _, tt := range []struct {
		name  string
		f     figures
		least float64
		what  string
	}{
		{"none measured", figures{}, 0, ""},
		{"plain only", figures{{"go plain", fc, "BP"}: 100}, 0, ""},
		{"the smallest ratio", figures{{"go native", fc, "BP"}: 300, {"go plain", fc, "BP"}: 100,
			{"go native", deep, "DRTP"}: 150, {"go plain", deep, "DRTP"}: 100, {"go native", conv, "BP"}: 1000}, 1.5, "784-1000-1000-10 DRTP"},
	} {
		least, what := leastKernelGain(tt.f)
		assert.Equal(t, tt.least, least, tt.name)
		assert.Equal(t, tt.what, what, tt.name)
	}
}

// openBLAS gives the folder tools/reference/openblas.sh prints, or what the script
// says on failure.
func TestOpenBLAS(t *testing.T) {
	for _, tt := range []struct {
		name, script, lib, err string
	}{
		{"the folder it prints", "echo /opt/openblas", "/opt/openblas", ""},
		{"its message", "echo 'apt-get download libopenblas0-pthread: exit status 100: E: no' >&2; exit 1", "", "apt-get download libopenblas0-pthread: exit status 100: E: no"},
		{"a failure without a message", "exit 3", "", "openblas.sh: exit status 3"},
		{"no folder", "exit 0", "", "openblas.sh printed no folder"},
	} {
		root := t.TempDir()
		dir := filepath.Join(root, "tools", "reference")
		require.NoError(t, os.MkdirAll(dir, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "openblas.sh"), []byte("#!/bin/sh\n"+tt.script+"\n"), 0o755))
		lib, err := openBLAS(root)
		assert.Equal(t, tt.lib, lib, tt.name)
		if tt.err == "" {
			assert.NoError(t, err, tt.name)
		} else if assert.Error(t, err, tt.name) {
			assert.Contains(t, err.Error(), tt.err, tt.name)
		}
	}
	_, err := openBLAS(t.TempDir())
	assert.ErrorContains(t, err, "openblas.sh", "no script: the error names it")
}

func TestNEONLoopsAreCountedFromTheLabelToTheBranch(t *testing.T) {
	asm := "#include \"textflag.h\"\n\n// func a(v *float32, n int)\nTEXT ·a(SB), NOSPLIT, $0-16\n\tMOVD v+0(FP), R0\n\tCBZ R1, done\nloop:\n\tFMOVQ (R0), F0\n\tWORD $0x6e20dc00 // FMUL\n\tFMOVQ F0, (R0)\n\tSUBS $1, R1, R1\n\tBNE loop\ndone:\n\tRET\n" +
		"\n// func b()\nTEXT ·b(SB), NOSPLIT, $0-0\n\tRET\n"
	assert.Equal(t, map[string]int{"a": 5}, neonLoops(asm), "four instructions and the branch; b has no loop")
}

func TestPlainLoopsAreTheInnermostThatCompute(t *testing.T) {
	line := func(ins string) string { return "  matmul.go:1\t0x1000\t\tbc607880\t\t" + ins + "\t\t\n" }
	listing := line("MOVD ZR, R0") +
		line("FMOVS (R8)(R13<<2), F0") + line("FCMPS $(0.0), F0") + line("BEQ -2(PC)") + // skips zeros: no multiply
		line("FMOVS (R14)(R15<<2), F1") + line("FMULS F1, F0, F1") + line("FADDS F1, F2, F1") + line("ADD $1, R15, R15") + line("BGT -4(PC)") +
		line("RET")
	tests := []struct {
		loop bool
		want int
	}{{true, 5}, {false, 10}}
	for _, tt := range tests {
		n, err := plainCount(listing, tt.loop)
		require.NoError(t, err)
		assert.Equal(t, tt.want, n, "loop=%v", tt.loop)
	}
	_, err := plainCount(line("RET"), true)
	assert.ErrorContains(t, err, "no loop")
}

func TestNetworkReport(t *testing.T) {
	r := networkReport([]visitFigures{
		{server: "make serve (brotli)", link: "localhost", firstStep: 900, ninety: 2600, next: 400},
		{server: "nginx (gzip)", link: "10 Mbit/s", firstStep: 3000, firstBytes: 3.1e6, bitsPerSecond: 10e6, ninety: 5500, next: 300, goalFirst: 3500, goalNinety: 6000},
		{server: "nginx (gzip)", link: "50 Mbit/s", firstStep: 2100, firstBytes: 3.1e6, bitsPerSecond: 50e6, ninety: 5200, next: 300, goalFirst: 2000, goalNinety: 5000},
		{server: "nginx (gzip)", err: errors.New("nginx: not installed")},
	})
	assert.Contains(t, r, "| make serve (brotli) | localhost | 0.9 s | – | 2.6 s | 0.4 s | no slower than before | – |\n")
	assert.Contains(t, r, "| nginx (gzip) | 10 Mbit/s | 3.0 s | 3.10 MB (2.5 s) | 5.5 s | 0.3 s | 3.5 s / 6.0 s / 1.5 s | yes |\n", "3.1 MB at 10 Mbit/s: 2.5 s")
	assert.Contains(t, r, "| nginx (gzip) | 50 Mbit/s | 2.1 s | 3.10 MB (0.5 s) | 5.2 s | 0.3 s | 2.0 s / 5.0 s / 1.5 s | no |\n")
	assert.Contains(t, r, "| nginx (gzip) | – | not measured: nginx: not installed |")
	assert.Contains(t, r, "nginx (gzip), 50 Mbit/s: 90% shown 0.2 s after its goal.")
}
