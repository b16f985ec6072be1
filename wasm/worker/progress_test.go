package worker

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestResumesAt(t *testing.T) {
	tests := []struct {
		header string
		from   int
		want   bool
	}{
		{"bytes 1000-1999/5000", 1000, true},
		{"bytes 1000-4999/*", 1000, true},
		{"bytes 0-4999/5000", 1000, false}, // the whole file again
		{"bytes 999-1999/5000", 1000, false},
		{"", 1000, false},
		{"items 1000-1999/5000", 1000, false},
		{"bytes x-1999/5000", 1000, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, resumesAt(tt.header, tt.from), "%q from %d", tt.header, tt.from)
	}
}

func TestContentLength(t *testing.T) {
	for h, want := range map[string]int64{"802634": 802634, " 12 ": 12, "0": 0} {
		n, ok := contentLength(h)
		assert.True(t, ok, h)
		assert.Equal(t, want, n, h)
	}
	for _, h := range []string{"", "-1", "abc", "99999999999"} {
		_, ok := contentLength(h)
		assert.False(t, ok, h)
	}
}
