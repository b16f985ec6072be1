package static

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// secretText is the content of a file beside the site folder, which no request may read.
const secretText = "SECRET: outside the served folder"

// site is a built site in a temporary folder, served by a test server.
type site struct {
	dir     string
	secret  string // path of a file outside dir
	handler *handler
	server  *httptest.Server
	client  *http.Client
}

// newSite writes a folder shaped like dist/ and serves it.
func newSite(t *testing.T) *site {
	t.Helper()
	parent := t.TempDir()
	s := &site{dir: filepath.Join(parent, "dist"), secret: filepath.Join(parent, "secret.txt")}
	require.NoError(t, os.WriteFile(s.secret, []byte(secretText), 0o644))

	var wasm bytes.Buffer
	wasm.WriteString("\x00asm\x01\x00\x00\x00")
	for i := range 50000 {
		fmt.Fprintf(&wasm, "%c%c", byte(i%251), byte(i%7))
	}
	var idx bytes.Buffer
	zw := gzip.NewWriter(&idx)
	_, err := zw.Write(bytes.Repeat([]byte{0, 0, 8, 3, 0, 0, 0, 10}, 100))
	require.NoError(t, err)
	require.NoError(t, zw.Close())

	files := map[string]string{
		"index.html":                      "<!doctype html>\n<title>lwf</title>\n" + strings.Repeat("<p>Direct random target projection.</p>\n", 50),
		"style.css":                       strings.Repeat("body { margin: 0; font-family: sans-serif; }\n", 40),
		"main.js":                         strings.Repeat("const worker = new Worker('worker.js');\n", 40),
		"worker.js":                       strings.Repeat("importScripts('wasm_exec.js');\n", 40),
		"app.js.map":                      `{"version":3,"sources":["main.js"],"mappings":""}`,
		"manifest.json":                   `{"name":"lwf","icons":[{"src":"icons/icon.png"}]}`,
		"icons/icon.svg":                  `<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>`,
		"icons/icon.png":                  "\x89PNG\r\n\x1a\n" + strings.Repeat("\x00IDAT", 200),
		"notes.txt":                       strings.Repeat("plain text\n", 100),
		"ui.wasm":                         wasm.String(),
		"data/train-images-idx3-ubyte.gz": idx.String(),
		"blob.lwfdata":                    strings.Repeat("unknown type\n", 100),
		"sub/index.html":                  "<!doctype html>\n<title>sub</title>\n" + strings.Repeat("<p>sub</p>\n", 20),
	}
	for name, content := range files {
		p := filepath.Join(s.dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	require.NoError(t, os.Mkdir(filepath.Join(s.dir, "empty"), 0o755))

	h, err := Handler(s.dir)
	require.NoError(t, err)
	s.handler = h.(*handler)
	s.server = httptest.NewServer(h)
	t.Cleanup(s.server.Close)
	// The client must neither ask for gzip on its own nor decompress the answer.
	s.client = &http.Client{
		Transport:     &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	t.Cleanup(s.client.CloseIdleConnections)
	return s
}

// file returns the content of a file of the site.
func (s *site) file(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.dir, filepath.FromSlash(name)))
	require.NoError(t, err)
	return b
}

// do sends a request with the given headers (name, value, name, value...) and
// returns the response with its body read.
func (s *site) do(t *testing.T, method, target string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.server.URL+target, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := s.client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}

// raw sends target exactly as written in the request line, as a hand-made request
// would, so that no client can clean the path first.
func (s *site) raw(t *testing.T, target string) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", s.server.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", target)
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}

func unbrotli(t *testing.T, b []byte) []byte {
	t.Helper()
	out, err := io.ReadAll(brotli.NewReader(bytes.NewReader(b)))
	require.NoError(t, err)
	return out
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	out, err := io.ReadAll(zr)
	require.NoError(t, err)
	return out
}

