package ui

import "strconv"

// polyline is a line through points, written as SVG path data ("M x y L x y …"), so
// that a curve of a thousand points is one call out of WebAssembly, not a thousand.
type polyline []byte

// to extends the line to (x, y), or starts it there.
func (l *polyline) to(x, y float64) {
	if len(*l) == 0 {
		*l = append(*l, 'M')
	} else {
		*l = append(*l, " L"...)
	}
	*l = strconv.AppendFloat(*l, x, 'f', 1, 64)
	*l = append(*l, ' ')
	*l = strconv.AppendFloat(*l, y, 'f', 1, 64)
}
