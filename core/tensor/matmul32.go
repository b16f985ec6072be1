package tensor

import (
	"fmt"
	"math"
	"slices"
	"sync"
)

// The float32 products run on vector kernels chosen at start-up from what the CPU
// offers (AVX-512, AVX2 or SSE on amd64, SIMD128 in WebAssembly), else on the plain
// ones. Every set gives the plain kernels' bits: the drivers here decide the order
// in which each element of C adds its terms, and the kernels only do the additions,
// many elements at a time.
//
// Two drivers: a sparse A (most MNIST pixels are zero) is listed by rows, its nonzero
// entries each adding one term, exactly as the plain kernels skip zeros; a dense A
// goes in tiles of 4 rows, a term skipped when the tile's four entries of A are all
// zero. Adding a zero term changes nothing unless B holds an infinity or a NaN (a
// run that has diverged already).

// vectorSet holds the float32 kernels of one instruction set, widest first.
type vectorSet struct {
	name  string
	rows  []rowKernel
	tiles []tileKernel
	// tanh and sigmoid replace v[i] by tanh32(v[i]) or sigmoid32(v[i]) for i < n, a
	// multiple of lanes (nil: the plain functions).
	lanes         int
	tanh, sigmoid func(v *float32, n int)
	// nag is NAGStep on n elements, a multiple of lanes (nil: the plain loop).
	nag func(p, g, v *float32, n int, lr, mu float32)
	// adam and rmsprop are AdamStep and RMSpropStep on n elements, a multiple of
	// lanes, their coefficients in the order of the structs' fields (nil: the plain
	// loops).
	adam    func(p, g, m, v *float32, n int, oneMinusBeta1, beta2, oneMinusBeta2, eps, stepSize, bc2Sqrt float32)
	rmsprop func(p, g, s *float32, n int, lr, alpha, oneMinusAlpha, eps float32)
	// tanhDerivative is TanhDerivative on n elements, a multiple of lanes (nil: the
	// plain loop).
	tanhDerivative func(d, s, h *float32, n int)
	// productOf and axpyOf, where set, replace the drivers of this file (and rows
	// and tiles): for a set whose compiler makes other loops faster.
	productOf func(c, a, b []float32, m, k, n, rs, ps int)
	axpyOf    func(a float32, x, y []float32)
}

// rowKernel computes c[0:width] += Σₜ val[t]·b[off[t] : off[t]+width], t < n ascending.
type rowKernel struct {
	width int
	f     func(c, b *float32, off *int32, val *float32, n int)
}

// tileKernel computes, for r < 4 and j < width, c[r·ldc + j] += Σₚ a[r·rs + p·ps]·b[p·ldb + j]
// over p < n ascending, skipping each p whose four entries of a are zero.
type tileKernel struct {
	width int
	f     func(c *float32, ldc int, a *float32, rs, ps int, b *float32, ldb, n int)
}

// plainKernels names the plain Go kernels, the fallback of every machine.
const plainKernels = "plain"

// kernels is the set in use; nil means the plain kernels.
var kernels = best()

// best returns the first set of vectorSets (this machine's, best first), if any.
func best() *vectorSet {
	if sets := vectorSets(); len(sets) > 0 {
		return &sets[0]
	}
	return nil
}

// Kernels names the float32 kernels in use: "AVX-512", "AVX2", "SSE", "NEON",
// "SIMD128" or "plain".
func Kernels() string {
	if kernels == nil {
		return plainKernels
	}
	return kernels.name
}

// KernelSets names the kernels this machine can run, the chosen one first and
// "plain" last.
func KernelSets() []string {
	var names []string
	for _, s := range vectorSets() {
		names = append(names, s.name)
	}
	return append(names, plainKernels)
}

// SetKernels chooses the float32 kernels by name (one of KernelSets). Every set gives
// the same bits; it is for measuring and checking them. It is not safe to call while
// products run.
func SetKernels(name string) error {
	if name == plainKernels {
		kernels = nil
		return nil
	}
	sets := vectorSets()
	for i := range sets {
		if sets[i].name == name {
			kernels = &sets[i]
			return nil
		}
	}
	return fmt.Errorf("kernels %q: this machine runs %v", name, KernelSets())
}