// assertSecurityHeaders checks the headers every response carries.
func assertSecurityHeaders(t *testing.T, h http.Header) {
	t.Helper()
	assert.Equal(t, ContentSecurityPolicy, h.Get("Content-Security-Policy"))
	assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
	assert.Equal(t, "no-referrer", h.Get("Referrer-Policy"))
	assert.Equal(t, "same-origin", h.Get("Cross-Origin-Resource-Policy"))
	assert.Empty(t, h.Values("X-Frame-Options"), "X-Frame-Options would forbid embedding in slides")
}

func TestContentSecurityPolicyIsThePagePolicy(t *testing.T) {
	// The page declares this same policy in a <meta> tag; change both together.
	assert.Equal(t, "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; "+
		"connect-src 'self'; img-src 'self' data: blob:; style-src 'self'; object-src 'none'; "+
		"base-uri 'self'; form-action 'none'; frame-ancestors *", ContentSecurityPolicy)
}

func TestContentTypesAndCompression(t *testing.T) {
	s := newSite(t)
	tests := []struct {
		path, contentType string
		gzipped           bool // when the client accepts gzip
	}{
		{"/index.html", "text/html; charset=utf-8", true},
		{"/style.css", "text/css; charset=utf-8", true},
		{"/main.js", "text/javascript; charset=utf-8", true},
		{"/worker.js", "text/javascript; charset=utf-8", true},
		{"/app.js.map", "application/json", true},
		{"/manifest.json", "application/json", true},
		{"/icons/icon.svg", "image/svg+xml", true},
		{"/notes.txt", "text/plain; charset=utf-8", true},
		{"/ui.wasm", "application/wasm", true},
		{"/data/train-images-idx3-ubyte.gz", "application/gzip", false},
		{"/icons/icon.png", "image/png", false},
		{"/blob.lwfdata", "application/octet-stream", false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			want := s.file(t, tt.path[1:])
			resp, body := s.do(t, http.MethodGet, tt.path, "Accept-Encoding", "gzip, deflate, br")
			require.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, tt.contentType, resp.Header.Get("Content-Type"))
			assert.Equal(t, fmt.Sprint(len(body)), resp.Header.Get("Content-Length"))
			assert.Equal(t, "no-cache", resp.Header.Get("Cache-Control"), "always revalidate")
			assert.NotEmpty(t, resp.Header.Get("ETag"))
			assert.NotEmpty(t, resp.Header.Get("Last-Modified"))
			assertSecurityHeaders(t, resp.Header)
			if tt.gzipped {
				assert.Equal(t, "br", resp.Header.Get("Content-Encoding"), "brotli, where the browser takes it")
				assert.Equal(t, "Accept-Encoding", resp.Header.Get("Vary"))
				assert.Equal(t, want, unbrotli(t, body))
			} else {
				assert.Empty(t, resp.Header.Values("Content-Encoding"), "sent as it is")
				assert.Empty(t, resp.Header.Values("Vary"))
				assert.Equal(t, want, body)
			}
		})
	}
}

func TestCompressionOnlyWhenAccepted(t *testing.T) {
	s := newSite(t)
	want := s.file(t, "ui.wasm")
	tests := []struct {
		acceptEncoding string
		coding         string // "": sent as it is
	}{
		{"", ""},
		{"gzip", "gzip"},
		{"GZIP", "gzip"},
		{"x-gzip", "gzip"},
		{"deflate, gzip;q=0.5", "gzip"},
		{"br, gzip ; q=1.0", "br"},
		{"gzip, deflate, br, zstd", "br"},
		{"br;q=0, gzip", "gzip"},
		{"gzip;q=0", ""},
		{"gzip; q=0.000", ""},
		{"br", "br"},
		{"BR", "br"},
		{"identity", ""},
		{"*", "br"},
		{"*;q=0", ""},
		{"*, gzip;q=0", "br"},
		{"*, br;q=0", "gzip"},
		{"gzip;q=0, br;q=0, *", ""},
		{"br;q=0.9, *;q=0.1", "br"},
	}
	for _, tt := range tests {
		t.Run(tt.acceptEncoding, func(t *testing.T) {
			var headers []string
			if tt.acceptEncoding != "" {
				headers = []string{"Accept-Encoding", tt.acceptEncoding}
			}
			resp, body := s.do(t, http.MethodGet, "/ui.wasm", headers...)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, "application/wasm", resp.Header.Get("Content-Type"))
			assert.Equal(t, "Accept-Encoding", resp.Header.Get("Vary"), "caches must key on Accept-Encoding either way")
			assert.Equal(t, fmt.Sprint(len(body)), resp.Header.Get("Content-Length"))
			assert.Equal(t, tt.coding, resp.Header.Get("Content-Encoding"))
			switch tt.coding {
			case "gzip":
				assert.Less(t, len(body), len(want))
				assert.Equal(t, want, gunzip(t, body))
			case "br":
				assert.Less(t, len(body), len(want))
				assert.Equal(t, want, unbrotli(t, body))
			default:
				assert.Equal(t, want, body)
			}
			if tt.coding != "" {
				assert.True(t, strings.HasSuffix(resp.Header.Get("ETag"), `-`+tt.coding+`"`), "each coding has its own ETag")
			} else {
				assert.False(t, strings.Contains(resp.Header.Get("ETag"), `-gzip"`) || strings.Contains(resp.Header.Get("ETag"), `-br"`))
			}
		})
	}
}

