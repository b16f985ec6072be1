// Package protocol holds the messages the page and its training worker exchange,
// with typed kinds, run states and rules. It is plain Go: both sides import it, and
// it is all they share. A message is a kind, a JSON body and, for images, byte
// buffers that travel alongside without copying.
package protocol

import (
	"encoding/json"
	"fmt"

	"github.com/nofeedback/lwf/core/nn"
)

// Kind names what a message is, and so the type of its body.
type Kind string

// Kinds of message.
const (
	// From the page to the worker.
	Start   Kind = "start" // Command: build a run from Query (loading data if needed)
	Play    Kind = "play"  // train until paused or done
	Pause   Kind = "pause"
	Step    Kind = "step"    // train one batch
	Reset   Kind = "reset"   // rebuild the run from the same settings
	Bench   Kind = "bench"   // BenchCommand: time training steps of the run built by Start
	Predict Kind = "predict" // PredictCommand: classify one drawn image
	Save    Kind = "save"    // send the network as a file (a NetworkFile event)
	Load    Kind = "load"    // LoadCommand, with the file in buffer 0: go on from a saved network
	UseData Kind = "usedata" // DataCommand, with four IDX files in buffers 0–3: train on them
	Crash   Kind = "crash"   // for the tests: fail as an out-of-memory would, outside any recovery
	Retry   Kind = "retry"   // fetch the data again, from where it stopped (after an ErrorEvent with Retry)

	// From the worker to the page.
	Hello    Kind = "hello"    // the worker listens: the page may send Start
	Progress Kind = "progress" // ProgressEvent: loading data
	Built    Kind = "built"    // Model: a run is built, paused at step 0
	Snapshot Kind = "snapshot" // SnapshotEvent: figures and views, at most ~20 a second
	Failure  Kind = "error"    // ErrorEvent
	Timing   Kind = "timing"   // BenchResult
	Answer   Kind = "answer"   // Prediction
	File     Kind = "file"     // NetworkFile, with the file in buffer 0
	// Stopped comes from the loader, site/worker.js, not from Go: the Go program could
	// not start, or it ended. Its body is plain text, the reason, not JSON.
	Stopped Kind = "stopped"
)

// PredictCommand asks the network's answer for one input (channels × side × side
// values, as the data set's are).
type PredictCommand struct {
	Pixels []float32
}

// Prediction is the network's answer: its class and how sure it is of each.
type Prediction struct {
	Class      int
	Confidence []float64 // one per class, summing to 1
}

// LoadCommand starts a run from a saved network (core/netfile); Name is the file's.
type LoadCommand struct {
	Name     string
	DataBase string // where the data files are, should the network need another set
	Autoplay bool   // train as soon as the run is built
}

// DataCommand replaces the data set by the user's IDX files, in the buffers in the
// order training images, training labels, test images, test labels; Name says what
// they are (for messages), and Query gives the run's settings.
type DataCommand struct {
	Name     string
	Query    string
	Autoplay bool // train as soon as the run is built
}

// NetworkFile is a saved network, ready to download.
type NetworkFile struct {
	Name string // a suggested file name
}

// Memory is what a WebAssembly program holds: its Go heap, the memory it took from
// the browser, and its live callbacks from JavaScript.
type Memory struct {
	HeapBytes uint64
	SysBytes  uint64
	Funcs     int64
}

// BenchCommand asks the worker to time training steps: Warmup untimed ones, then
// Repeats runs of Steps each.
type BenchCommand struct {
	Warmup, Steps, Repeats int
}

// BenchResult is what the worker measured: samples per second of each timed run
// (training steps only: no evaluation, no drawing) and their median.
type BenchResult struct {
	Query            string
	Runs             []float64
	SamplesPerSecond float64
	Kernels          string // the float32 kernels that ran (tensor.Kernels)
}

// DataFolder is where dist/ keeps MNIST, relative to the page and its workers.
const DataFolder = "data/"

// Command starts a run.
type Command struct {
	Query    string // the run's settings as URL parameters (the command line's names)
	DataBase string // URL of the folder holding the data files, relative to the worker
	Autoplay bool   // start training as soon as the run is built
}

