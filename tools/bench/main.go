// Command bench measures training speed side by side, in one run on one machine, and
// writes the table the README shows: our training step natively (go test
// benchmarks, as a plain `go run` builds them, with the kernels this CPU gets and with
// the plain ones) and in Chromium (the site's bench.html, in its worker), next to
// TensorFlow.js in the same Chromium (tfjs.html) and the reference's step in PyTorch
// on OpenBLAS, one thread (tools/reference/reference.py bench), with the ratio each
// speed target asks for.
//
// It also opens the page as a visitor would and measures its budgets: the first
// training step, the longest main-thread task, the time to 90% after Play.
//
//	go run ./tools/bench [--out BENCHMARKS.md] [--skip native,peak,arm64,browser,tfjs,pytorch,page,network,conv]
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/nofeedback/lwf/core/tensor"

	"github.com/nofeedback/lwf/core/stats"
	"github.com/nofeedback/lwf/tools/internal/mnist"
	"github.com/nofeedback/lwf/tools/serve/static"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// key names one measurement: who ran it, where, on which network, under which rule.
type key struct{ who, net, mode string }

// figures are samples per second by measurement.
type figures map[key]float64

// parts are the measurements, in the order they run.
var parts = []string{"native", "peak", "arm64", "browser", "tfjs", "pytorch", "page", "network", "conv"}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "also write the table to this markdown file")
	skip := fs.String("skip", "", "comma-separated parts to skip: "+strings.Join(parts, ", "))
	if err := fs.Parse(args); err != nil {
		return 2
	}
	root, err := projectRoot()
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	}
	skipped := map[string]bool{}
	for _, s := range strings.Split(*skip, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !slices.Contains(parts, s) {
			fmt.Fprintf(stderr, "bench: --skip: no part %q (the parts: %s)\n", s, strings.Join(parts, ", "))
			return 2
		}
		skipped[s] = true
	}
	f := figures{}
	var notes []string
	step := func(name string, do func() error) {
		if skipped[name] {
			notes = append(notes, name+": skipped")
			return
		}
		fmt.Fprintf(stderr, "bench: %s…\n", name)
		if err := do(); err != nil {
			fmt.Fprintf(stderr, "bench: %s: %v\n", name, err)
			notes = append(notes, fmt.Sprintf("%s: not measured (%v)", name, err))
		}
	}
	step("native", func() error { return native(root, f) })
	var peaks peakFigures
	step("peak", func() error { return peak(root, &peaks) })
	var arm armFigures
	step("arm64", func() error { return arm64Counts(root, &arm) })
	step("browser", func() error { return browser(root, f) })
	step("tfjs", func() error { return tfjs(root, f, stderr) })
	step("pytorch", func() error { return pytorch(root, f) })
	var pf pageFigures
	step("page", func() error { return page(root, &pf) })
	var visits []visitFigures
	step("network", func() error { return network(root, &visits) })
	var conv []convFigures
	step("conv", func() error { return convPresets(root, &conv) })
	table := report(f, notes) + peakReport(peaks) + arm64Report(arm) + pageReport(pf) + networkReport(visits) + convReport(conv)
	fmt.Fprint(stdout, table)
	if *out != "" {
		if err := os.WriteFile(*out, []byte(table), 0o644); err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
	}
	return 0
}

func projectRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("run it inside the project (no go.mod found)")
		}
	}
}

var (
	benchLine   = regexp.MustCompile(`^BenchmarkStep/([A-Z0-9_]+)/([A-Za-z]+)(?:-\d+)?\s+\d+\s+\d+ ns/op\s+([0-9.]+) samples/s`)
	threadsLine = regexp.MustCompile(`^BenchmarkStepThreads/([A-Z0-9_]+)/([A-Za-z]+)/threads=(\d+)(?:-\d+)?\s+\d+\s+\d+ ns/op\s+([0-9.]+) samples/s`)
	optimLine   = regexp.MustCompile(`^BenchmarkStepOptimizer/([A-Z0-9_]+)/([A-Za-z]+)/([A-Za-z]+)(?:-\d+)?\s+\d+\s+\d+ ns/op\s+([0-9.]+) samples/s`)
)

