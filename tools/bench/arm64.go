package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// The NEON kernels cannot be timed here (qemu-user translates each instruction, so
// its speed says nothing of an arm64 CPU's). What can be counted is the instructions
// of each kernel's loop per unit of work against the plain Go loop's, as the Go
// compiler builds it for arm64: the ratio an arm64 core that issues as many
// instructions a cycle in both would show.

// armKernel is one NEON kernel and the plain loop it replaces.
type armKernel struct {
	name  string // in kernels_arm64.s
	work  int    // units of work (multiply-adds or elements) per loop iteration
	unit  string
	plain []plainPart // the plain loop's functions, whose instructions add up
}

// plainPart is one function of a plain loop: its symbol for go tool objdump -s,
// and whether its innermost loop counts (else all of it, to its first RET).
type plainPart struct {
	sym  string
	loop bool
}

// armKernels are the kernels counted, with the plain loops they stand for: the
// products' axpy inside mulAdd (8 instructions a multiply-add), tanh32's loop and the
// exp32 it calls, and the closures that elementWise runs on the plain path.
var armKernels = func() []armKernel {
	axpy := []plainPart{{`tensor.mulAdd\[go.shape.float32\]$`, true}}
	var ks []armKernel
	for _, w := range []int{64, 32, 16, 8, 4} {
		ks = append(ks, armKernel{fmt.Sprintf("rowNEONx%d", w), w, "multiply-add", axpy})
	}
	for _, w := range []int{16, 8, 4} {
		ks = append(ks, armKernel{fmt.Sprintf("tileNEONx%d", w), 4 * w, "multiply-add", axpy})
	}
	ks = append(ks,
		armKernel{"tanhNEON", 4, "element", []plainPart{{`tensor.tanh32Plain$`, true}, {`tensor.exp32$`, false}}},
		armKernel{"sigmoidNEON", 4, "element", []plainPart{{`tensor.sigmoid32Plain$`, true}, {`tensor.exp32$`, false}}})
	for _, step := range [][2]string{{"nag", "NAGStep"}, {"tanhDerivative", "TanhDerivative"}, {"adam", "AdamStep"}, {"rmsprop", "RMSpropStep"}} {
		ks = append(ks, armKernel{step[0] + "NEON", 4, "element", []plainPart{{`tensor.` + step[1] + `\[go.shape.float32\].func3$`, true}}})
	}
	return ks
}()

// armFigures are the instructions per unit of work of each kernel, NEON and plain.
type armFigures struct {
	neon, plain map[string]float64
}

// arm64Counts builds core/tensor's tests for arm64 and counts the loops.
func arm64Counts(root string, af *armFigures) error {
	asm, err := os.ReadFile(filepath.Join(root, "core/tensor/kernels_arm64.s"))
	if err != nil {
		return err
	}
	neon := neonLoops(string(asm))
	bin := filepath.Join(os.TempDir(), "lwf-bench-tensor.arm64")
	defer os.Remove(bin)
	build := exec.Command("go", "test", "-c", "-o", bin, "./core/tensor")
	build.Dir, build.Env = root, append(os.Environ(), "GOARCH=arm64")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go test -c for arm64: %v: %s", err, lastLines(out, 5))
	}
	af.neon, af.plain = map[string]float64{}, map[string]float64{}
	counted := map[plainPart]int{} // (the products share one plain loop)
	for _, k := range armKernels {
		n, ok := neon[k.name]
		if !ok {
			return fmt.Errorf("no loop of %s in kernels_arm64.s", k.name)
		}
		af.neon[k.name] = float64(n) / float64(k.work)
		total := 0
		for _, part := range k.plain {
			if _, ok := counted[part]; !ok {
				out, err := exec.Command("go", "tool", "objdump", "-s", part.sym, bin).Output()
				if err != nil {
					return fmt.Errorf("go tool objdump -s %s: %v", part.sym, err)
				}
				if counted[part], err = plainCount(string(out), part.loop); err != nil {
					return fmt.Errorf("%s: %w", part.sym, err)
				}
			}
			total += counted[part]
		}
		af.plain[k.name] = float64(total) // one element or multiply-add an iteration
	}
	return nil
}

