package worker

import (
	"strconv"
	"strings"
)

// This file is the plain Go of the downloads, tested natively.

// resumesAt reports whether a 206 response's Content-Range ("bytes 1000-1999/5000")
// starts at byte from: the rest that was asked for.
func resumesAt(contentRange string, from int) bool {
	rest, ok := strings.CutPrefix(strings.TrimSpace(contentRange), "bytes ")
	if !ok {
		return false
	}
	first, _, ok := strings.Cut(rest, "-")
	if !ok {
		return false
	}
	n, err := strconv.Atoi(first)
	return err == nil && n == from
}

// contentLength reads a Content-Length header: a length of at most 2 GB.
func contentLength(h string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(h), 10, 64)
	return n, err == nil && n >= 0 && n <= 1<<31
}
