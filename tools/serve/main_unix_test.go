//go:build unix

package main

import (
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCtrlCStopsCleanly(t *testing.T) {
	dir := siteDir(t)
	_, exit, rest := startServing(t, dir, func(stdout, stderr io.Writer) int {
		return run([]string{"--dir", dir, "--addr", "127.0.0.1:0"}, stdout, stderr)
	})
	// run catches SIGINT from before it prints its line, so this stops the server,
	// not the test.
	require.NoError(t, syscall.Kill(syscall.Getpid(), syscall.SIGINT))
	select {
	case code := <-exit:
		assert.Equal(t, exitOK, code)
	case <-time.After(10 * time.Second):
		t.Fatal("Ctrl-C did not stop the server")
	}
	assert.Empty(t, rest())
}