// ProgressEvent reports data loading.
type ProgressEvent struct {
	What   string // e.g. "MNIST training images"; empty: all is in
	Loaded int64  // bytes so far (samples, with Samples)
	Total  int64  // bytes in all, 0 when unknown (samples, with Samples)
	// Samples: the run trains meanwhile, and Loaded of Total training samples are in.
	Samples bool
	// Retrying: the link dropped; the download waits and goes on from where it was.
	Retrying bool
}

// ErrorEvent reports a failure that stopped the run.
type ErrorEvent struct {
	Message string
	Step    int  // batches done when it happened
	Fatal   bool // the worker cannot go on; the page should offer a restart
	Retry   bool // the data did not come: the page offers Retry (a Retry command)
}

// Image is a picture the worker drew for the page: RGBA pixels in buffer Buffer of
// the message, W×H, made of Tiles tiles of TileW×TileH laid out Cols to a row.
type Image struct {
	Name         string
	W, H         int
	Buffer       int
	Tiles        int
	TileW, TileH int
	Cols         int
	Caption      string
}

// Layer describes one block of the network for the page.
type Layer struct {
	Name     string // e.g. "FC 500, tanh"
	In, Out  string // shapes, e.g. "784" and "500"
	Weights  int
	Feedback string // shape of its fixed feedback matrix, "" if none
	Frozen   bool
}

// Model is what the page learns when a run is built.
type Model struct {
	Query           string  // the settings actually in force
	Mode            nn.Mode // the rule, by name in JSON
	Topology        string
	Dataset         string
	Classification  bool
	Layers          []Layer
	TrainSamples    int
	TestSamples     int
	QuickTestSize   int // the most samples of the test subset evaluated during an epoch (fewer where evaluating is slow)
	BatchesPerEpoch int
	Epochs          int
	Feedback        []Image // fixed feedback matrices as heatmaps; for DRTP also each class's projected target
	Digits          *Image  // the test digits whose predictions each snapshot carries
	DigitLabels     []int
	Timeline        []Mark // how the worker got here, for the budget test
}

// Mark is a moment of the start of the page or a worker: what happened, and when, in
// milliseconds since the Unix epoch (performance.timeOrigin + performance.now(),
// comparable across the page and its workers).
type Mark struct {
	What string
	At   float64
}

// Overflow stands for a figure that is not a finite number (JSON cannot carry NaN or
// Inf); the page shows it as ∞.
const Overflow = 1e300

// Point is one point of a learning curve.
type Point struct {
	Samples  int     // training samples seen
	Loss     float64 //
	Accuracy float64 // percent
	Full     bool    // test points: on the whole test set (else the quick subset)
}

// AlignPoint is the alignment of the hidden layers at one point of training: for
// each, the angle in degrees between its update and the true gradient on a batch
// (NoAngle where there is none: shallow learning, a frozen layer), and under FA the angle
// between each feedback matrix B and the weights W it stands in for.
type AlignPoint struct {
	Samples  int
	Layers   []float64
	Feedback []float64 `json:",omitempty"`
}

// NoAngle is the angle of a layer that has none (JSON cannot carry NaN).
const NoAngle = -1

// Layer returns hidden layer l's angle with the true gradient, in degrees, or false
// where it has none.
func (p AlignPoint) Layer(l int) (float64, bool) { return angleAt(p.Layers, l) }

// FeedbackAngle returns the angle between feedback matrix f and the weights it
// stands in for, in degrees, or false where there is none.
func (p AlignPoint) FeedbackAngle(f int) (float64, bool) { return angleAt(p.Feedback, f) }

func angleAt(angles []float64, i int) (float64, bool) {
	if i < 0 || i >= len(angles) || angles[i] == NoAngle {
		return 0, false
	}
	return angles[i], true
}

// State is where a run stands, as #status shows it.
type State string

