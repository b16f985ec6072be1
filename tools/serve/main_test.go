package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/tools/serve/static"
)

// siteDir writes a one-page site and returns its folder.
func siteDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html><title>lwf</title>"), 0o644))
	return dir
}

func runCommand(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestBadInputExitsWithStatus2(t *testing.T) {
	dir := siteDir(t)
	file := filepath.Join(dir, "index.html")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--port", "80"}, "flag provided but not defined: -port"},
		{[]string{"--dir"}, "flag needs an argument: -dir"},
		{[]string{"--dir", dir, "extra"}, `unexpected argument "extra"`},
		{[]string{"--dir", dir, "--addr", "8080"}, `--addr "8080": want host:port`},
		{[]string{"--dir", filepath.Join(dir, "dist")}, "no folder " + filepath.Join(dir, "dist") + " to serve: build it with `make dist`"},
		{[]string{"--dir", file}, "not a folder"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runCommand(t, tt.args...)
			assert.Equal(t, exitUsage, code)
			assert.Contains(t, stderr, tt.want)
			assert.Empty(t, stdout)
		})
	}
}

func TestMissingDefaultFolderSuggestsMakeDist(t *testing.T) {
	t.Chdir(t.TempDir())
	code, _, stderr := runCommand(t)
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "serve: no folder dist to serve: build it with `make dist`, or name another with --dir\n", stderr)
}

func TestHelpExitsWithStatus0(t *testing.T) {
	code, _, stderr := runCommand(t, "--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stderr, "usage: serve [--dir dist] [--addr localhost:8080]")
	assert.Contains(t, stderr, "-addr")
}

func TestBusyPortExitsWithStatus1(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	addr := ln.Addr().String()

	code, stdout, stderr := runCommand(t, "--dir", siteDir(t), "--addr", addr)
	assert.Equal(t, exitFailed, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, addr+" is already in use")
	assert.Contains(t, stderr, "--addr")
}

var servingLine = regexp.MustCompile(`^Serving (.+) on (http://127\.0\.0\.1:[0-9]+) \(Ctrl-C to stop\)\n$`)

// startServing runs start in the background and waits for its one line on stdout;
// it returns the site's URL and a channel with the exit status.
func startServing(t *testing.T, dir string, start func(stdout, stderr io.Writer) int) (url string, exit <-chan int, stdoutRest func() string) {
	t.Helper()
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		code := start(pw, &stderr)
		pw.Close()
		done <- code
	}()
	out := bufio.NewReader(pr)
	line, err := out.ReadString('\n')
	if err != nil { // start returned without printing its line
		t.Fatalf("exit status %d before serving: %s", <-done, stderr.String())
	}
	m := servingLine.FindStringSubmatch(line)
	require.NotNil(t, m, "printed %q", line)
	assert.Equal(t, dir, m[1])
	rest := func() string {
		b, _ := io.ReadAll(out)
		return string(b)
	}
	return m[2], done, rest
}

func TestServesUntilStopped(t *testing.T) {
	dir := siteDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url, exit, rest := startServing(t, dir, func(stdout, stderr io.Writer) int {
		return serve(ctx, []string{"--dir", dir, "--addr", "127.0.0.1:0"}, stdout, stderr)
	})

	resp, err := http.Get(url + "/")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "<!doctype html><title>lwf</title>", string(body))
	assert.Equal(t, static.ContentSecurityPolicy, resp.Header.Get("Content-Security-Policy"))

	cancel()
	select {
	case code := <-exit:
		assert.Equal(t, exitOK, code)
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not stop")
	}
	assert.Empty(t, rest(), "one line only")
	_, err = http.Get(url + "/")
	assert.Error(t, err, "no longer listening")
}

func TestSiteURL(t *testing.T) {
	tests := []struct {
		addr string
		port int
		want string
	}{
		{"localhost:8080", 8080, "http://localhost:8080"},
		{":8080", 8080, "http://localhost:8080"},
		{"0.0.0.0:8080", 8080, "http://localhost:8080"},
		{"[::]:8080", 8080, "http://localhost:8080"},
		{"127.0.0.1:0", 41234, "http://127.0.0.1:41234"},
		{"[::1]:9000", 9000, "http://[::1]:9000"},
		{"lab.example:80", 80, "http://lab.example:80"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			assert.Equal(t, tt.want, siteURL(tt.addr, &net.TCPAddr{Port: tt.port}))
		})
	}
}