func TestHeadSendsTheHeadersOfGet(t *testing.T) {
	s := newSite(t)
	for _, accept := range []string{"identity", "gzip"} {
		for _, path := range []string{"/ui.wasm", "/index.html", "/data/train-images-idx3-ubyte.gz"} {
			t.Run(accept+path, func(t *testing.T) {
				get, getBody := s.do(t, http.MethodGet, path, "Accept-Encoding", accept)
				head, headBody := s.do(t, http.MethodHead, path, "Accept-Encoding", accept)
				require.Equal(t, http.StatusOK, head.StatusCode)
				assert.Empty(t, headBody)
				assert.Equal(t, fmt.Sprint(len(getBody)), head.Header.Get("Content-Length"))
				for _, name := range []string{"Content-Type", "Content-Encoding", "ETag", "Last-Modified", "Vary"} {
					assert.Equal(t, get.Header.Values(name), head.Header.Values(name), name)
				}
				assertSecurityHeaders(t, head.Header)
			})
		}
	}
}

func TestOnlyGetAndHeadAreAllowed(t *testing.T) {
	s := newSite(t)
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions, "PROPFIND"} {
		t.Run(method, func(t *testing.T) {
			resp, _ := s.do(t, method, "/index.html")
			assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
			assert.Equal(t, "GET, HEAD", resp.Header.Get("Allow"))
			assertSecurityHeaders(t, resp.Header)
		})
	}
}

func TestRevalidationGives304(t *testing.T) {
	s := newSite(t)
	identity, _ := s.do(t, http.MethodGet, "/ui.wasm")
	gzipped, _ := s.do(t, http.MethodGet, "/ui.wasm", "Accept-Encoding", "gzip")
	require.NotEmpty(t, identity.Header.Get("ETag"))
	require.NotEmpty(t, identity.Header.Get("Last-Modified"))
	require.NotEqual(t, identity.Header.Get("ETag"), gzipped.Header.Get("ETag"))

	tests := []struct {
		name    string
		headers []string
		status  int
	}{
		{"ETag", []string{"If-None-Match", identity.Header.Get("ETag")}, http.StatusNotModified},
		{"gzip ETag", []string{"Accept-Encoding", "gzip", "If-None-Match", gzipped.Header.Get("ETag")}, http.StatusNotModified},
		{"weak ETag in a list", []string{"If-None-Match", `"other", W/` + identity.Header.Get("ETag")}, http.StatusNotModified},
		{"Last-Modified", []string{"If-Modified-Since", identity.Header.Get("Last-Modified")}, http.StatusNotModified},
		{"identity ETag for gzip", []string{"Accept-Encoding", "gzip", "If-None-Match", identity.Header.Get("ETag")}, http.StatusOK},
		{"other ETag", []string{"If-None-Match", `"other"`}, http.StatusOK},
		{"older date", []string{"If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT"}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := s.do(t, http.MethodGet, "/ui.wasm", tt.headers...)
			assert.Equal(t, tt.status, resp.StatusCode)
			assertSecurityHeaders(t, resp.Header)
			assert.Equal(t, "no-cache", resp.Header.Get("Cache-Control"))
			if tt.status == http.StatusNotModified {
				assert.Empty(t, body)
				assert.NotEmpty(t, resp.Header.Get("ETag"))
			}
		})
	}

	t.Run("changed file", func(t *testing.T) {
		p := filepath.Join(s.dir, "ui.wasm")
		require.NoError(t, os.WriteFile(p, []byte("\x00asm\x01\x00\x00\x00 rebuilt"), 0o644))
		later := time.Now().Add(time.Hour)
		require.NoError(t, os.Chtimes(p, later, later))
		resp, body := s.do(t, http.MethodGet, "/ui.wasm", "If-None-Match", identity.Header.Get("ETag"))
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "\x00asm\x01\x00\x00\x00 rebuilt", string(body))
		resp, _ = s.do(t, http.MethodGet, "/ui.wasm", "If-Modified-Since", identity.Header.Get("Last-Modified"))
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	})
}

