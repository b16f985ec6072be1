package ui

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/nofeedback/lwf/core/nn"
	"github.com/nofeedback/lwf/wasm/protocol"
)

// runMetrics are the figures one rule's run has shown.
type runMetrics struct {
	mode        nn.Mode
	steps       []float64 // the losses of the first batches, exactly
	train, test []protocol.Point
	align       []protocol.AlignPoint
}

// writeMetricsCSV writes every point of every run, one line a point: each first
// batch's loss (exactly: the shortest text that reads back as the same number), the
// training and test curves, and each hidden layer's angle. A value that is not a
// finite figure is left empty.
func writeMetricsCSV(runs []runMetrics) string {
	var sb strings.Builder
	sb.WriteString("rule,series,samples,loss,accuracy,whole_test_set,angle_layer\n")
	g := func(v float64) string {
		if v >= protocol.Overflow || math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', 8, 64)
	}
	for _, r := range runs {
		for i, loss := range r.steps {
			fmt.Fprintf(&sb, "%s,batch_%d,,%s,,,\n", r.mode, i+1, strconv.FormatFloat(loss, 'g', -1, 64))
		}
		for _, pt := range r.train {
			fmt.Fprintf(&sb, "%s,train,%d,%s,%s,,\n", r.mode, pt.Samples, g(pt.Loss), g(pt.Accuracy))
		}
		for _, pt := range r.test {
			fmt.Fprintf(&sb, "%s,test,%d,%s,%s,%v,\n", r.mode, pt.Samples, g(pt.Loss), g(pt.Accuracy), pt.Full)
		}
		for _, pt := range r.align {
			for l := range pt.Layers {
				if a, ok := pt.Layer(l); ok {
					fmt.Fprintf(&sb, "%s,alignment_layer_%d,%d,,,,%s\n", r.mode, l+1, pt.Samples, g(a))
				}
			}
		}
	}
	return sb.String()
}