// mulAdd32: C (m×n) += A (m×k) · B (k×n).
func mulAdd32(c, a, b []float32, m, k, n int) {
	if ks := kernels; ks != nil {
		ks.product(c, a, b, m, k, n, k, 1)
		return
	}
	mulAdd(c, a, b, m, k, n)
}

// mulTransAAddRows32 computes rows i0 ≤ i < i1 of C (m×n) += Aᵀ·B for A k×m and
// B k×n, and no other.
func mulTransAAddRows32(c, a, b []float32, m, k, n, i0, i1 int) {
	if ks := kernels; ks != nil {
		ks.product(c[i0*n:], a[i0:], b, i1-i0, k, n, 1, m)
		return
	}
	mulTransAAddRows(c, a, b, m, k, n, i0, i1)
}

// axpy32: y += a·x, as one row of one term.
func axpy32(a float32, x, y []float32) {
	ks := kernels
	if ks != nil && ks.axpyOf != nil {
		ks.axpyOf(a, x, y)
		return
	}
	if ks == nil || len(x) == 0 {
		axpy(a, x, y)
		return
	}
	y = y[:len(x)]
	off := [1]int32{0}
	for j := 0; j < len(x); {
		r, ok := ks.row(len(x) - j)
		if !ok {
			axpy(a, x[j:], y[j:])
			return
		}
		r.f(&y[j], &x[j], &off[0], &a, 1)
		j += r.width
	}
}

// nonzeroBit is 1 if v ≠ 0 (NaN included), else 0, without a branch: the pixels of
// MNIST are zero or not in no order a CPU could predict.
func nonzeroBit(v float32) int {
	x := math.Float32bits(v) &^ (1 << 31)
	return int((x + 1<<31 - 1) >> 31)
}

// looksDense reports whether more than half of a's first 4096 entries are nonzero:
// then the product is tiled without listing a, which would stop at a third of it.
// (Either way gives the same bits.)
func looksDense(a []float32) bool {
	nonzero, head := 0, a[:min(len(a), 4096)]
	for _, v := range head {
		nonzero += nonzeroBit(v)
	}
	return 2*nonzero > len(head)
}

// product computes C (m×n) += Â·B, Â(i, p) = a[i·rs + p·ps]: from the list of Â's
// nonzero entries when fewer than a third are nonzero (then listing them beats
// tiling, which skips only four zeros at a time), else in tiles.
func (ks *vectorSet) product(c, a, b []float32, m, k, n, rs, ps int) {
	if ks.productOf != nil {
		ks.productOf(c, a, b, m, k, n, rs, ps)
		return
	}
	t := termsPool.Get().(*terms)
	defer termsPool.Put(t)
	if k*n < 1<<31 && !looksDense(a) && t.list(a, m, k, n, rs, ps) { // offsets into B fit in int32
		ks.sparse(c, b, m, n, t)
		return
	}
	ks.tiled(c, a, b, m, k, n, rs, ps)
}

// row returns the widest row kernel no wider than w.
func (ks *vectorSet) row(w int) (rowKernel, bool) {
	for _, r := range ks.rows {
		if r.width <= w {
			return r, true
		}
	}
	return rowKernel{}, false
}

// tile returns the widest tile kernel no wider than w.
func (ks *vectorSet) tile(w int) (tileKernel, bool) {
	for _, t := range ks.tiles {
		if t.width <= w {
			return t, true
		}
	}
	return tileKernel{}, false
}

// terms lists the nonzero entries of a sparse Â by rows: row i's are
// off[start[i]:start[i+1]] (p·n, where row p of B begins) and val[…] (Â(i, p)),
// in ascending p.
type terms struct {
	start []int
	off   []int32
	val   []float32
	// list's scratch for Aᵀ
	col    []int32
	cval   []float32
	rowEnd []int
	next   []int
	// pad holds the zero-padded blocks of lastRows and edge.
	pad []float32
}

var termsPool = sync.Pool{New: func() any { return new(terms) }}