func TestPathTraversalIsRefused(t *testing.T) {
	s := newSite(t)
	abs := filepath.ToSlash(s.secret)
	targets := []string{
		"/../secret.txt",
		"/../../../../../../etc/passwd",
		"/data/../../secret.txt",
		"/..%2fsecret.txt",
		"/%2e%2e/secret.txt",
		"/%2E%2E%2Fsecret.txt",
		"/.%2e/secret.txt",
		"/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
		"/..%5csecret.txt",
		"/..\\secret.txt",
		"/data%5c..%5c..%5csecret.txt",
		"/%252e%252e/secret.txt",
		"/%00../secret.txt",
		"/index.html%00.png",
		"//" + strings.TrimPrefix(abs, "/"),
		"/" + abs,
		"/" + strings.TrimPrefix(abs, "/"),
		"http://localhost/../secret.txt",
		"*",
	}
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			resp, body := s.raw(t, target)
			assert.Contains(t, []int{http.StatusBadRequest, http.StatusNotFound}, resp.StatusCode)
			assert.NotContains(t, string(body), "SECRET")
			assert.NotContains(t, string(body), "root:")
			assertSecurityHeaders(t, resp.Header)
		})
	}
	t.Run("no leading slash", func(t *testing.T) {
		// net/http itself rejects this one before the handler sees it.
		resp, body := s.raw(t, "secret.txt")
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
		assert.NotContains(t, string(body), "SECRET")
	})
}

func TestSymlinksLeavingTheFolderAreRefused(t *testing.T) {
	s := newSite(t)
	links := map[string]string{
		"escape.txt":   filepath.Join("..", "secret.txt"),
		"escape-abs":   s.secret,
		"escape-dir":   "..",
		"data/escape":  filepath.Join("..", "..", "secret.txt"),
		"alias.css":    "style.css",
		"data/alias":   filepath.Join("..", "notes.txt"),
		"dangling.txt": "no-such-file",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(s.dir, filepath.FromSlash(name))); err != nil {
			t.Skipf("cannot make symbolic links here: %v", err)
		}
	}
	for _, path := range []string{"/escape.txt", "/escape-abs", "/escape-dir/secret.txt", "/escape-dir/", "/data/escape", "/dangling.txt"} {
		t.Run(path, func(t *testing.T) {
			resp, body := s.do(t, http.MethodGet, path)
			assert.Equal(t, http.StatusNotFound, resp.StatusCode)
			assert.NotContains(t, string(body), "SECRET")
			assertSecurityHeaders(t, resp.Header)
		})
	}
	for path, file := range map[string]string{"/alias.css": "style.css", "/data/alias": "notes.txt"} {
		t.Run(path, func(t *testing.T) {
			resp, body := s.do(t, http.MethodGet, path)
			require.Equal(t, http.StatusOK, resp.StatusCode, "links inside the folder are followed")
			assert.Equal(t, s.file(t, file), body)
		})
	}
}