// The sweeps train with Adam (BCE, sigmoid output); the other figures are NAG's. An
// optimiser's step is measured on this network and rule, under "go native Adam" and
// "go native NAG" (one benchmark, side by side) and "pytorch Adam".
const (
	sweepOptimizer = "Adam"
	optimNet       = "FC_500_FC_10"
	optimMode      = "DRTP"
)

// native runs the core's step benchmarks as `go test` builds them: with the kernels
// this CPU gets ("go native"), with the plain ones ("go plain"), with the products
// split across goroutines ("go threads=N"), and with NAG and the sweeps' optimiser
// ("go native NAG", "go native Adam").
func native(root string, f figures) error {
	for _, run := range []struct{ who, kernels, bench string }{
		{"go native", "", "^BenchmarkStep(Threads)?$"},
		{"go plain", "plain", "^BenchmarkStep$"},
		{"go native", "", fmt.Sprintf("^BenchmarkStepOptimizer$/^%s$/^%s$/^(NAG|%s)$", optimNet, optimMode, sweepOptimizer)},
	} {
		cmd := exec.Command("go", "test", "-run", "^$", "-bench", run.bench, "-benchtime", "3s", "-count", "3", "./core/train/")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "LWF_KERNELS="+run.kernels)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%v: %s", err, lastLines(out, 5))
		}
		runs := map[key][]float64{}
		for _, line := range strings.Split(string(out), "\n") {
			if m := benchLine.FindStringSubmatch(line); m != nil {
				v, _ := strconv.ParseFloat(m[3], 64)
				k := key{run.who, m[1], m[2]}
				runs[k] = append(runs[k], v)
			}
			if m := threadsLine.FindStringSubmatch(line); m != nil {
				v, _ := strconv.ParseFloat(m[4], 64)
				k := key{"go threads=" + m[3], m[1], m[2]}
				runs[k] = append(runs[k], v)
			}
			if m := optimLine.FindStringSubmatch(line); m != nil {
				v, _ := strconv.ParseFloat(m[4], 64)
				k := key{run.who + " " + m[3], m[1], m[2]}
				runs[k] = append(runs[k], v)
			}
		}
		if len(runs) == 0 {
			return fmt.Errorf("no benchmark output: %s", lastLines(out, 5))
		}
		for k, v := range runs {
			f[k] = stats.Median(v)
		}
	}
	return nil
}

