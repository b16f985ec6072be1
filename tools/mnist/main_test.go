package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/tools/internal/mnist"
	"github.com/nofeedback/lwf/wasm/protocol"
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

// TestThePageLayoutHoldsMNIST: the page's files (--page) hold MNIST, whole: the
// training images in parts put back together, the quick subset as Spread's, the rest
// as they were.
func TestThePageLayoutHoldsMNIST(t *testing.T) {
	dir, err := mnist.Dir(context.Background(), func(string) {})
	if err != nil {
		t.Skipf("MNIST is not available: %v", err)
	}
	page := t.TempDir()
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"--data", dir, "--page", page}, &stdout, &stderr), stderr.String())
	trainSet, testSet, err := data.LoadIDXDir(dir)
	require.NoError(t, err)

	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(page, name))
		require.NoError(t, err)
		return b
	}
	labels, err := data.ReadIDXLabels(bytes.NewReader(read(protocol.TrainLabels)), "labels")
	require.NoError(t, err)
	a, err := data.NewAssembly("MNIST", 28, labels)
	require.NoError(t, err)
	for p := range data.Parts(len(labels)) {
		images, err := data.ReadIDXImages(bytes.NewReader(read(protocol.TrainImagesPart(p))), "part")
		require.NoError(t, err)
		require.NoError(t, a.Add(p, images))
	}
	want, wantLabels, err := trainSet.IDX()
	require.NoError(t, err)
	got, gotLabels, err := a.Set().IDX()
	require.NoError(t, err)
	assert.Equal(t, 12, data.Parts(len(labels)))
	assert.True(t, bytes.Equal(want.Pixels, got.Pixels), "the parts put together are MNIST's training images")
	assert.Equal(t, wantLabels, gotLabels)

	quick, err := data.ParseIDXPair(read(protocol.QuickImages), read(protocol.QuickLabels), "quick")
	require.NoError(t, err)
	wantQuick, wantQuickLabels, err := testSet.Spread(protocol.QuickTestSize).IDX()
	require.NoError(t, err)
	gotQuick, gotQuickLabels, err := quick.IDX()
	require.NoError(t, err)
	assert.True(t, bytes.Equal(wantQuick.Pixels, gotQuick.Pixels), "the quick subset is Spread(2000) of the test set")
	assert.Equal(t, wantQuickLabels, gotQuickLabels)
	for _, name := range []string{protocol.TestImages, protocol.TestLabels, protocol.TrainLabels} {
		orig, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(orig, read(name)), "%s as it was", name)
	}
}
