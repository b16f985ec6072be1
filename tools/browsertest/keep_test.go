package browsertest

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/tools/internal/mnist"
)

// allowDownloads saves the page's downloads in dir under their own names.
func (b *Browser) allowDownloads(t *testing.T, dir string) {
	b.Run(t, 5*time.Second, chromedp.ActionFunc(func(ctx context.Context) error {
		return browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(dir).Do(ctx)
	}))
}

func waitForFile(t *testing.T, dir, pattern string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		matches, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, m := range matches {
			if !strings.HasSuffix(m, ".crdownload") {
				if st, err := os.Stat(m); err == nil && st.Size() > 0 {
					return m
				}
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("no download matching %s in %s", pattern, dir)
	return ""
}

// TestSavedNetworkLoadsBackInThePageAndOnTheCommandLine: a network saved by the page
// shows the same test accuracy on the whole test set when the page opens it again and
// when the command line evaluates it.
func TestSavedNetworkLoadsBackInThePageAndOnTheCommandLine(t *testing.T) {
	site := Serve(t, Dist(t))
	dir := t.TempDir()
	b := open(t, site, "?autoplay=1&train-mode=DFA", 1440, 900)
	b.allowDownloads(t, dir)
	b.WaitFor(t, "85% test accuracy", 60*time.Second, func() bool { return b.number(t, "#metric-test-accuracy") > 85 })
	b.Click(t, "#play", func() bool { return b.Text(t, "#status") == "paused" })
	b.Run(t, 5*time.Second, chromedp.Click("#save-network", chromedp.ByQuery))
	file := waitForFile(t, dir, "lwf-DFA-FC_500_FC_10-*.lwfnet")

	b.Run(t, 5*time.Second, chromedp.Click("#export-csv", chromedp.ByQuery))
	csv, err := os.ReadFile(waitForFile(t, dir, "lwf-metrics.csv"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(csv), "rule,series,samples,loss,accuracy,whole_test_set,angle_layer\nDFA,batch_1,,"), "the exact loss of each first batch, then the curves")
	assert.Contains(t, string(csv), "\nDFA,train,")
	assert.Contains(t, string(csv), "\nDFA,test,")
	assert.Contains(t, string(csv), "\nDFA,alignment_layer_1,")
	b.Run(t, 5*time.Second, chromedp.Click("#export-png", chromedp.ByQuery))
	png, err := os.ReadFile(waitForFile(t, dir, "lwf-view.png"))
	require.NoError(t, err)
	assert.Equal(t, "\x89PNG", string(png[:4]))

	// A fresh page (the reference's DRTP) opens the file: it takes the file's rule and
	// evaluates the whole test set.
	b2 := open(t, site, "", 1440, 900)
	b2.WaitFor(t, "ready", 30*time.Second, func() bool { return b2.Text(t, "#status") == "ready" })
	b2.Run(t, 10*time.Second, chromedp.SetUploadFiles("#network-file", []string{file}, chromedp.ByQuery))
	b2.WaitFor(t, "the whole test set's figure", 30*time.Second, func() bool {
		return b2.Text(t, "#metric-test-note") == "on the whole test set"
	})
	pageAccuracy := b2.Text(t, "#metric-test-accuracy")
	var search string
	b2.Eval(t, `location.search`, &search)
	assert.Contains(t, search, "train-mode=DFA", "the opened network brings its rule into the link")

	native := evaluatedNatively(t, file)
	assert.Equal(t, native, pageAccuracy, "the same network, the same test accuracy, natively and in the page")
	t.Logf("test accuracy of the saved network: page %s%%, command line %s%%", pageAccuracy, native)
	assert.Empty(t, b.Errors())
	assert.Empty(t, b2.Errors())
}

// catchDownloads has the page's downloads kept in the page, for the test to read
// (takeDownload), in any engine: the page hands a file to the browser by clicking a
// link to a blob of it (whose URL the page's policy does not let a script fetch).
func (b *Browser) catchDownloads(t *testing.T) {
	b.Eval(t, `(() => {
		if (window.__lwfDownloads) return;
		const got = window.__lwfDownloads = [], blobs = new Map();
		const click = HTMLAnchorElement.prototype.click, blobURL = URL.createObjectURL;
		URL.createObjectURL = (blob) => { const url = blobURL(blob); blobs.set(url, blob); return url; };
		HTMLAnchorElement.prototype.click = function () {
			if (!this.download || !blobs.has(this.href)) return click.call(this);
			const name = this.download, reader = new FileReader();
			got.push(new Promise((done) => {
				reader.onload = () => done({name, data: reader.result.split(",")[1]});
				reader.readAsDataURL(blobs.get(this.href));
			}));
		};
	})()`, nil)
}

// takeDownload returns the name and bytes of the page's next caught download.
func (b *Browser) takeDownload(t *testing.T) (string, []byte) {
	t.Helper()
	var file struct{ Name, Data string }
	b.WaitFor(t, "a download", 20*time.Second, func() bool {
		var n int
		b.Eval(t, `window.__lwfDownloads.length`, &n)
		return n > 0
	})
	b.Eval(t, `window.__lwfDownloads.shift()`, &file)
	data, err := base64.StdEncoding.DecodeString(file.Data)
	require.NoError(t, err)
	return file.Name, data
}

// pickFile puts a file into a file input, as choosing it in the browser's dialog does.
func (b *Browser) pickFile(t *testing.T, sel, name string, content []byte) {
	t.Helper()
	b.Eval(t, fmt.Sprintf(`(() => {
		const bytes = Uint8Array.from(atob(%q), (c) => c.charCodeAt(0));
		const files = new DataTransfer();
		files.items.add(new File([bytes], %q));
		const input = document.querySelector(%q);
		input.files = files.files;
		input.dispatchEvent(new Event("change", {bubbles: true}));
	})()`, base64.StdEncoding.EncodeToString(content), name, sel), nil)
}

// TestARunKeptInEveryEngine: in each engine a network saved by the page opens again
// in a fresh page, which shows the whole test set's accuracy that the command line
// finds for the same file.
func TestARunKeptInEveryEngine(t *testing.T) {
	site := Serve(t, Dist(t))
	inEachEngine(t, func(t *testing.T, e Engine) {
		b := openIn(t, e, site, "?autoplay=1&train-mode=DFA", 1280, 720)
		b.catchDownloads(t)
		b.WaitFor(t, "85% test accuracy", 60*time.Second, func() bool { return b.number(t, "#metric-test-accuracy") > 85 })
		b.Click(t, "#play", func() bool { return b.Text(t, "#status") == "paused" })
		b.Click(t, "#save-network", func() bool { // a second download, if any, is the same paused network
			var n int
			b.Eval(t, `window.__lwfDownloads.length`, &n)
			return n > 0
		})
		name, saved := b.takeDownload(t)
		assert.Regexp(t, `^lwf-DFA-FC_500_FC_10-[0-9]+\.lwfnet$`, name)
		file := filepath.Join(t.TempDir(), name)
		require.NoError(t, os.WriteFile(file, saved, 0o644))

		b.Navigate(t, site.URL+"/")
		b.WaitFor(t, "a fresh page ready", 30*time.Second, func() bool { return b.Text(t, "#status") == "ready" })
		b.pickFile(t, "#network-file", name, saved)
		b.WaitFor(t, "the whole test set's figure", 30*time.Second, func() bool {
			return b.Text(t, "#metric-test-note") == "on the whole test set"
		})
		assert.Equal(t, evaluatedNatively(t, file), b.Text(t, "#metric-test-accuracy"), "the same network, the same test accuracy")
		assert.Empty(t, b.Errors())
	})
}

// evaluatedNatively returns the test accuracy the command line finds for a saved
// network, as it prints it.
func evaluatedNatively(t *testing.T, file string) string {
	t.Helper()
	cmd := exec.Command("go", "run", "./tools/train", "--load", file, "--evaluate")
	cmd.Dir = projectRoot(t)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	m := regexp.MustCompile(`\[ Testing set\] Loss: [0-9.]+, Accuracy: +([0-9.]+)%`).FindStringSubmatch(string(out))
	require.NotNil(t, m, string(out))
	return m[1]
}

// writeIDX writes the first n samples of an MNIST set as the two IDX files of a
// look-alike data set.
func writeIDX(t *testing.T, dir, prefix string, set *data.Set, n int) {
	images := []byte{0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28}
	binary.BigEndian.PutUint32(images[4:], uint32(n))
	labels := []byte{0, 0, 8, 1, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(labels[4:], uint32(n))
	for i := 0; i < n; i++ {
		images = append(images, set.Image(i).(*image.Gray).Pix...)
		labels = append(labels, byte(set.Class(i)))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, prefix+"-images-idx3-ubyte"), images, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, prefix+"-labels-idx1-ubyte"), labels, 0o644))
}