// browser serves dist/ and reads the timings of bench.html in headless Chromium.
func browser(root string, f figures) error {
	dist := filepath.Join(root, "dist")
	if _, err := os.Stat(filepath.Join(dist, "bench.html")); err != nil {
		return fmt.Errorf("no dist/bench.html: run make dist")
	}
	srv, err := serveDist(root)
	if err != nil {
		return err
	}
	defer srv.Close()
	ctx, cancel := chromium(30 * time.Minute)
	defer cancel()
	var status, results string
	err = chromedp.Run(ctx, chromedp.Navigate(srv.URL+"/bench.html"),
		chromedp.Poll(`["done", "error"].includes(document.getElementById("status").textContent)`, nil, chromedp.WithPollingInterval(time.Second), chromedp.WithPollingTimeout(25*time.Minute)),
		chromedp.Text("#status", &status, chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById("bench-table").dataset.results || document.getElementById("error").textContent`, &results))
	if err != nil {
		return err
	}
	if status != "done" {
		return fmt.Errorf("the page says: %s", results)
	}
	var rows []struct {
		Net, Mode string
		Samples   float64 `json:"samples_per_s"`
	}
	if err := json.Unmarshal([]byte(results), &rows); err != nil {
		return err
	}
	for _, r := range rows {
		f[key{"go wasm", r.Net, r.Mode}] = r.Samples
	}
	return nil
}

// serveDist serves the built site on a local address, compressed ahead as make serve
// does.
func serveDist(root string) (*httptest.Server, error) {
	h, err := static.Handler(filepath.Join(root, "dist"))
	if err != nil {
		return nil, err
	}
	if _, err := static.Precompress(h); err != nil {
		return nil, err
	}
	return httptest.NewServer(h), nil
}

func chromium(timeout time.Duration, extra ...string) (context.Context, context.CancelFunc) {
	bin := os.Getenv("CHROMIUM")
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if bin == "" {
			bin, _ = exec.LookPath(name)
		}
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true))
	for _, e := range extra { // "name" or "name=value"
		name, value, ok := strings.Cut(e, "=")
		if ok {
			opts = append(opts, chromedp.Flag(name, value))
		} else {
			opts = append(opts, chromedp.Flag(name, true))
		}
	}
	if len(extra) > 0 {
		opts = append(opts, chromedp.Flag("disable-gpu", false))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, timeout)
	return ctx, func() { cancelTime(); cancelCtx(); cancelAlloc() }
}

// tfjsVersion is the TensorFlow.js release measured.
const tfjsVersion = "4.22.0"

//go:embed tfjs.html
var tfjsPage []byte

// tfjs measures TensorFlow.js training BP in the same Chromium (tfjs.html): npm
// installs it into .cache/tfjs once, the page and MNIST's first digits are served
// here with cross-origin isolation (which lets its WebAssembly backend use threads),
// WebGL is rendered by SwiftShader as on a machine without a GPU, and the conv
// network gets 5 timed batches, which the CPU backend takes minutes over.
func tfjs(root string, f figures, log io.Writer) error {
	www, err := tfjsSite(root)
	if err != nil {
		return err
	}
	srv := httptest.NewServer(isolated(http.FileServer(http.Dir(www))))
	defer srv.Close()
	for _, c := range []struct {
		backend, net string
		timed        int
	}{{"wasm", "FC_500_FC_10", 30}, {"webgl", "FC_500_FC_10", 30}, {"cpu", "FC_500_FC_10", 30}, {"webgl", conv, 5}, {"cpu", conv, 5}} {
		var flags []string
		if c.backend == "webgl" {
			flags = []string{"use-angle=swiftshader", "enable-unsafe-swiftshader"}
		}
		ctx, cancel := chromium(10*time.Minute, flags...)
		var text string
		err := chromedp.Run(ctx, chromedp.Navigate(fmt.Sprintf("%s/tfjs.html?backend=%s&topology=%s&batch=100&timed=%d", srv.URL, c.backend, c.net, c.timed)),
			chromedp.Poll(`document.getElementById("result").textContent !== "running"`, nil, chromedp.WithPollingInterval(time.Second), chromedp.WithPollingTimeout(9*time.Minute)),
			chromedp.Text("#result", &text, chromedp.ByID))
		cancel()
		if err == nil {
			var v float64
			if v, err = tfjsResult(text, c.backend); err == nil {
				f[key{"tfjs " + c.backend, c.net, "BP"}] = v
				continue
			}
		}
		fmt.Fprintf(log, "bench: tfjs %s %s: %v\n", c.backend, c.net, err)
	}
	return nil
}

// tfjsSite fills .cache/tfjs/www with the page, TensorFlow.js and its WebAssembly
// backend (installed by npm the first time) and MNIST's training digits, inflated.
func tfjsSite(root string) (string, error) {
	dir := filepath.Join(root, ".cache", "tfjs")
	www := filepath.Join(dir, "www")
	pkg := filepath.Join(dir, "node_modules", "@tensorflow")
	if _, err := os.Stat(filepath.Join(pkg, "tfjs-backend-wasm", "package.json")); err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", err
		}
		cmd := exec.Command("npm", "install", "--no-save", "--silent", "--prefix", dir,
			"@tensorflow/tfjs@"+tfjsVersion, "@tensorflow/tfjs-backend-wasm@"+tfjsVersion)
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("npm install TensorFlow.js %s: %v: %s", tfjsVersion, err, out)
		}
	}
	if err := os.MkdirAll(www, 0o755); err != nil {
		return "", err
	}
	files, _ := filepath.Glob(filepath.Join(pkg, "tfjs-backend-wasm", "dist", "*.wasm"))
	files = append(files, filepath.Join(pkg, "tfjs", "dist", "tf.min.js"), filepath.Join(pkg, "tfjs-backend-wasm", "dist", "tf-backend-wasm.min.js"))
	for _, src := range files {
		b, err := os.ReadFile(src)
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(www, filepath.Base(src)), b, 0o644); err != nil {
			return "", err
		}
	}
	if err := os.WriteFile(filepath.Join(www, "tfjs.html"), tfjsPage, 0o644); err != nil {
		return "", err
	}
	digits, err := mnist.Dir(context.Background(), func(s string) { fmt.Fprintln(os.Stderr, s) })
	if err != nil {
		return "", err
	}
	for _, name := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte"} {
		if err := gunzipFile(filepath.Join(digits, name+".gz"), filepath.Join(www, name)); err != nil {
			return "", err
		}
	}
	return www, nil
}

// gunzipFile writes the inflated contents of a .gz file.
func gunzipFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	z, err := gzip.NewReader(in)
	if err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, z); err != nil {
		out.Close()
		return fmt.Errorf("%s: %w", from, err)
	}
	return out.Close()
}

// tfjsResult reads tfjs.html's result; a backend that fell back to another is not
// a figure of the one asked for.
func tfjsResult(text, backend string) (float64, error) {
	var r struct {
		Samples float64 `json:"samples_per_s"`
		Backend string
		Error   string
	}
	if err := json.Unmarshal([]byte(text), &r); err != nil {
		return 0, fmt.Errorf("%q: %v", text, err)
	}
	if r.Error != "" || r.Samples == 0 {
		return 0, fmt.Errorf("%s", text)
	}
	if r.Backend != backend {
		return 0, fmt.Errorf("ran on %s, not %s", r.Backend, backend)
	}
	return r.Samples, nil
}

// isolated adds the headers that let TensorFlow.js use threads (cross-origin
// isolation).
func isolated(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cross-Origin-Opener-Policy", "same-origin")
		w.Header().Set("Cross-Origin-Embedder-Policy", "require-corp")
		if strings.HasSuffix(r.URL.Path, ".wasm") {
			w.Header().Set("Content-Type", "application/wasm")
		}
		h.ServeHTTP(w, r)
	})
}

// pytorch times the reference's step with the PyTorch reimplementation, one thread,
// on Debian's OpenBLAS (libopenblas0-pthread): the installed one, else the package
// unpacked into a temporary folder (tools/reference/openblas.sh), loaded with
// LD_LIBRARY_PATH.
func pytorch(root string, f figures) error {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import torch").Run(); err != nil {
		return fmt.Errorf("no PyTorch for %s (apt-get install python3-torch)", py)
	}
	lib, err := openBLAS(root)
	if err != nil {
		return err
	}
	cmd := exec.Command(filepath.Join(root, "tools", "reference", "bench.sh"))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "OUT="+filepath.Join(os.TempDir(), "lwf-bench-pytorch"), "REPEATS=5", "SCALE=5",
		"LD_LIBRARY_PATH="+lib, "OPENBLAS_NUM_THREADS=1", "OMP_NUM_THREADS=1")
	out, err := cmd.Output()
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		var r struct {
			Library, Mode, Net, BLAS, Optimizer string
			Samples                             float64 `json:"samples_per_s"`
		}
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.Library == "pytorch-reference" {
			if !strings.Contains(r.BLAS, "openblas") {
				return fmt.Errorf("PyTorch loaded %q, not OpenBLAS from %s", r.BLAS, lib)
			}
			who := "pytorch"
			if r.Optimizer != "" && r.Optimizer != "NAG" {
				who += " " + r.Optimizer // NAG's are the main table's
			}
			f[key{who, r.Net, r.Mode}] = r.Samples
		}
	}
	return nil
}

// openBLAS returns the folder of Debian's threaded OpenBLAS as a BLAS library, as
// tools/reference/openblas.sh prints it: the installed package's, or the package
// fetched by apt-get download and unpacked. Its error is what the script says.
func openBLAS(root string) (string, error) {
	script := filepath.Join(root, "tools", "reference", "openblas.sh")
	out, err := exec.Command(script).Output()
	if exit := (*exec.ExitError)(nil); errors.As(err, &exit) {
		if msg := bytes.TrimSpace(exit.Stderr); len(msg) > 0 {
			return "", errors.New(string(msg))
		}
		return "", fmt.Errorf("%s: %w", script, err)
	}
	if err != nil {
		return "", err // it could not start; the error names it
	}
	lib := strings.TrimSpace(string(out))
	if lib == "" {
		return "", fmt.Errorf("%s printed no folder", script)
	}
	return lib, nil
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

const (
	fc    = "FC_500_FC_10"
	deep  = "FC_1000_FC_1000_FC_10"
	conv  = "CONV_32_5_1_2_FC_1000_FC_10"
	modes = "BP FA DFA sDFA DRTP shallow"
)

// report writes the figures and the targets as markdown.
func report(f figures, notes []string) string {
	var sb strings.Builder
	writeIntro(&sb)
	writeSpeeds(&sb, f)
	writeThreads(&sb, f)
	writeOptimizers(&sb, f)
	writeTargets(&sb, f)
	if len(notes) > 0 {
		sb.WriteString("\nNotes: " + strings.Join(notes, "; ") + ".\n")
	}
	return sb.String()
}

// writeIntro writes the title and the prose on the machine and what was measured how.
func writeIntro(sb *strings.Builder) {
	host, _ := os.Hostname()
	fmt.Fprintf(sb, "# Training speed\n\nMeasured by `make bench` on %s: %s, %d cores, %s/%s, %s; the CPU offers %s, and the kernels chosen are %s.\n",
		time.Now().UTC().Format("2006-01-02"), cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, host, strings.Join(tensor.CPUFeatures(), ", "), tensor.Kernels())
	sb.WriteString("One training step of batch 100 on MNIST (tanh hidden units, sigmoid output, BCE, NAG), in samples per second: medians of repeated runs, all in this one run. ")
	fmt.Fprintf(sb, "Native figures are `go test -bench` as a plain `go run ./tools/train` builds it (no environment variables, Go's own toolchain), one thread: with the kernels chosen for this CPU (%s) and with the plain Go ones. ", tensor.Kernels())
	sb.WriteString("The browser figures come from the site's `bench.html` in headless Chromium, in its worker; TensorFlow.js 4.22 runs BP in the same Chromium; PyTorch runs the reference's step on one thread on Debian's OpenBLAS (`libopenblas0-pthread`, `OPENBLAS_NUM_THREADS=1`).\n\n")
}

// cell writes the figure of k for a table, in samples per second, or – when it was
// not measured.
func (f figures) cell(k key) string {
	if v, ok := f[k]; ok && v > 0 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return "–"
}

// ratio returns f[a] / f[b], or 0 when either was not measured.
func (f figures) ratio(a, b key) float64 {
	if f[a] > 0 && f[b] > 0 {
		return f[a] / f[b]
	}
	return 0
}

// writeSpeeds writes the main table: each network and rule, by who ran it where
// (TensorFlow.js trains BP only; the larger networks are measured with BP and DRTP).
func writeSpeeds(sb *strings.Builder, f figures) {
	fmt.Fprintf(sb, "| network | rule | Go native (%s) | Go native (plain) | Go in Chromium | PyTorch on OpenBLAS, 1 thread | TF.js wasm | TF.js webgl | TF.js cpu |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n", tensor.Kernels())
	for _, net := range []string{fc, deep, conv} {
		for _, m := range strings.Fields(modes) {
			if net != fc && m != "BP" && m != "DRTP" {
				continue
			}
			tf := func(b string) string {
				if m != "BP" {
					return ""
				}
				return f.cell(key{"tfjs " + b, net, "BP"})
			}
			fmt.Fprintf(sb, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", net, m,
				f.cell(key{"go native", net, m}), f.cell(key{"go plain", net, m}), f.cell(key{"go wasm", net, m}), f.cell(key{"pytorch", net, m}), tf("wasm"), tf("webgl"), tf("cpu"))
		}
	}
}

// threadCounts returns the numbers of threads measured on the deep network's
// DRTP, ascending.
func threadCounts(f figures) []int {
	threads := []int{}
	for k := range f {
		if n, ok := strings.CutPrefix(k.who, "go threads="); ok && k.net == deep && k.mode == "DRTP" {
			v, _ := strconv.Atoi(n)
			threads = append(threads, v)
		}
	}
	slices.Sort(threads)
	return threads
}

// writeThreads writes the table of the deep network's step across goroutines, if
// it was measured.
func writeThreads(sb *strings.Builder, f figures) {
	threads := threadCounts(f)
	if len(threads) == 0 {
		return
	}
	sb.WriteString("\nThe products split across goroutines (`--threads N`), same benchmark, same bits:\n\n| network | rule |")
	for _, t := range threads {
		fmt.Fprintf(sb, " %d thread(s) |", t)
	}
	sb.WriteString("\n|---|---|" + strings.Repeat("---:|", len(threads)) + "\n")
	for _, m := range []string{"BP", "DRTP"} {
		fmt.Fprintf(sb, "| %s | %s |", deep, m)
		for _, t := range threads {
			fmt.Fprintf(sb, " %s |", f.cell(key{fmt.Sprintf("go threads=%d", t), deep, m}))
		}
		sb.WriteString("\n")
	}
}

// writeOptimizers writes the table of the sweeps' optimiser beside NAG, if either
// Go or PyTorch measured it.
func writeOptimizers(sb *strings.Builder, f figures) {
	measured := f[key{"go native " + sweepOptimizer, optimNet, optimMode}] > 0 || f[key{"pytorch " + sweepOptimizer, optimNet, optimMode}] > 0
	if !measured {
		return
	}
	fmt.Fprintf(sb, "\nThe sweeps' optimiser (%s; BCE, sigmoid output, tanh hidden units as above) beside NAG, same benchmarks:\n\n", sweepOptimizer)
	fmt.Fprintf(sb, "| network | rule | optimiser | Go native (%s) | PyTorch on OpenBLAS, 1 thread |\n|---|---|---|---:|---:|\n", tensor.Kernels())
	for _, opt := range []string{"NAG", sweepOptimizer} {
		pytorch := key{"pytorch " + opt, optimNet, optimMode}
		if opt == "NAG" {
			pytorch.who = "pytorch"
		}
		fmt.Fprintf(sb, "| %s | %s | %s | %s | %s |\n", optimNet, optimMode, opt, f.cell(key{"go native " + opt, optimNet, optimMode}), f.cell(pytorch))
	}
}

// writeTargets writes the table of the speed targets: each ratio measured, its
// goal, and whether it is met.
func writeTargets(sb *strings.Builder, f figures) {
	sb.WriteString("\n## Targets\n\n| target | measured | goal | met |\n|---|---:|---:|:---:|\n")
	for _, m := range strings.Fields(modes) {
		writeTarget(sb, "native, 784-500-10, "+m+" vs PyTorch on OpenBLAS", f.ratio(key{"go native", fc, m}, key{"pytorch", fc, m}), 1.5)
	}
	for _, net := range []string{deep, conv} {
		for _, m := range []string{"BP", "DRTP"} {
			writeTarget(sb, fmt.Sprintf("native, %s, %s vs PyTorch on OpenBLAS", shortName(net), m), f.ratio(key{"go native", net, m}, key{"pytorch", net, m}), 1)
		}
	}
	least, leastWhat := leastKernelGain(f)
	writeTarget(sb, fmt.Sprintf("native, %s kernels vs the plain ones, the least gain (%s)", tensor.Kernels(), leastWhat), least, 1)
	writeTarget(sb, "native, 784-1000-1000-10, DRTP, 2 threads vs 1", f.ratio(key{"go threads=2", deep, "DRTP"}, key{"go threads=1", deep, "DRTP"}), 1.7)
	writeTarget(sb, "native, 784-1000-1000-10, DRTP vs our BP", f.ratio(key{"go native", deep, "DRTP"}, key{"go native", deep, "BP"}), 1.3)
	writeTarget(sb, fmt.Sprintf("native, %s, %s, %s vs NAG (its step within 1.15× of NAG's time)", shortName(optimNet), optimMode, sweepOptimizer),
		f.ratio(key{"go native " + sweepOptimizer, optimNet, optimMode}, key{"go native NAG", optimNet, optimMode}), 1/1.15)
	writeTarget(sb, "Chromium, 784-500-10, BP vs TF.js wasm", f.ratio(key{"go wasm", fc, "BP"}, key{"tfjs wasm", fc, "BP"}), 10)
	writeTarget(sb, "Chromium, 784-500-10, DRTP vs TF.js wasm (BP)", f.ratio(key{"go wasm", fc, "DRTP"}, key{"tfjs wasm", fc, "BP"}), 10)
	writeTarget(sb, "Chromium, 784-1000-1000-10, DRTP vs our BP", f.ratio(key{"go wasm", deep, "DRTP"}, key{"go wasm", deep, "BP"}), 1.3)
	bestConv := key{"tfjs webgl", conv, "BP"}
	if f[key{"tfjs cpu", conv, "BP"}] > f[bestConv] {
		bestConv = key{"tfjs cpu", conv, "BP"}
	}
	writeTarget(sb, "Chromium, conv net, DRTP vs the fastest TF.js backend that trains it (BP)", f.ratio(key{"go wasm", conv, "DRTP"}, bestConv), 3)
}

// leastKernelGain returns the smallest speed-up of this CPU's kernels over the
// plain ones among the networks and rules both measured, and which it is (0 and ""
// when none).
func leastKernelGain(f figures) (float64, string) {
	least, what := 0.0, ""
	for k := range f {
		if k.who == "go native" {
			if r := f.ratio(k, key{"go plain", k.net, k.mode}); r > 0 && (least == 0 || r < least) {
				least, what = r, shortName(k.net)+" "+k.mode
			}
		}
	}
	return least, what
}

// writeTarget writes a target's row: the ratio r measured (– when it was not),
// the goal, and whether r reaches it.
func writeTarget(sb *strings.Builder, what string, r, goal float64) {
	met := "–"
	measured := "–"
	if r > 0 {
		measured = fmt.Sprintf("%.2f×", r)
		met = "no"
		if r >= goal {
			met = "yes"
		}
	}
	goalText := fmt.Sprintf("%.1f×", goal)
	if math.Abs(10*goal-math.Round(10*goal)) > 1e-9 {
		goalText = fmt.Sprintf("%.2f×", goal)
	}
	fmt.Fprintf(sb, "| %s | %s | %s | %s |\n", what, measured, goalText, met)
}

// shortName writes a topology as its layer sizes.
func shortName(net string) string {
	switch net {
	case fc:
		return "784-500-10"
	case deep:
		return "784-1000-1000-10"
	case conv:
		return "conv net"
	}
	return net
}

// cpuModel is this machine's CPU as /proc/cpuinfo names it.
func cpuModel() string {
	if v := cpuinfo("model name"); v != "" {
		return v
	}
	return "unknown CPU"
}

// cpuinfo returns the first value of a field of /proc/cpuinfo ("" if none).
func cpuinfo(field string) string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == field {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
