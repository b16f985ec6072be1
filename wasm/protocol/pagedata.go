package protocol

import "fmt"

// The page's MNIST, in DataFolder, laid out by make dist (go run ./tools/mnist
// --page) so that training starts before it has all arrived:
//
//  1. EarlyFiles, what a run is built from: the labels, whole (29 kB and 5 kB), the
//     training images' part 0 (TrainImagesPart: 5000 of MNIST's 60000, a fixed
//     random subset, data.PartSamples, in an IDX file of its own, about 0.8 MB) and
//     the quick test subset (QuickImages and QuickLabels: QuickTestSize test samples
//     spread across the test set, exactly data.Set.Spread's). The page's first
//     worker starts them all at once, while its program compiles (site/worker.js);
//  2. the other parts, one at a time so that they do not share the link, in the
//     order the first epoch reaches them (data.Order);
//  3. the test images, whole (TestImages), which the first epoch's end evaluates.
//
// The worker keeps them in the Cache Storage named DataCache for the next visits.
const (
	TrainLabels   = "train-labels-idx1-ubyte.gz"
	TestImages    = "t10k-images-idx3-ubyte.gz"
	TestLabels    = "t10k-labels-idx1-ubyte.gz"
	QuickImages   = "t10k-quick-images-idx3-ubyte.gz"
	QuickLabels   = "t10k-quick-labels-idx1-ubyte.gz"
	QuickTestSize = 2000 // test samples evaluated during an epoch, spread across the test set
)

// EarlyFiles are the files a run needs before it can be built, in the order the
// worker's loader takes them. site/worker.js names them too (a test checks it).
var EarlyFiles = []string{TrainLabels, TestLabels, TrainImagesPart(0), QuickImages, QuickLabels}

// DataCache names the Cache Storage of the data files, which stay the same from one
// build to the next (the service worker's caches do not). site/worker.js names it
// too.
const DataCache = "lwf-data-1"

// TrainImagesPart names the file of part p of the training images.
func TrainImagesPart(p int) string { return fmt.Sprintf("train-images-idx3-ubyte.part%02d.gz", p) }