// TestYourOwnData trains on IDX files the user picks (here 3000 MNIST digits written
// as a look-alike set), and says what is missing from an incomplete set.
func TestYourOwnData(t *testing.T) {
	site := Dist(t)
	dir := t.TempDir()
	mnistDir, err := mnist.Dir(context.Background(), func(string) {}) // (the site's folder holds it in parts)
	require.NoError(t, err)
	trainSet, testSet, err := data.LoadIDXDir(mnistDir)
	require.NoError(t, err)
	writeIDX(t, dir, "train", trainSet, 3000)
	writeIDX(t, dir, "t10k", testSet, 1000)
	files, err := filepath.Glob(filepath.Join(dir, "*-ubyte"))
	require.NoError(t, err)
	require.Len(t, files, 4)

	b := open(t, Serve(t, site), "", 1440, 900)
	b.WaitFor(t, "ready", 30*time.Second, func() bool { return b.Text(t, "#status") == "ready" })
	b.Run(t, 10*time.Second, chromedp.SetUploadFiles("#data-files", files[:3], chromedp.ByQuery))
	b.WaitFor(t, "the message", 10*time.Second, func() bool { return strings.Contains(b.Text(t, "#error"), "missing the") })
	assert.Contains(t, b.Text(t, "#error"), "missing the training labels (train-labels-idx1-ubyte)")

	b.Run(t, 10*time.Second, chromedp.SetUploadFiles("#data-files", files, chromedp.ByQuery))
	b.WaitFor(t, "ready on the new data", 30*time.Second, func() bool {
		return b.Text(t, "#status") == "ready" && strings.Contains(b.Text(t, "#data-note"), "Training on your files (t10k-images-idx3-ubyte")
	})
	// Play pressed just after the new data is in: the run trains (a click lost here
	// once hid the WebKit bug TestEveryClickTakesEffectOnce found).
	b.Click(t, "#play", func() bool { return b.Text(t, "#status") == "training" || b.number(t, "#metric-step") > 0 })
	b.WaitFor(t, "an epoch of the 3000 samples", 60*time.Second, func() bool {
		epoch, _, _ := strings.Cut(b.Text(t, "#metric-epoch"), " /")
		n, err := strconv.Atoi(epoch)
		return err == nil && n >= 2 // (an epoch of 3000 takes a third of a second: polls may miss the second)
	})
	assert.Greater(t, b.number(t, "#metric-test-accuracy"), 70.0)
	assert.Equal(t, "on the whole test set", b.Text(t, "#metric-test-note"))
	assert.Empty(t, b.Errors())
}