// list fills t with the nonzero entries of Â (m×k), Â(i, p) = a[i·rs + p·ps], for
// a B with n columns, and reports whether fewer than a third are nonzero: it stops
// as soon as it has seen that many. Â is A (ps = 1) or Aᵀ (rs = 1); A is read in
// memory order once.
func (t *terms) list(a []float32, m, k, n, rs, ps int) bool {
	limit := (m*k + 2) / 3 // sparse: fewer nonzero entries than this
	t.start = grow(t.start, m+1)
	if ps == 1 {
		t.off, t.val = grow(t.off, m*k), grow(t.val, m*k)
		q := 0
		for i := range m {
			t.start[i] = q
			for p, v := range a[i*rs : i*rs+k] {
				t.off[q], t.val[q] = int32(p*n), v // kept only if v ≠ 0
				q += nonzeroBit(v)
			}
			if q >= limit {
				return false
			}
		}
		t.start[m] = q
		return true
	}
	// Â = Aᵀ: list A by its rows p (entry i, value), count each i, then place the
	// entries of each i in order of p.
	t.col, t.cval = grow(t.col, m*k), grow(t.cval, m*k)
	t.rowEnd = grow(t.rowEnd, k)
	clear(t.start)
	q := 0
	for p := range k {
		for i, v := range a[p*ps : p*ps+m] {
			t.col[q], t.cval[q] = int32(i), v
			t.start[i+1] += nonzeroBit(v)
			q += nonzeroBit(v)
		}
		t.rowEnd[p] = q
		if q >= limit {
			return false
		}
	}
	for i := range m {
		t.start[i+1] += t.start[i]
	}
	t.off, t.val = grow(t.off, q), grow(t.val, q)
	t.next = append(t.next[:0], t.start[:m]...)
	q = 0
	for p := range k {
		for ; q < t.rowEnd[p]; q++ {
			i := t.col[q]
			t.off[t.next[i]], t.val[t.next[i]] = int32(p*n), t.cval[q]
			t.next[i]++
		}
	}
	return true
}

// grow returns s with length n, reusing its array when it is long enough.
func grow[T any](s []T, n int) []T { return slices.Grow(s[:0], n)[:n] }

// sparse computes C (m×n) += Â·B from t, the list of Â's nonzero entries: every
// element of C adds them in ascending p, as the plain kernels do. C goes in strips
// of columns, each strip over all rows, so that B's strip stays in the cache.
func (ks *vectorSet) sparse(c, b []float32, m, n int, t *terms) {
	for j := 0; j < n; {
		r, ok := ks.row(n - j)
		if !ok { // the last columns, one by one
			for i := range m {
				for q := t.start[i]; q < t.start[i+1]; q++ {
					axpy(t.val[q], b[int(t.off[q])+j:int(t.off[q])+n], c[i*n+j:i*n+n]) // c_i· += a_ip · b_p·
				}
			}
			return
		}
		for i := range m {
			if q0, q1 := t.start[i], t.start[i+1]; q1 > q0 {
				_ = c[i*n+j+r.width-1]
				r.f(&c[i*n+j], &b[j], &t.off[q0], &t.val[q0], q1-q0)
			}
		}
		j += r.width
	}
}

// tileDepth is how many terms a tile adds before the next tile: a block of B of
// tileDepth rows by a tile's width stays in the first-level cache.
const tileDepth = 256

// tileBlockB is the most floats of B's block (tileDepth rows) that rows outside
// columns read from the second-level cache: a larger one goes by columns.
const tileBlockB = 64 << 10

// tiled computes C (m×n) += Â·B, Â(i, p) = a[i·rs + p·ps], in tiles of 4 rows: the
// summed index in blocks of tileDepth, and within a block rows outside columns
// (Â's rows are read once, B's block stays in the cache) unless B's block is larger
// than tileBlockB and Â's rows are contiguous: then columns outside rows, B's strip
// staying in the cache across the rows. Each element of C still adds its terms in
// ascending p.
func (ks *vectorSet) tiled(c, a, b []float32, m, k, n, rs, ps int) {
	c, a, b = c[:m*n], a[:(m-1)*rs+(k-1)*ps+1], b[:k*n]
	cols := n // the columns the tiles cover
	for j := 0; j < n; {
		t, ok := ks.tile(n - j)
		if !ok {
			cols = j
			break
		}
		j += t.width
	}
	for p0 := 0; p0 < k; p0 += tileDepth {
		depth := min(tileDepth, k-p0)
		tile := func(i, j int, t tileKernel) {
			t.f(&c[i*n+j], n, &a[i*rs+p0*ps], rs, ps, &b[p0*n+j], n, depth)
		}
		rows := m &^ 3
		if ps == 1 && depth*n > tileBlockB {
			for j := 0; j < n; {
				t, ok := ks.tile(n - j)
				if !ok {
					break
				}
				for i := 0; i < rows; i += 4 {
					tile(i, j, t)
				}
				j += t.width
			}
		} else {
			for i := 0; i < rows; i += 4 {
				for j := 0; j < n; {
					t, ok := ks.tile(n - j)
					if !ok {
						break
					}
					tile(i, j, t)
					j += t.width
				}
			}
		}
		// The edges: the last rows if fewer than 4, and columns no tile covers.
		if rows < m {
			ks.lastRows(c[rows*n:], a[rows*rs+p0*ps:], b[p0*n:], m-rows, depth, n, rs, ps)
		}
		if cols < n {
			ks.edge(c, a, b, rows, n, rs, ps, cols, p0, depth)
		}
	}
}

