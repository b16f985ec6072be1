package browsertest

import (
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
	dir := t.TempDir()
	b := open(t, site, "?train-mode=DFA&seed=7&autoplay=1", 1280, 720)
	b.allowDownloads(t, dir)
	b.WaitFor(t, "100 batches", 60*time.Second, func() bool { return b.number(t, "#metric-step") > 100 })
	b.Run(t, 5*time.Second, chromedp.Click("#export-csv", chromedp.ByQuery))
	page := readSteps(t, waitForFile(t, dir, "lwf-metrics.csv"), func(row []string) (string, bool) {
		return row[3], strings.HasPrefix(row[1], "batch_")
	})
	require.Len(t, page, 100)

	log := filepath.Join(dir, "steps.csv")
	cmd := exec.Command("go", "run", "./tools/train", "--dataset", "MNIST", "--topology", "FC_500_FC_10", "--train-mode", "DFA",
		"--loss", "CE", "--output-act", "none", "--lr", "0.01", "--seed", "7", "--epochs", "1", "--step-log", log)
	cmd.Dir = filepath.Join(Dist(t), "..")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	native := readSteps(t, log, func(row []string) (string, bool) { return row[3], row[0] == "1" })
	require.GreaterOrEqual(t, len(native), 100)
	assert.Equal(t, native[:100], page, "the first 100 losses, natively (plain Go) and in Chromium (SIMD WebAssembly)")
	assert.Empty(t, b.Errors())
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
