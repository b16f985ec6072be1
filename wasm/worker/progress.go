package worker

// counts are how far a download of several files is: inflated bytes read and
// expected, and the files whose length is known. It is plain Go, tested natively.
type counts struct {
	loaded, total int64
	sized         int
}

// note adds o to the download's counts (c) and to those of the attempt that made it
// (a), so that a failed attempt can take back exactly what it added.
func (c *counts) note(a *counts, o counts) {
	c.loaded, c.total, c.sized = c.loaded+o.loaded, c.total+o.total, c.sized+o.sized
	a.loaded, a.total, a.sized = a.loaded+o.loaded, a.total+o.total, a.sized+o.sized
}

// undo takes back what attempt a added. Only that: the other files' downloads, which
// run at the same time, have moved the counts since a began.
func (c *counts) undo(a counts) {
	c.loaded, c.total, c.sized = c.loaded-a.loaded, c.total-a.total, c.sized-a.sized
}