// neonLoops returns, for each function of a generated arm64 file, the instructions
// of its loop: from the label loop to its branch back, both counted.
func neonLoops(asm string) map[string]int {
	loops := map[string]int{}
	for _, fn := range strings.Split(asm, "\nTEXT ·")[1:] {
		name, _, _ := strings.Cut(fn, "(")
		_, body, ok := strings.Cut(fn, "\nloop:\n")
		if !ok {
			continue
		}
		body, _, _ = strings.Cut(body, "\tBNE loop")
		n := 1 // the branch
		for _, line := range strings.Split(body, "\n") {
			if t := strings.TrimSpace(line); t != "" && !strings.HasSuffix(t, ":") {
				n++
			}
		}
		loops[name] = n
	}
	return loops
}

var (
	objdumpLine = regexp.MustCompile(`^\s*\S+:\d+\s+0x[0-9a-f]+\s+[0-9a-f]{8}\s+(.*?)\s*$`)
	backBranch  = regexp.MustCompile(`^(B\w*|JMP) -(\d+)\(PC\)`)
)

// plainCount returns, from go tool objdump's listing of one function, the
// instructions of its innermost loop that computes (the shortest one closed by a
// backward branch whose body multiplies or calls: mulAdd's loop that skips zeros of A
// does neither) when loop is set, else those up to its first RET.
func plainCount(listing string, loop bool) (int, error) {
	var ins []string
	for _, line := range strings.Split(listing, "\n") {
		if m := objdumpLine.FindStringSubmatch(line); m != nil {
			ins = append(ins, m[1])
		}
	}
	if len(ins) == 0 {
		return 0, fmt.Errorf("no instructions in the listing")
	}
	if !loop {
		for i, t := range ins {
			if strings.HasPrefix(t, "RET") {
				return i + 1, nil
			}
		}
		return 0, fmt.Errorf("no RET")
	}
	best := 0
	for i, t := range ins {
		m := backBranch.FindStringSubmatch(t)
		if m == nil {
			continue
		}
		var n int
		fmt.Sscan(m[2], &n)
		body := strings.Join(ins[max(i-n, 0):i], "\n")
		if (strings.Contains(body, "FMUL") || strings.Contains(body, "CALL")) && (best == 0 || n+1 < best) {
			best = n + 1
		}
	}
	if best == 0 {
		return 0, fmt.Errorf("no loop")
	}
	return best, nil
}

// arm64Report is BENCHMARKS.md's section on arm64.
func arm64Report(af armFigures) string {
	if len(af.neon) == 0 {
		return ""
	}
	var sb strings.Builder
	sb.WriteString("\n## arm64: NEON kernels, expected gains\n\n")
	sb.WriteString("On arm64 the kernels are NEON's (`core/tensor/kernels_arm64.s`, 4 lanes of float32, the plain kernels' bits: `make test` checks every kernel and thread count, and the losses of the native run, under `qemu-aarch64`). No arm64 CPU was at hand and qemu's speed says nothing of one's, so the figures below are not timings: they count the instructions of each NEON kernel's loop per unit of work against those of the plain Go loop it replaces, as Go builds it for arm64 (`go tool objdump`; the products' plain loop is the axpy inside `mulAdd`, tanh's is its loop plus the `exp32` it calls). A core that issues as many instructions a cycle in both would show the ratio; the wide products are the ones training spends its time in. Counted in this run:\n\n")
	sb.WriteString("| kernel | unit | NEON instructions a unit | plain | expected gain |\n|---|---|---:|---:|---:|\n")
	for _, k := range armKernels {
		n, p := af.neon[k.name], af.plain[k.name]
		fmt.Fprintf(&sb, "| %s | %s | %.2f | %.0f | %.1f× |\n", k.name, k.unit, n, p, p/n)
	}
	return sb.String()
}
