// Package stats holds the summary figures the tools print: the mean and sample
// standard deviation of a few trials.
package stats

import "math"

// MeanStd returns the mean of v and its sample standard deviation (n − 1 in the
// denominator; 0 for fewer than two values).
func MeanStd(v []float64) (mean, std float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	if len(v) < 2 {
		return mean, 0
	}
	for _, x := range v {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(v)-1))
}
