// Package static serves a folder of built files over HTTP the way a static host does:
// GET and HEAD only, nothing outside the folder, no directory listings, brotli or gzip
// for text and WebAssembly (brotli with github.com/andybalholm/brotli, the pure-Go
// port of Google's encoder: 18% less than gzip on lwf.wasm), revalidation with ETags,
// and the page's security headers on every response.
package static

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/andybalholm/brotli"
)

// ContentSecurityPolicy is the policy sent with every response. The hosted page
// declares the same policy in a <meta> tag, since GitHub Pages cannot set headers.
// frame-ancestors is * because lecturers embed the page in slides through an iframe.
const ContentSecurityPolicy = "default-src 'self'; " +
	"script-src 'self' 'wasm-unsafe-eval'; " +
	"worker-src 'self'; " +
	"connect-src 'self'; " +
	"img-src 'self' data: blob:; " +
	"style-src 'self'; " +
	"object-src 'none'; " +
	"base-uri 'self'; " +
	"form-action 'none'; " +
	"frame-ancestors *"

// securityHeaders go on every response, errors included. There is deliberately no
// X-Frame-Options: it would forbid the embedding that frame-ancestors allows.
var securityHeaders = [...][2]string{
	{"Content-Security-Policy", ContentSecurityPolicy},
	{"X-Content-Type-Options", "nosniff"},
	{"Referrer-Policy", "no-referrer"},
	{"Cross-Origin-Resource-Policy", "same-origin"},
}

// fileType is how a file of one extension is sent.
type fileType struct {
	contentType string
	compress    bool // gzip it when the client accepts gzip
}

// fileTypes maps lower-case extensions to their types. Files already compressed
// (.gz, images, fonts) are sent as they are; a .gz is application/gzip without a
// Content-Encoding, so the page receives the compressed bytes and decompresses them.
var fileTypes = map[string]fileType{
	".html":        {"text/html; charset=utf-8", true},
	".css":         {"text/css; charset=utf-8", true},
	".js":          {"text/javascript; charset=utf-8", true},
	".mjs":         {"text/javascript; charset=utf-8", true},
	".json":        {"application/json", true},
	".map":         {"application/json", true},
	".webmanifest": {"application/manifest+json", true},
	".svg":         {"image/svg+xml", true},
	".txt":         {"text/plain; charset=utf-8", true},
	".wasm":        {"application/wasm", true},
	".gz":          {"application/gzip", false},
	".png":         {"image/png", false},
	".ico":         {"image/x-icon", false},
	".jpg":         {"image/jpeg", false},
	".jpeg":        {"image/jpeg", false},
	".webp":        {"image/webp", false},
	".woff2":       {"font/woff2", false},
}

// typeOf returns how the file called name is sent; extensions missing from fileTypes
// are sent uncompressed with the system's type for them, else as octet-stream.
func typeOf(name string) fileType {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := fileTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return fileType{contentType: t}
	}
	return fileType{contentType: "application/octet-stream"}
}

// maxGzipSize is the largest file compressed in memory; larger ones go out as they are.
const maxGzipSize = 64 << 20

// handler serves the files under dir.
type handler struct {
	dir      string // absolute
	br, gzip compressedCache
}

// encodings returns the handler's content codings in the order it prefers them.
func (h *handler) encodings() []*compressedCache { return []*compressedCache{&h.br, &h.gzip} }

// Handler returns a handler serving the files under dir, or an error if dir is not
// a folder. The folder is opened again for each request, so it may be rebuilt (even
// deleted and recreated) while the handler runs.
func Handler(dir string) (http.Handler, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("static: %w", err)
	}
	info, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("static: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("static: %s: not a folder", dir)
	}
	return &handler{dir: abs, br: compressedCache{coding: "br", compress: brotliBytes},
		gzip: compressedCache{coding: "gzip", compress: gzipBytes}}, nil
}

