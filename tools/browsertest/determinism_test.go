package browsertest

import (
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSameLossesInThePageAndOnTheCommandLine: one seed, one run. The page's first 100
// batch losses (from its metrics CSV) equal, bit for bit, those of the command line
// trained with the same settings.
func TestSameLossesInThePageAndOnTheCommandLine(t *testing.T) {
	site := Serve(t, Dist(t))
	b := open(t, site, "?"+dfaSeed7, 1280, 720)
	assert.Equal(t, dfaSeed7Native(t), pageLosses(t, b), "the first 100 losses, natively (this CPU's kernels) and in Chromium (SIMD128 WebAssembly)")
	assert.Empty(t, b.Errors())
}

// dfaSeed7 is a run of the page, the URL's query without autoplay; dfaSeed7Native
// returns the first 100 batch losses of the same run on the command line.
const dfaSeed7 = "train-mode=DFA&seed=7&autoplay=1"

var dfaNative struct {
	once   sync.Once
	losses []string
	out    string
	err    error
}

func dfaSeed7Native(t *testing.T) []string {
	dfaNative.once.Do(func() {
		log := filepath.Join(os.TempDir(), fmt.Sprintf("lwf-steps-%d.csv", os.Getpid()))
		defer os.Remove(log)
		cmd := exec.Command("go", "run", "./tools/train", "--dataset", "MNIST", "--topology", "FC_500_FC_10", "--train-mode", "DFA",
			"--loss", "CE", "--output-act", "none", "--lr", "0.01", "--seed", "7", "--epochs", "1", "--step-log", log)
		cmd.Dir = filepath.Join(Dist(t), "..")
		out, err := cmd.CombinedOutput()
		dfaNative.out, dfaNative.err = string(out), err
		if err == nil {
			dfaNative.losses = readSteps(t, log, func(row []string) (string, bool) { return row[3], row[0] == "1" })
		}
	})
	require.NoError(t, dfaNative.err, dfaNative.out)
	require.GreaterOrEqual(t, len(dfaNative.losses), 100)
	return dfaNative.losses[:100]
}

// pageLosses waits for the page's 100th batch and returns the first 100 losses, from
// its metrics CSV.
func pageLosses(t *testing.T, b *Browser) []string {
	dir := t.TempDir()
	b.allowDownloads(t, dir)
	b.WaitFor(t, "100 batches", 90*time.Second, func() bool { return b.number(t, "#metric-step") > 100 })
	b.Run(t, 5*time.Second, chromedp.Click("#export-csv", chromedp.ByQuery))
	page := readSteps(t, waitForFile(t, dir, "lwf-metrics.csv"), func(row []string) (string, bool) {
		return row[3], strings.HasPrefix(row[1], "batch_")
	})
	require.Len(t, page, 100)
	return page
}

func readSteps(t *testing.T, path string, pick func([]string) (string, bool)) []string {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	var out []string
	for _, row := range rows[1:] {
		if v, ok := pick(row); ok {
			out = append(out, v)
		}
	}
	return out
}
