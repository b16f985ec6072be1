package browsertest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTheBenchPageTimesEachCase: bench.html, the same program in its own role, times
// each case it is asked for in the worker and hands the table to the benchmark
// driver; a case it cannot run is named.
func TestTheBenchPageTimesEachCase(t *testing.T) {
	site := Serve(t, Dist(t))
	b := open(t, site, "", 1280, 720)
	b.Navigate(t, site.URL+"/bench.html?nets=FC_64_FC_10&modes=BP,DRTP")
	b.WaitFor(t, "the bench done", 120*time.Second, func() bool { return b.Text(t, "#status") == "done" })
	var results string
	b.Eval(t, `document.getElementById("bench-table").dataset.results`, &results)
	var rows []map[string]any
	require.NoError(t, json.Unmarshal([]byte(results), &rows), results)
	require.Len(t, rows, 2, results)
	for _, r := range rows {
		assert.Positive(t, r["samples_per_s"], "%v", r)
	}
	assert.Empty(t, b.Errors())

	b.Navigate(t, site.URL+"/bench.html?modes=XYZ")
	b.WaitFor(t, "the bad case refused", 30*time.Second, func() bool { return b.Text(t, "#status") == "error" })
	assert.Contains(t, b.Text(t, "#error"), "modes")
}
