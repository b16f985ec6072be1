package worker

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAFailedAttemptTakesBackOnlyWhatItAdded(t *testing.T) {
	var sum, a, b counts
	sum.note(&a, counts{total: 100, sized: 1}) // file A's length is known
	sum.note(&a, counts{loaded: 30})
	sum.note(&b, counts{total: 200, sized: 1}) // file B, at the same time
	sum.note(&b, counts{loaded: 50})
	sum.note(&a, counts{loaded: 20})
	assert.Equal(t, counts{loaded: 100, total: 300, sized: 2}, sum)
	sum.undo(a) // A's inflating read failed: it is read again from the start
	assert.Equal(t, counts{loaded: 50, total: 200, sized: 1}, sum, "B's progress stays")
	assert.Equal(t, b, sum)
}