// The states of a run. The worker's engine is Paused, Training, Done or Failed; the
// page also knows a run that is Loading its data or Ready at step 0.
const (
	Loading  State = "loading"
	Ready    State = "ready"
	Paused   State = "paused"
	Training State = "training"
	Done     State = "done"
	Failed   State = "error"
)

// SnapshotEvent is the state of a run.
type SnapshotEvent struct {
	State            State // Training, Paused, Done or Failed
	Waiting          bool  // training, but waiting for data still on its way
	Epoch            int   // the epoch in progress, from 1 (Epochs+1 when done)
	Batch            int   // batches done in that epoch
	Step             int   // batches done in all
	Samples          int   // training samples seen
	SamplesPerSecond float64
	// The latest figures; NaN-free: HasTrain/HasTest say whether they exist yet.
	HasTrain                 bool
	TrainLoss, TrainAccuracy float64 // running over the batches since the last train point
	HasTest                  bool
	TestLoss, TestAccuracy   float64
	TestFull                 bool    // the latest evaluation covered the whole test set
	TestEvaluated            int     // samples of the test set the latest evaluation covered
	TrainPoints, TestPoints  []Point // new since the last snapshot
	AlignPoints              []AlignPoint
	// Confusion counts the latest evaluation's test samples by class (row) and
	// prediction (column), when it is new; ConfusionFull tells whether it covered the
	// whole test set.
	Confusion     [][]int `json:",omitempty"`
	ConfusionFull bool    `json:",omitempty"`
	// StepLosses are the losses of the run's first 100 batches, new since the last
	// snapshot: enough to check, bit for bit, that the page trains as the command
	// line does.
	StepLosses []float64 `json:",omitempty"`
	// Memory is the worker's, about once a second.
	Memory *Memory `json:",omitempty"`
	// Timeline has the moments of the start that came after Ready (the first trained
	// batch).
	Timeline    []Mark `json:",omitempty"`
	Weights     *Image // the first layer's weights, when redrawn
	Predictions []int  // for Model.Digits
	// Signals is the size of each layer's learning signal (nn.StepRecord's
	// SignalRMS), the mean over the steps since the last snapshot (0 for a layer that
	// learns nothing); nil when no step was trained since.
	Signals []float64 `json:",omitempty"`
	// Timing is one training step of the network, as the worker measured it.
	Timing *StepTiming `json:",omitempty"`
}

// TimingSpan is how many of the recent steps StepTiming's moving means span once
// that many were trained.
const TimingSpan = 32

// StepTiming is one training step of the run's network, per part, in milliseconds:
// moving means over the recent steps. Batch, Forward, Output and Backward follow
// each other with no gap, then Align and Update; Step is the whole step as the run
// times it, which the parts add up to within what lies between them.
type StepTiming struct {
	Batch    float64   // the batch's gathering
	Forward  []float64 // per layer, first to last: its forward pass
	Output   float64   // the loss and the output's error
	Backward []float64 // per layer: its signal, δ and gradients (0 if it learns nothing)
	Align    float64   // the alignment with the true gradient (on a few steps: its mean share)
	Update   float64   // the optimiser's step
	Step     float64
	Steps    int // the steps measured
}

// Message is one message: its kind, JSON body and buffers, and the start it belongs
// to. Run counts the page's starts of a worker's run: the page gives it with Start,
// UseData and Load, and the worker gives the run's number to every message it posts,
// so that the page tells a message of the run it asked for from one of an earlier
// run still in flight.
type Message struct {
	Kind    Kind
	Body    []byte
	Buffers [][]byte
	Run     int
}

// Encode builds a message from a body value (nil for none).
func Encode(kind Kind, body any, buffers ...[]byte) (Message, error) {
	m := Message{Kind: kind, Buffers: buffers}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return m, fmt.Errorf("protocol: encode %s: %w", kind, err)
		}
		m.Body = b
	}
	return m, nil
}

// Decode reads the body of m into v.
func (m Message) Decode(v any) error {
	if err := json.Unmarshal(m.Body, v); err != nil {
		return fmt.Errorf("protocol: decode %s: %w", m.Kind, err)
	}
	return nil
}
