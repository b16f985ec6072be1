package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadBase(t *testing.T) {
	for _, tt := range []struct{ text, err string }{
		{"flags --epochs 20\ntrials 3\nwhen DRTP * --fc-zero-init\n", ""},
		{"# rules are written by select\nflags --epochs 20 # topologies too\n", ""},
		{"flags --epochs 20\nrules BP\n", "next.base:2: rules: the base of the next stage holds flags, trials and when lines"},
		{"\n\ntopologies FC_10\n", "next.base:3: topologies: "},
		{"vary --lr 1 2\n", "next.base:1: vary: "},
		{"variant * * --lr 1\n", "next.base:1: variant: "},
	} {
		name := filepath.Join(t.TempDir(), "next.base")
		require.NoError(t, os.WriteFile(name, []byte(tt.text), 0o644))
		base, err := readBase(name)
		if tt.err == "" {
			require.NoError(t, err, tt.text)
			assert.Equal(t, tt.text, string(base))
			continue
		}
		require.Error(t, err, tt.text)
		assert.Contains(t, err.Error(), tt.err, tt.text)
	}
}