func TestDirectoriesServeTheirIndexOnly(t *testing.T) {
	s := newSite(t)
	tests := []struct {
		path     string
		status   int
		index    string // file whose content is served
		location string // redirect target
	}{
		{path: "/", status: http.StatusOK, index: "index.html"},
		{path: "/?lr=0.001&rule=DRTP", status: http.StatusOK, index: "index.html"},
		{path: "/sub/", status: http.StatusOK, index: "sub/index.html"},
		{path: "/sub//", status: http.StatusOK, index: "sub/index.html"},
		{path: "/sub", status: http.StatusMovedPermanently, location: "/sub/"},
		{path: "/sub?x=1", status: http.StatusMovedPermanently, location: "/sub/?x=1"},
		{path: "/empty/", status: http.StatusNotFound},
		{path: "/empty", status: http.StatusNotFound},
		{path: "/data/", status: http.StatusNotFound},
		{path: "/icons", status: http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := s.do(t, http.MethodGet, tt.path)
			require.Equal(t, tt.status, resp.StatusCode)
			assertSecurityHeaders(t, resp.Header)
			switch {
			case tt.index != "":
				assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
				assert.Equal(t, s.file(t, tt.index), body)
			case tt.location != "":
				assert.Equal(t, tt.location, resp.Header.Get("Location"))
			default:
				assert.NotContains(t, string(body), "train-images", "no listing")
			}
		})
	}
}

func TestMissingFilesAre404(t *testing.T) {
	s := newSite(t)
	for _, path := range []string{"/nope.js", "/data/nope.gz", "/nope/", "/index.html/", "/index.html/x", "/%252e%252e/secret.txt"} {
		t.Run(path, func(t *testing.T) {
			resp, body := s.do(t, http.MethodGet, path, "Accept-Encoding", "gzip")
			assert.Equal(t, http.StatusNotFound, resp.StatusCode)
			assert.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
			assert.Empty(t, resp.Header.Values("Content-Encoding"))
			assert.Contains(t, string(body), "404")
			assertSecurityHeaders(t, resp.Header)
		})
	}
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	s := newSite(t)
	etag := func() string { r, _ := s.do(t, http.MethodGet, "/main.js"); return r.Header.Get("ETag") }()
	tests := []struct {
		method, path string
		headers      []string
		status       int
	}{
		{http.MethodGet, "/", nil, http.StatusOK},
		{http.MethodGet, "/main.js", []string{"Accept-Encoding", "gzip"}, http.StatusOK},
		{http.MethodHead, "/ui.wasm", nil, http.StatusOK},
		{http.MethodGet, "/main.js", []string{"Range", "bytes=0-9"}, http.StatusPartialContent},
		{http.MethodGet, "/main.js", []string{"Range", "bytes=999999-"}, http.StatusRequestedRangeNotSatisfiable},
		{http.MethodGet, "/main.js", []string{"If-None-Match", etag}, http.StatusNotModified},
		{http.MethodGet, "/main.js", []string{"If-Match", `"other"`}, http.StatusPreconditionFailed},
		{http.MethodGet, "/sub", nil, http.StatusMovedPermanently},
		{http.MethodGet, "/nope", nil, http.StatusNotFound},
		{http.MethodGet, "/%2e%2e/secret.txt", nil, http.StatusBadRequest},
		{http.MethodPost, "/", nil, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status, " ", tt.method, " ", tt.path), func(t *testing.T) {
			resp, _ := s.do(t, tt.method, tt.path, tt.headers...)
			require.Equal(t, tt.status, resp.StatusCode)
			assertSecurityHeaders(t, resp.Header)
		})
	}
}

