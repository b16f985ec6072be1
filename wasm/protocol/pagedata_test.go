package protocol

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The page's first worker begins the early files in JavaScript, before the Go
// program runs: it must name the same files, and the same cache, as the loader.
func TestWorkerJSNamesTheEarlyFilesAndTheDataCache(t *testing.T) {
	src, err := os.ReadFile("../../site/worker.js")
	require.NoError(t, err)
	tests := []struct {
		name, pattern string
		want          []string
	}{
		{"the early files", `(?s)const EARLY_FILES = \[(.*?)\];`, EarlyFiles},
		{"the data cache", `const DATA_CACHE = (".*?");`, []string{DataCache}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := regexp.MustCompile(tt.pattern).FindSubmatch(src)
			require.NotNil(t, m, "site/worker.js: no match for %s", tt.pattern)
			var got []string
			for _, q := range regexp.MustCompile(`"([^"]*)"`).FindAllSubmatch(m[1], -1) {
				got = append(got, string(q[1]))
			}
			assert.Equal(t, tt.want, got, "site/worker.js")
		})
	}
}
