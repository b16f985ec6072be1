package main

import (
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/nofeedback/lwf/core/stats"
	"github.com/nofeedback/lwf/core/tensor"
)

// peakFigures are the float32 products' speeds beside this CPU's peak.
type peakFigures struct {
	clock  float64            // GHz, measured
	perCyc float64            // multiply-adds per cycle without FMA, 0 if not known
	why    string             // where perCyc comes from
	gmacs  map[string]float64 // GMAC/s by product, medians
	order  []string
}

var productLine = regexp.MustCompile(`^BenchmarkProducts/(\S+?)(?:-\d+)?\s+\d+\s+[0-9.]+ ns/op\s+([0-9.]+) GMAC/s`)

// peak measures the clock with a chain of dependent additions (one per cycle), and
// the products of core/tensor's BenchmarkProducts.
func peak(root string, pf *peakFigures) error {
	pf.clock = clockGHz()
	pf.perCyc, pf.why = macsPerCycle()
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", "^BenchmarkProducts$", "-benchtime", "2s", "-count", "3", "./core/tensor/")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, lastLines(out, 5))
	}
	runs := map[string][]float64{}
	for _, line := range strings.Split(string(out), "\n") {
		if m := productLine.FindStringSubmatch(line); m != nil {
			v, _ := strconv.ParseFloat(m[2], 64)
			name := strings.ReplaceAll(m[1], "_", " ") // go test's spaces
			if _, ok := runs[name]; !ok {
				pf.order = append(pf.order, name)
			}
			runs[name] = append(runs[name], v)
		}
	}
	if len(runs) == 0 {
		return fmt.Errorf("no benchmark output: %s", lastLines(out, 5))
	}
	pf.gmacs = map[string]float64{}
	for k, v := range runs {
		pf.gmacs[k] = stats.Median(v)
	}
	return nil
}

// macsPerCycle is how many float32 multiplications and additions (not fused) a core
// of this CPU can start per cycle, as its vendor documents it, for the CPUs we know.
func macsPerCycle() (float64, string) {
	family := cpuinfo("cpu family")
	model, _ := strconv.Atoi(cpuinfo("model"))
	switch {
	case slices.Contains(tensor.CPUFeatures(), "AVX-512F") && family == "26" && (model < 0x20 || model >= 0x40 && model < 0x50):
		return 32, "AMD Zen 5 (family 26, a server or desktop model, 512-bit datapath): two 512-bit multiply pipes and two 512-bit add pipes; fused or not, 32 multiply-adds per cycle"
	case slices.Contains(tensor.CPUFeatures(), "AVX-512F") && family == "26":
		return 16, "AMD Zen 5 (family 26, a mobile model, 256-bit datapath): a 512-bit operation taking two of its 256-bit pipes; fused or not, 16 multiply-adds per cycle"
	case slices.Contains(tensor.CPUFeatures(), "AVX-512F") && family == "25":
		return 16, "AMD Zen 4 (family 25 with AVX-512): two 256-bit multiply pipes and two 256-bit add pipes, a 512-bit operation taking two; fused or not, 16 multiply-adds per cycle"
	case slices.Contains(tensor.CPUFeatures(), "AVX-512F") && family == "6":
		return 16, "Intel with AVX-512 (family 6): two 512-bit ports that each multiply or add; 16 multiply-adds per cycle unfused, 32 fused"
	case slices.Contains(tensor.CPUFeatures(), "AVX2") && family == "6":
		return 8, "Intel with AVX2 (family 6): two 256-bit ports that each multiply or add; 8 multiply-adds per cycle unfused, 16 fused"
	}
	return 0, "not known for this CPU"
}

// peakReport writes the products beside the peak.
func peakReport(pf peakFigures) string {
	if len(pf.gmacs) == 0 {
		return ""
	}
	var sb strings.Builder
	sb.WriteString("\n## The kernels against this CPU's peak\n\n")
	fmt.Fprintf(&sb, "In the same run, `BenchmarkProducts` (core/tensor, %s kernels, one thread), in billions of multiply-adds per second; the clock measured by a chain of dependent integer additions: %.2f GHz. ", tensor.Kernels(), pf.clock)
	if pf.clock == 0 {
		pf.perCyc, pf.why = 0, "not measured on this architecture"
	}
	if pf.perCyc > 0 {
		fmt.Fprintf(&sb, "Peak without fused multiply-adds: %.0f per cycle (%s), so %.1f G/s.\n\n", pf.perCyc, pf.why, pf.perCyc*pf.clock)
	} else {
		fmt.Fprintf(&sb, "Its peak per cycle is %s.\n\n", pf.why)
	}
	sb.WriteString("| product | GMAC/s | share of the peak |\n|---|---:|---:|\n")
	for _, k := range pf.order {
		share := "–"
		if pf.perCyc > 0 {
			share = fmt.Sprintf("%.0f%%", 100*pf.gmacs[k]/(pf.perCyc*pf.clock))
		}
		fmt.Fprintf(&sb, "| %s | %.1f | %s |\n", k, pf.gmacs[k], share)
	}
	return sb.String()
}
