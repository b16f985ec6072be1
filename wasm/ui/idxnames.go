package ui

import "strings"

// idxRoles are the four files of an IDX data set, in the order the worker takes them.
var idxRoles = []struct {
	first []string // one of these must come before second in the name (any case)
	then  string
	what  string
}{
	{[]string{"train"}, "images", "training images (train-images-idx3-ubyte)"},
	{[]string{"train"}, "labels", "training labels (train-labels-idx1-ubyte)"},
	{[]string{"t10k", "test"}, "images", "test images (t10k-images-idx3-ubyte)"},
	{[]string{"t10k", "test"}, "labels", "test labels (t10k-labels-idx1-ubyte)"},
}

// idxRole tells which of the four files of an IDX set a file name is, by its words
// ("train-images-idx3-ubyte.gz", "t10k-labels.idx1-ubyte"), or -1.
func idxRole(name string) int {
	lower := strings.ToLower(name)
	for i, r := range idxRoles {
		for _, f := range r.first {
			if at := strings.Index(lower, f); at >= 0 && strings.Contains(lower[at+len(f):], r.then) {
				return i
			}
		}
	}
	return -1
}