// lastRows adds the terms p < depth into the rows (fewer than 4) of C (rows×n):
// it copies them and their entries of Â into blocks of 4 rows, the others zero, and
// tiles those. A term is then skipped when the rows' entries are zero, as in a tile.
func (ks *vectorSet) lastRows(c, a, b []float32, rows, depth, n, rs, ps int) {
	scratch := termsPool.Get().(*terms)
	defer termsPool.Put(scratch)
	pad := grow(scratch.pad, 4*(depth+n))
	clear(pad)
	ap, cp := pad[:4*depth], pad[4*depth:]
	for i := range rows {
		for p := range depth {
			ap[i*depth+p] = a[i*rs+p*ps]
		}
		copy(cp[i*n:(i+1)*n], c[i*n:(i+1)*n])
	}
	ks.tiled(cp, ap, b, 4, depth, n, depth, 1)
	copy(c[:rows*n], cp[:rows*n])
	scratch.pad = pad
}

// edge adds the terms p0 ≤ p < p0+depth into the columns j ≥ cols of the first rows
// rows of C, fewer than the narrowest tile: it copies them and B's into zero-padded
// blocks as wide as that tile and runs it there. The padding's lanes are dropped;
// the others compute what a tile of C would.
func (ks *vectorSet) edge(c, a, b []float32, rows, n, rs, ps, cols, p0, depth int) {
	t := ks.tiles[len(ks.tiles)-1]
	w, e := t.width, n-cols
	if rows == 0 || e >= w {
		return
	}
	scratch := termsPool.Get().(*terms)
	defer termsPool.Put(scratch)
	pad := grow(scratch.pad, (depth+rows)*w)
	clear(pad)
	bp, cp := pad[:depth*w], pad[depth*w:]
	for p := range depth {
		copy(bp[p*w:p*w+e], b[(p0+p)*n+cols:(p0+p)*n+n])
	}
	for i := range rows {
		copy(cp[i*w:i*w+e], c[i*n+cols:i*n+n])
	}
	for i := 0; i < rows; i += 4 {
		t.f(&cp[i*w], w, &a[i*rs+p0*ps], rs, ps, &bp[0], w, depth)
	}
	for i := range rows {
		copy(c[i*n+cols:i*n+n], cp[i*w:i*w+e])
	}
	scratch.pad = pad
}

// tanh32s replaces every x of v by tanh32(x).
func tanh32s(v []float32) {
	vectorised(v, func(ks *vectorSet) func(*float32, int) { return ks.tanh }, tanh32Plain)
}

// sigmoid32s replaces every x of v by sigmoid32(x).
func sigmoid32s(v []float32) {
	vectorised(v, func(ks *vectorSet) func(*float32, int) { return ks.sigmoid }, sigmoid32Plain)
}

// vectorised runs the kernels' element-wise function (kernel picks it) on v, split
// across the goroutines of Threads, its whole vectors in the kernel and the rest in
// plain; plain alone where the kernels have no such function.
func vectorised(v []float32, kernel func(*vectorSet) func(*float32, int), plain func([]float32)) {
	elementWise[float32](len(v), func(ks *vectorSet) bool { return kernel(ks) != nil },
		func(ks *vectorSet, i, n int) { kernel(ks)(&v[i], n) },
		func(i0, i1 int) { plain(v[i0:i1]) })
}
