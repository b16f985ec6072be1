package tensor

// ConvShape describes a 2-D convolution of one sample: C input channels of H×W,
// square kernels of side K, stride S and zero padding P on every side.
type ConvShape struct {
	C, H, W    int
	K, S, P    int
	OutH, OutW int
}

// NewConvShape fills in the output size floor((in − K + 2P)/S) + 1 of each side.
func NewConvShape(c, h, w, k, s, p int) ConvShape {
	return ConvShape{C: c, H: h, W: w, K: k, S: s, P: p,
		OutH: (h-k+2*p)/s + 1, OutW: (w-k+2*p)/s + 1}
}

// ColRows is the number of rows of the im2col matrix, C·K·K.
func (s ConvShape) ColRows() int { return s.C * s.K * s.K }

// ColCols is the number of columns of the im2col matrix, OutH·OutW.
func (s ConvShape) ColCols() int { return s.OutH * s.OutW }

// Im2Col writes the receptive fields of one sample x (C×H×W) into col, a
// (C·K·K)×(OutH·OutW) matrix: col[(c,ki,kj)][(oy,ox)] = x[c][oy·S+ki−P][ox·S+kj−P],
// zero outside the image. The convolution is then a matrix product W·col.
func Im2Col[F Float](col, x []F, s ConvShape) {
	cols := s.ColCols()
	col = col[:s.ColRows()*cols]
	x = x[:s.C*s.H*s.W]
	r := 0
	for c := 0; c < s.C; c++ {
		xc := x[c*s.H*s.W : (c+1)*s.H*s.W]
		for ki := 0; ki < s.K; ki++ {
			for kj := 0; kj < s.K; kj++ {
				row := col[r*cols : (r+1)*cols]
				r++
				lo, hi := s.inside(kj)
				for oy := 0; oy < s.OutH; oy++ {
					dst := row[oy*s.OutW : (oy+1)*s.OutW]
					iy := oy*s.S + ki - s.P
					if iy < 0 || iy >= s.H || lo >= hi {
						clear(dst)
						continue
					}
					src := xc[iy*s.W : (iy+1)*s.W]
					clear(dst[:lo])
					clear(dst[hi:])
					if s.S == 1 {
						copy(dst[lo:hi], src[lo+kj-s.P:])
						continue
					}
					for ox := lo; ox < hi; ox++ {
						dst[ox] = src[ox*s.S+kj-s.P]
					}
				}
			}
		}
	}
}

// Im2ColT writes Im2Col's matrix transposed, (OutH·OutW)×(C·K·K), into colT:
// colT[(oy,ox)][(c,ki,kj)] = x[c][oy·S+ki−P][ox·S+kj−P], zero outside the image.
func Im2ColT[F Float](colT, x []F, s ConvShape) {
	ckk := s.ColRows()
	colT = colT[:s.ColCols()*ckk]
	x = x[:s.C*s.H*s.W]
	for oy := 0; oy < s.OutH; oy++ {
		for ox := 0; ox < s.OutW; ox++ {
			dst := colT[(oy*s.OutW+ox)*ckk : (oy*s.OutW+ox+1)*ckk]
			q := 0
			for c := 0; c < s.C; c++ {
				xc := x[c*s.H*s.W : (c+1)*s.H*s.W]
				for ki := 0; ki < s.K; ki++ {
					row := dst[q : q+s.K]
					q += s.K
					iy := oy*s.S + ki - s.P
					if iy < 0 || iy >= s.H {
						clear(row)
						continue
					}
					src := xc[iy*s.W : (iy+1)*s.W]
					for kj := range row {
						if ix := ox*s.S + kj - s.P; ix >= 0 && ix < s.W {
							row[kj] = src[ix]
						} else {
							row[kj] = 0
						}
					}
				}
			}
		}
	}
}

// inside returns the outputs lo ≤ ox < hi whose input column ox·S+kj−P lies inside
// the image.
func (s ConvShape) inside(kj int) (lo, hi int) {
	for lo < s.OutW && lo*s.S+kj-s.P < 0 {
		lo++
	}
	hi = s.OutW
	for hi > lo && (hi-1)*s.S+kj-s.P >= s.W {
		hi--
	}
	return lo, hi
}

// Col2ImAdd is the adjoint of Im2Col: it adds every entry of col back onto the pixel
// of dx (C×H×W) it was read from, dropping those that fell in the padding.
func Col2ImAdd[F Float](dx, col []F, s ConvShape) {
	cols := s.ColCols()
	col = col[:s.ColRows()*cols]
	dx = dx[:s.C*s.H*s.W]
	r := 0
	for c := 0; c < s.C; c++ {
		dc := dx[c*s.H*s.W : (c+1)*s.H*s.W]
		for ki := 0; ki < s.K; ki++ {
			for kj := 0; kj < s.K; kj++ {
				row := col[r*cols : (r+1)*cols]
				r++
				for oy := 0; oy < s.OutH; oy++ {
					iy := oy*s.S + ki - s.P
					if iy < 0 || iy >= s.H {
						continue
					}
					dst := dc[iy*s.W : (iy+1)*s.W]
					src := row[oy*s.OutW : (oy+1)*s.OutW]
					for ox, v := range src {
						ix := ox*s.S + kj - s.P
						if ix >= 0 && ix < s.W {
							dst[ix] += v
						}
					}
				}
			}
		}
	}
}
