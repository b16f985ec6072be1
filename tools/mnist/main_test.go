package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/tools/internal/mnist"
)

func TestRun(t *testing.T) {
	own := t.TempDir() // a folder of the user's with the four files
	for _, f := range mnist.Files {
		require.NoError(t, os.WriteFile(filepath.Join(own, f.Name), []byte("contents of "+f.Name), 0o644))
	}
	incomplete := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(incomplete, mnist.Files[0].Name), []byte("x"), 0o644))
	// No cache, no module cache and no proxy: nothing to fetch from.
	t.Setenv("LWF_DATA", t.TempDir())
	t.Setenv("GOMODCACHE", t.TempDir())
	t.Setenv("GOPROXY", "off")
	for _, tt := range []struct {
		name     string
		args     []string
		code     int
		stdout   string
		stderr   []string
		copiedTo string
	}{
		{"copies a folder of the user's", []string{"--data", own, "--copy-to", "COPY"}, 0, own + "\n", nil, "COPY"},
		{"names a missing file", []string{"--data", incomplete, "--copy-to", "COPY"}, 1, "", []string{"mnist: open " + filepath.Join(incomplete, mnist.Files[1].Name), "the site needs MNIST's four .gz files"}, ""},
		{"says what could not be fetched", nil, 1, "", []string{"could not be fetched", `GOPROXY="off" names no proxy`, "--data FOLDER"}, ""},
		{"refuses an argument", []string{"dist"}, 2, "", []string{`unexpected argument "dist"`}, ""},
		{"refuses a flag", []string{"--to", "dist"}, 2, "", []string{"flag provided but not defined: -to"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			copyTo := filepath.Join(t.TempDir(), "site", "data")
			for i, a := range tt.args {
				if a == "COPY" {
					tt.args[i] = copyTo
				}
			}
			var stdout, stderr bytes.Buffer
			assert.Equal(t, tt.code, run(context.Background(), tt.args, &stdout, &stderr), stderr.String())
			assert.Equal(t, tt.stdout, stdout.String())
			for _, want := range tt.stderr {
				assert.Contains(t, stderr.String(), want)
			}
			if tt.copiedTo != "" {
				for _, f := range mnist.Files {
					got, err := os.ReadFile(filepath.Join(copyTo, f.Name))
					require.NoError(t, err)
					assert.Equal(t, "contents of "+f.Name, string(got))
				}
			}
		})
	}
}
