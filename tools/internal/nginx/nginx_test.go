package nginx

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nginx serves the folder as an ordinary host does: code gzip-compressed for a
// browser that accepts it, .gz files as they are, ETags, nothing outside the folder.
func TestItServesTheFolderAsAnOrdinaryHost(t *testing.T) {
	if _, err := exec.LookPath("nginx"); err != nil && os.Getenv("NGINX") == "" {
		if os.Getenv("REQUIRE_NGINX") != "" {
			t.Fatal("nginx is not installed and REQUIRE_NGINX is set")
		}
		t.Skip("nginx is not installed")
	}
	dir := t.TempDir()
	wasm := bytes.Repeat([]byte("\x00asm code "), 10000)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "lwf.wasm"), wasm, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html>hello"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "data.gz"), []byte("\x1f\x8bnot recompressed"), 0o644))
	s, err := Start(dir)
	require.NoError(t, err)
	defer s.Close()

	get := func(path string) *http.Response {
		req, err := http.NewRequest("GET", s.URL+path, nil)
		require.NoError(t, err)
		req.Header.Set("Accept-Encoding", "gzip, deflate, br")
		resp, err := http.DefaultTransport.RoundTrip(req) // no transparent decompression
		require.NoError(t, err)
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	resp := get("/lwf.wasm")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "application/wasm", resp.Header.Get("Content-Type"))
	assert.Equal(t, "gzip", resp.Header.Get("Content-Encoding"), "gzip, never brotli")
	zr, err := gzip.NewReader(resp.Body)
	require.NoError(t, err)
	b, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.Equal(t, wasm, b)

	resp = get("/data.gz")
	assert.Empty(t, resp.Header.Get("Content-Encoding"), "a .gz is sent as it is")
	b, _ = io.ReadAll(resp.Body)
	assert.Equal(t, "\x1f\x8bnot recompressed", string(b))

	resp = get("/")
	assert.Equal(t, 200, resp.StatusCode, "index.html for the folder")
	assert.NotEmpty(t, resp.Header.Get("ETag"))
	assert.GreaterOrEqual(t, get("/../nginx.conf").StatusCode, 400, "nothing outside the folder")

	require.NoError(t, s.Close())
	_, err = http.Get(s.URL + "/")
	assert.Error(t, err, "closed: nothing listens")

	t.Setenv("NGINX", filepath.Join(dir, "no-nginx"))
	_, err = Start(dir)
	assert.ErrorContains(t, err, "nginx -V: ", "a missing nginx is named, not run")
}