// Precompress compresses (brotli and gzip), ahead of the first request, every file under the folder of h
// (a handler made by Handler) that would be sent compressed, as a static host does
// when it publishes a site; it returns how many it compressed. Requests then never
// wait for a compression, unless a file changes.
func Precompress(h http.Handler) (int, error) {
	hh, ok := h.(*handler)
	if !ok {
		return 0, errors.New("static: Precompress needs a handler made by Handler")
	}
	n := 0
	err := filepath.WalkDir(hh.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() || !typeOf(d.Name()).compress {
			return nil
		}
		info, err := d.Info()
		if err != nil || info.Size() > maxGzipSize {
			return err
		}
		rel, err := filepath.Rel(hh.dir, p)
		if err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		for _, c := range hh.encodings() {
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return err
			}
			if _, err := c.get(filepath.ToSlash(rel), f, info); err != nil {
				return err
			}
		}
		n++
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("static: precompressing %s: %w", hh.dir, err)
	}
	return n, nil
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	header := w.Header()
	for _, kv := range securityHeaders {
		header.Set(kv[0], kv[1])
	}
	header.Set("Cache-Control", "no-cache")

	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		header.Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name, ok := fileName(r.URL.Path)
	if !ok {
		http.Error(w, "400 bad request", http.StatusBadRequest)
		return
	}
	// os.Root refuses names, and symbolic links, that lead outside the folder.
	root, err := os.OpenRoot(h.dir)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer root.Close()

	info, err := root.Stat(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if info.IsDir() {
		index := path.Join(name, "index.html")
		if info, err = root.Stat(index); err != nil || !info.Mode().IsRegular() {
			http.NotFound(w, r) // no listings
			return
		}
		if !strings.HasSuffix(r.URL.Path, "/") {
			// So that the page's relative links resolve inside the folder.
			target := (&url.URL{Path: "/" + name + "/", RawQuery: r.URL.RawQuery}).String()
			http.Redirect(w, r, target, http.StatusMovedPermanently)
			return
		}
		name = index
	} else if strings.HasSuffix(r.URL.Path, "/") {
		http.NotFound(w, r) // a file asked for as a folder
		return
	}
	if !info.Mode().IsRegular() {
		http.NotFound(w, r) // devices, pipes, sockets
		return
	}
	f, err := root.Open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	h.serveFile(w, r, name, f, info)
}

// serveFile sends f, compressed if its type and the request allow (brotli before
// gzip); http.ServeContent answers conditional and range requests and HEAD.
func (h *handler) serveFile(w http.ResponseWriter, r *http.Request, name string, f *os.File, info os.FileInfo) {
	header := w.Header()
	t := typeOf(name)
	header.Set("Content-Type", t.contentType)
	etag := fmt.Sprintf("%x-%x", info.ModTime().UnixNano(), info.Size())
	var content io.ReadSeeker = f
	if t.compress {
		header.Set("Vary", "Accept-Encoding")
		for _, c := range h.encodings() {
			if !accepts(r.Header.Values("Accept-Encoding"), c.coding) || info.Size() > maxGzipSize {
				continue
			}
			if b, err := c.get(name, f, info); err == nil {
				// The compressed bytes are another representation, with their own ETag.
				etag += "-" + c.coding
				content = bytes.NewReader(b)
				header.Set("Content-Encoding", c.coding)
				// ServeContent leaves Content-Length unset when Content-Encoding is set
				// (except for ranges, where it sets it itself).
				header.Set("Content-Length", strconv.Itoa(len(b)))
				break
			}
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				break
			}
		}
	}
	header.Set("ETag", `"`+etag+`"`)
	http.ServeContent(w, r, name, info.ModTime(), content)
}

// fileName turns a request path into a slash-separated name relative to the folder
// ("." for the folder itself). ok is false for paths with a ".." element, a
// backslash or a NUL, which no file of the site has and which only an attempt to
// leave the folder would send. The path is already percent-decoded, so %2e%2e is "..".
func fileName(urlPath string) (name string, ok bool) {
	if !strings.HasPrefix(urlPath, "/") || strings.ContainsAny(urlPath, "\\\x00") {
		return "", false
	}
	for elem := range strings.SplitSeq(urlPath, "/") {
		if elem == ".." {
			return "", false
		}
	}
	name = strings.TrimPrefix(path.Clean(urlPath), "/")
	if name == "" {
		name = "."
	}
	return name, filepath.IsLocal(filepath.FromSlash(name))
}

