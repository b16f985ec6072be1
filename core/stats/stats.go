// Package stats holds summary figures: the mean and sample standard deviation of a
// few trials, and the median of repeated measurements (the tools' reports, the
// page's bench).
package stats

import (
	"math"
	"slices"
)

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

// Median returns the median of xs, sorting a copy (xs is left as it is): the
// middle value of an odd count, the mean of the two middle values, (a+b)/2, of an
// even one, and 0 for none.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
