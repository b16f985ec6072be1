package browsertest

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// colouredPixels counts the pixels of a canvas within 40 of an RGB colour.
func (b *Browser) colouredPixels(t *testing.T, id string, r, g, bl int) int {
	t.Helper()
	var n int
	b.Eval(t, fmt.Sprintf(`(() => {
		const c = document.getElementById(%q);
		const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
		let n = 0;
		for (let i = 0; i < d.length; i += 4)
			if (d[i+3] > 200 && Math.abs(d[i]-%d) + Math.abs(d[i+1]-%d) + Math.abs(d[i+2]-%d) < 40) n++;
		return n;
	})()`, id, r, g, bl), &n)
	return n
}

// TestRaceFromOneURL: BP and DRTP race, each in its own worker, with their curves on
// shared axes in their own colours.
func TestRaceFromOneURL(t *testing.T) {
	site := Serve(t, Dist(t))
	inEachEngine(t, func(t *testing.T, e Engine) {
		b := openIn(t, e, site, "?train-mode=BP,DRTP&autoplay=1", 1440, 900)
		accuracy := func(mode string) float64 {
			v, err := strconv.ParseFloat(b.Text(t, "#race-"+mode+"-test-accuracy"), 64)
			if err != nil {
				return -1
			}
			return v
		}
		b.WaitFor(t, "both rules past 80%", 90*time.Second, func() bool { return accuracy("BP") > 80 && accuracy("DRTP") > 80 })
		for _, c := range []struct {
			mode    string
			r, g, b int
		}{{"BP", 0x1f, 0x5f, 0xa8}, {"DRTP", 0xe8, 0x83, 0x3a}} {
			assert.Greater(t, b.colouredPixels(t, "curves", c.r, c.g, c.b), 300, "the curve of %s", c.mode)
			steps, err := strconv.Atoi(b.Text(t, "#race-"+c.mode+"-step"))
			require.NoError(t, err)
			assert.Greater(t, steps, 10)
		}
		assert.Equal(t, "training", b.Text(t, "#status"))
		b.Screenshot(t, screenshotDir()+"/race-"+e.String()+".png")
		assert.Empty(t, b.Errors())
	})
}