// accepts reports whether Accept-Encoding header values allow coding ("br" or
// "gzip", which x-gzip names too): named (or "*" when it is not) with a q-value above
// zero.
func accepts(values []string, coding string) bool {
	namedQ, starQ := -1.0, -1.0 // -1: not named
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(item, ";")
			q := 1.0
			for param := range strings.SplitSeq(params, ";") {
				key, value, _ := strings.Cut(strings.TrimSpace(param), "=")
				if strings.EqualFold(strings.TrimSpace(key), "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(value), 64); err == nil {
						q = f
					}
				}
			}
			switch name = strings.ToLower(strings.TrimSpace(name)); {
			case name == coding || (coding == "gzip" && name == "x-gzip"):
				namedQ = max(namedQ, q)
			case name == "*":
				starQ = max(starQ, q)
			}
		}
	}
	if namedQ >= 0 {
		return namedQ > 0
	}
	return starQ > 0
}

// compressedCache holds the bytes of each file in one content coding, compressed
// once per version of the file (its size and modification time). A new version
// replaces the old one, so the cache never holds more than one copy of each
// compressible file.
type compressedCache struct {
	coding       string // its Content-Encoding
	compress     func(r io.Reader, size int64) ([]byte, error)
	mu           sync.Mutex
	files        map[string]*compressed // by name in the folder
	compressions atomic.Int64           // files compressed so far, for the tests
}

// compressed is one version of one file, compressed by whichever request needs it first.
type compressed struct {
	size    int64
	modTime time.Time
	once    sync.Once
	data    []byte
	err     error
}

// get returns the compressed contents of f, the file called name described by info,
// compressing it if this version is not in the cache yet. Concurrent requests for
// the same version wait for one compression.
func (c *compressedCache) get(name string, f io.Reader, info os.FileInfo) ([]byte, error) {
	c.mu.Lock()
	e := c.files[name]
	if e == nil || e.size != info.Size() || !e.modTime.Equal(info.ModTime()) {
		e = &compressed{size: info.Size(), modTime: info.ModTime()}
		if c.files == nil {
			c.files = make(map[string]*compressed)
		}
		c.files[name] = e
	}
	c.mu.Unlock()
	e.once.Do(func() {
		c.compressions.Add(1)
		e.data, e.err = c.compress(f, e.size)
		if e.err != nil {
			e.err = fmt.Errorf("static: %s %s: %w", c.coding, name, e.err)
		}
	})
	return e.data, e.err
}

// errChanged reports a file whose length is not what its Stat said: it is being
// rewritten, and the next version will have another size or modification time.
var errChanged = errors.New("file changed while being read")

// gzipBytes compresses the size bytes read from r with gzip.
func gzipBytes(r io.Reader, size int64) ([]byte, error) {
	return compressBytes(r, size, func(w io.Writer) (io.WriteCloser, error) {
		return gzip.NewWriterLevel(w, gzip.BestCompression) // once per file: worth it
	})
}

// brotliLevel is brotli's quality: 9 of 11 compresses lwf.wasm in about 2 s, 18% below
// gzip; 11 gives 29% below it but takes half a minute, too long for make serve's
// start (a host that publishes once can afford it).
const brotliLevel = 9

// brotliBytes compresses the size bytes read from r with brotli.
func brotliBytes(r io.Reader, size int64) ([]byte, error) {
	return compressBytes(r, size, func(w io.Writer) (io.WriteCloser, error) {
		return brotli.NewWriterLevel(w, brotliLevel), nil
	})
}

// compressBytes compresses the size bytes read from r with the writer newWriter makes.
func compressBytes(r io.Reader, size int64, newWriter func(io.Writer) (io.WriteCloser, error)) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(int(size/3) + 64)
	zw, err := newWriter(&buf)
	if err != nil {
		return nil, err
	}
	n, err := io.Copy(zw, io.LimitReader(r, size+1))
	if err != nil {
		return nil, err
	}
	if n != size {
		return nil, errChanged
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
