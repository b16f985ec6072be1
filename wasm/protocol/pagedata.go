package protocol

import "fmt"

// The page's MNIST, in DataFolder, laid out by make dist (go run ./tools/mnist
// --page) so that training starts before it has all arrived. The worker fetches, one
// file at a time so that they do not share the link:
//
//  1. TrainLabels, whole (29 kB);
//  2. the training images' part 0 (TrainImagesPart: 5000 of MNIST's 60000, a fixed
//     random subset, data.PartSamples, in an IDX file of its own, about 0.8 MB), then
//     the quick test subset (QuickImages and
//     QuickLabels: QuickTestSize test samples spread across the test set, exactly
//     data.Set.Spread's), after which the run is built and trains;
//  3. the other parts in order, which the first epoch reaches in order (data.Order);
//  4. the test set, whole (TestImages, TestLabels), which the first epoch's end
//     evaluates.
const (
	TrainLabels   = "train-labels-idx1-ubyte.gz"
	TestImages    = "t10k-images-idx3-ubyte.gz"
	TestLabels    = "t10k-labels-idx1-ubyte.gz"
	QuickImages   = "t10k-quick-images-idx3-ubyte.gz"
	QuickLabels   = "t10k-quick-labels-idx1-ubyte.gz"
	QuickTestSize = 2000 // test samples evaluated during an epoch, spread across the test set
)

// TrainImagesPart names the file of part p of the training images.
func TrainImagesPart(p int) string { return fmt.Sprintf("train-images-idx3-ubyte.part%02d.gz", p) }