// TestWorksOffline: once loaded, the page reloads and trains with the site gone.
func TestWorksOffline(t *testing.T) {
	inEachEngine(t, func(t *testing.T, e Engine) {
		site := Serve(t, Dist(t))
		b := openIn(t, e, site, "", 1440, 900)
		b.WaitFor(t, "ready", 30*time.Second, func() bool { return b.Text(t, "#status") == "ready" })
		var cached bool
		b.WaitFor(t, "the service worker's cache and the data cache", 30*time.Second, func() bool {
			b.Eval(t, `(async () => {
				const reg = await navigator.serviceWorker.ready;
				const code = (await caches.keys()).find((k) => k.startsWith("lwf-") && !k.startsWith("lwf-data-"));
				if (!reg.active || !code) return false;
				const data = await caches.open("lwf-data-1"); // the worker's, filled as the files arrive
				return !!(await (await caches.open(code)).match("lwf.wasm")) &&
					!!(await data.match("data/train-images-idx3-ubyte.part11.gz")) && !!(await data.match("data/t10k-images-idx3-ubyte.gz"));
			})()`, &cached)
			return cached
		})
		site.Stop()
		b.Navigate(t, site.URL+"/")
		b.WaitFor(t, "ready offline", 30*time.Second, func() bool { return b.Text(t, "#status") == "ready" })
		b.Click(t, "#play", func() bool { return b.Text(t, "#status") != "ready" })
		b.WaitFor(t, "training offline", 30*time.Second, func() bool { return b.number(t, "#metric-test-accuracy") > 50 })
	})
}
