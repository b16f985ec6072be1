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
				for oy := 0; oy < s.OutH; oy++ {
					dst := row[oy*s.OutW : (oy+1)*s.OutW]
					iy := oy*s.S + ki - s.P
					if iy < 0 || iy >= s.H {
						clear(dst)
						continue
					}
					src := xc[iy*s.W : (iy+1)*s.W]
					for ox := range dst {
						ix := ox*s.S + kj - s.P
						if ix < 0 || ix >= s.W {
							dst[ox] = 0
						} else {
							dst[ox] = src[ix]
						}
					}
				}
			}
		}
	}
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