func TestCompressionIsCachedPerVersionOfAFile(t *testing.T) {
	s := newSite(t)
	compressions := func() int64 { return s.handler.gzip.compressions.Load() }
	get := func(path, accept string) []byte {
		resp, body := s.do(t, http.MethodGet, path, "Accept-Encoding", accept)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		return body
	}

	first := get("/ui.wasm", "gzip")
	require.Equal(t, int64(1), compressions())
	assert.Equal(t, first, get("/ui.wasm", "gzip"), "the second request is served from the cache")
	s.do(t, http.MethodHead, "/ui.wasm", "Accept-Encoding", "gzip")
	assert.Equal(t, int64(1), compressions())

	get("/ui.wasm", "identity")
	get("/icons/icon.png", "gzip")
	get("/data/train-images-idx3-ubyte.gz", "gzip")
	assert.Equal(t, int64(1), compressions(), "nothing to compress")

	get("/main.js", "gzip")
	assert.Equal(t, int64(2), compressions(), "each file is compressed once")

	p := filepath.Join(s.dir, "ui.wasm")
	rebuilt := []byte("\x00asm\x01\x00\x00\x00" + strings.Repeat("rebuilt", 1000))
	require.NoError(t, os.WriteFile(p, rebuilt, 0o644))
	later := time.Now().Add(time.Hour)
	require.NoError(t, os.Chtimes(p, later, later))
	assert.Equal(t, rebuilt, gunzip(t, get("/ui.wasm", "gzip")), "a new version is compressed again")
	assert.Equal(t, int64(3), compressions())
	get("/ui.wasm", "gzip")
	assert.Equal(t, int64(3), compressions())
	assert.Len(t, s.handler.gzip.files, 2, "the old version is dropped")
}

func TestConcurrentRequestsCompressOnce(t *testing.T) {
	s := newSite(t)
	want := s.file(t, "ui.wasm")
	var wg sync.WaitGroup
	bodies := make([][]byte, 16)
	for i := range bodies {
		wg.Go(func() {
			req, err := http.NewRequest(http.MethodGet, s.server.URL+"/ui.wasm", nil)
			if !assert.NoError(t, err) {
				return
			}
			req.Header.Set("Accept-Encoding", "gzip")
			resp, err := s.client.Do(req)
			if !assert.NoError(t, err) {
				return
			}
			defer resp.Body.Close()
			bodies[i], err = io.ReadAll(resp.Body)
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	for _, body := range bodies {
		assert.Equal(t, want, gunzip(t, body))
	}
	assert.Equal(t, int64(1), s.handler.gzip.compressions.Load())
}

func TestFolderRebuiltWhileServing(t *testing.T) {
	s := newSite(t)
	require.NoError(t, os.RemoveAll(s.dir))
	resp, _ := s.do(t, http.MethodGet, "/index.html")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "while the folder is gone")
	assertSecurityHeaders(t, resp.Header)

	require.NoError(t, os.Mkdir(s.dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(s.dir, "index.html"), []byte("rebuilt"), 0o644))
	resp, body := s.do(t, http.MethodGet, "/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "rebuilt", string(body))
}

func TestHandlerNeedsAFolder(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "index.html")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))

	_, err := Handler(filepath.Join(dir, "missing"))
	require.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "missing")

	_, err = Handler(file)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a folder")

	_, err = Handler(dir)
	assert.NoError(t, err)
}

func TestPrecompressLeavesNothingForTheRequests(t *testing.T) {
	s := newSite(t)
	n, err := Precompress(s.handler)
	require.NoError(t, err)
	assert.Equal(t, int64(n), s.handler.gzip.compressions.Load())
	assert.Len(t, s.handler.gzip.files, n)
	assert.NotContains(t, s.handler.gzip.files, "data/train-images-idx3-ubyte.gz", "already compressed")
	assert.NotContains(t, s.handler.gzip.files, "icons/icon.png")
	for _, path := range []string{"/ui.wasm", "/main.js", "/", "/sub/", "/icons/icon.svg"} {
		resp, _ := s.do(t, http.MethodGet, path, "Accept-Encoding", "gzip")
		require.Equal(t, http.StatusOK, resp.StatusCode, path)
		assert.Equal(t, "gzip", resp.Header.Get("Content-Encoding"), path)
	}
	_, body := s.do(t, http.MethodGet, "/ui.wasm", "Accept-Encoding", "gzip")
	assert.Equal(t, s.file(t, "ui.wasm"), gunzip(t, body))
	assert.Equal(t, int64(n), s.handler.gzip.compressions.Load(), "every request served from what Precompress made")

	_, err = Precompress(http.NotFoundHandler())
	assert.ErrorContains(t, err, "needs a handler made by Handler")
}
