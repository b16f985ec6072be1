package main

import (
	"bytes"
	"fmt"
	"log"
	"math"
	"strings"
)

// The arm64 kernels, in NEON (Advanced SIMD, which every arm64 CPU has): 32 vector
// registers V0–V31 of 4 float32 lanes. Go's assembler has no mnemonic for NEON's
// floating-point arithmetic, so those instructions are written as their encodings
// (WORD), each with its instruction beside it; TestTheNEONEncodings checks the
// encoder against the Arm manual's fields. Loads and stores are Go's FMOVQ.
const neonLanes, neonRegs = 4, 32

// The NEON functions generated: row kernels of 16 vectors down to 1 (64 to 4
// columns), tile kernels of 4, 2 and 1 vectors (4 rows of accumulators, a row of B,
// 4 broadcasts and at least 2 temporaries fit 32 registers up to 4).
var (
	neonRows  = []int{16, 8, 4, 2, 1}
	neonTiles = []int{4, 2, 1}
)

// The NEON instructions used on 4 float32 lanes, by their encodings with the
// registers' fields zero: Vd in bits 0–4, Vn in 5–9, Vm in 16–20.
var neonOps = map[string]uint32{
	"FADD":   0x4e20d400, // Vd = Vn + Vm
	"FSUB":   0x4ea0d400, // Vd = Vn − Vm
	"FMUL":   0x6e20dc00, // Vd = Vn · Vm
	"FDIV":   0x6e20fc00, // Vd = Vn / Vm
	"FMAX":   0x4e20f400, // Vd = max(Vn, Vm), NaN if either is
	"FMIN":   0x4ea0f400, // Vd = min(Vn, Vm), NaN if either is
	"ADD":    0x4ea08400, // Vd = Vn + Vm, as 32-bit integers
	"FSQRT":  0x6ea1f800, // Vd = √Vn
	"FNEG":   0x6ea0f800, // Vd = −Vn
	"FRINTM": 0x4e219800, // Vd = ⌊Vn⌋
	"FCVTZS": 0x4ea1b800, // Vd = int32(Vn), toward zero
	"DUPW":   0x4e040c00, // Vd = Wn in every lane (Vn's field names a general register)
	"DUPS":   0x4e040400, // Vd = Vn's lane 0 in every lane
}

// x86Names maps the amd64 steps' instructions to NEON's.
var x86Names = map[string]string{"VADDPS": "FADD", "VSUBPS": "FSUB", "VMULPS": "FMUL", "VDIVPS": "FDIV"}

// neonWord returns the encoding of ins on Vd, Vn and Vm.
func neonWord(ins string, d, n, m int) uint32 {
	base, ok := neonOps[ins]
	if !ok || d|n|m < 0 || d|n|m > 31 {
		log.Fatalf("kernelgen: no NEON %s V%d, V%d, V%d", ins, d, n, m)
	}
	return base | uint32(m)<<16 | uint32(n)<<5 | uint32(d)
}

// neon writes NEON instructions into an arm64 function.
type neon struct{ s *bytes.Buffer }

// op3 writes Vd = Vn ins Vm.
func (a neon) op3(ins string, d, n, m int) {
	fmt.Fprintf(a.s, "\tWORD $0x%08x // %s V%d.4S, V%d.4S, V%d.4S\n", neonWord(ins, d, n, m), ins, d, n, m)
}

// op2 writes Vd = ins(Vn).
func (a neon) op2(ins string, d, n int) {
	fmt.Fprintf(a.s, "\tWORD $0x%08x // %s V%d.4S, V%d.4S\n", neonWord(ins, d, n, 0), ins, d, n)
}

// dupW writes Vd = the 32 bits of the general register Rn in every lane.
func (a neon) dupW(d, n int) {
	fmt.Fprintf(a.s, "\tWORD $0x%08x // DUP V%d.4S, R%d\n", neonWord("DUPW", d, n, 0), d, n)
}

// splatFP broadcasts the float32 argument at mem (a frame slot) into Vd.
func (a neon) splatFP(mem string, d int) {
	fmt.Fprintf(a.s, "\tFMOVS %s, F%d\n\tWORD $0x%08x // DUP V%d.4S, V%d.S[0]\n", mem, d, neonWord("DUPS", d, d, 0), d, d)
}

// splatBits broadcasts the 32-bit constant bits into Vd, through R9.
func (a neon) splatBits(bits uint32, d int, what string) {
	fmt.Fprintf(a.s, "\tMOVW $0x%08x, R9 // %s\n", bits, what)
	a.dupW(d, 9)
}

func (a neon) load(mem string, d int)  { fmt.Fprintf(a.s, "\tFMOVQ %s, F%d\n", mem, d) }
func (a neon) store(d int, mem string) { fmt.Fprintf(a.s, "\tFMOVQ F%d, %s\n", d, mem) }

// madd adds Vx·Vy into Vacc through Vt, rounding each: t = x·y; acc += t.
func (a neon) madd(acc, x, y, t int) {
	a.op3("FMUL", t, x, y)
	a.op3("FADD", acc, acc, t)
}

// generateARM64 returns the arm64 assembly and its Go declarations.
func generateARM64() (asm, decl []byte) {
	var s, g bytes.Buffer
	s.WriteString(header + "#include \"textflag.h\"\n")
	g.WriteString(header + "package tensor\n")
	for _, vecs := range neonRows {
		neonRow(&s, &g, vecs)
	}
	for _, vecs := range neonTiles {
		neonTile(&s, &g, vecs)
	}
	neonActivation(&s, &g, "tanh")
	neonActivation(&s, &g, "sigmoid")
	for _, st := range steps {
		neonStep(&s, &g, st)
	}
	return s.Bytes(), g.Bytes()
}

// neonRow writes rowNEONx<w>(c, b *float32, off *int32, val *float32, n int):
// c[0:w] += Σₜ val[t]·b[off[t] : off[t]+w] for t < n.
func neonRow(s, g *bytes.Buffer, vecs int) {
	w := vecs * neonLanes
	name := fmt.Sprintf("rowNEONx%d", w)
	fmt.Fprintf(g, "\n// %s: c[0:%d] += Σₜ val[t]·b[off[t] : off[t]+%d], t < n ascending.\n//\n//go:noescape\nfunc %s(c, b *float32, off *int32, val *float32, n int)\n", name, w, w, name)
	fmt.Fprintf(s, "\n// func %s(c, b *float32, off *int32, val *float32, n int)\nTEXT ·%s(SB), NOSPLIT, $0-40\n", name, name)
	s.WriteString("\tMOVD c+0(FP), R0\n\tMOVD b+8(FP), R1\n\tMOVD off+16(FP), R2\n\tMOVD val+24(FP), R3\n\tMOVD n+32(FP), R4\n")
	a := neon{s}
	for v := range vecs {
		a.load(fmt.Sprintf("%d(R0)", 16*v), v)
	}
	const bc = 16 // val[t] in every lane; the temporaries follow
	s.WriteString("\tCBZ R4, done\nloop:\n\tMOVW.P 4(R2), R5\n\tADD R5<<2, R1, R6\n")
	a.splatFP("(R3)", bc)
	for v := range vecs {
		t := bc + 1 + v%(neonRegs-bc-1)
		a.load(fmt.Sprintf("%d(R6)", 16*v), t)
		a.madd(v, bc, t, t) // c_j += val_t · b_{off_t + j}
	}
	s.WriteString("\tADD $4, R3\n\tSUBS $1, R4, R4\n\tBNE loop\ndone:\n")
	for v := range vecs {
		a.store(v, fmt.Sprintf("%d(R0)", 16*v))
	}
	s.WriteString("\tRET\n")
}

// neonTile writes tileNEONx<w>(c *float32, ldc int, a *float32, rs, ps int, b *float32,
// ldb, n int): for 4 rows r and w columns, c[r·ldc + j] += Σ_{p<n} a[r·rs + p·ps]·b[p·ldb + j],
// skipping each p whose four entries of a are zero.
func neonTile(s, g *bytes.Buffer, vecs int) {
	w := vecs * neonLanes
	name := fmt.Sprintf("tileNEONx%d", w)
	fmt.Fprintf(g, "\n// %s: c[r·ldc + j] += Σₚ a[r·rs + p·ps]·b[p·ldb + j] for r < 4, j < %d, p < n\n// ascending, skipping each p whose four entries of a are zero.\n//\n//go:noescape\nfunc %s(c *float32, ldc int, a *float32, rs, ps int, b *float32, ldb, n int)\n", name, w, name)
	fmt.Fprintf(s, "\n// func %s(c *float32, ldc int, a *float32, rs, ps int, b *float32, ldb, n int)\nTEXT ·%s(SB), NOSPLIT, $0-64\n", name, name)
	s.WriteString("\tMOVD c+0(FP), R0\n\tMOVD ldc+8(FP), R1\n\tLSL $2, R1\n\tMOVD a+16(FP), R2\n\tMOVD rs+24(FP), R3\n\tLSL $2, R3\n" +
		"\tMOVD ps+32(FP), R4\n\tLSL $2, R4\n\tMOVD b+40(FP), R5\n\tMOVD ldb+48(FP), R6\n\tLSL $2, R6\n\tMOVD n+56(FP), R7\n" +
		"\tADD R1, R0, R8\n\tADD R1, R8, R10\n\tADD R1, R10, R11\n")
	cRow := [4]string{"R0", "R8", "R10", "R11"}
	aRow := [4]int{14, 15, 16, 17} // Â(r, p)'s bits
	acc := func(r, v int) int { return r*vecs + v }
	bReg := func(v int) int { return 4*vecs + v }
	bcReg := func(r int) int { return 5*vecs + r }
	temps := neonRegs - 5*vecs - 4
	if temps < 2 {
		log.Fatalf("kernelgen: %s: %d temporaries", name, temps)
	}
	a := neon{s}
	for r := range 4 {
		for v := range vecs {
			a.load(fmt.Sprintf("%d(%s)", 16*v, cRow[r]), acc(r, v))
		}
	}
	s.WriteString("\tCBZ R7, done\nloop:\n")
	// Skip p when Â(0..3, p) are all ±0: or their bits, drop the sign.
	s.WriteString("\tADD R3, R2, R12\n\tADD R3, R12, R13\n\tADD R3, R13, R19\n")
	fmt.Fprintf(s, "\tMOVWU (R2), R%d\n\tMOVWU (R12), R%d\n\tMOVWU (R13), R%d\n\tMOVWU (R19), R%d\n", aRow[0], aRow[1], aRow[2], aRow[3])
	fmt.Fprintf(s, "\tORR R%d, R%d, R20\n\tORR R%d, R20, R20\n\tORR R%d, R20, R20\n\tAND $0x7fffffff, R20, R20\n\tCBZ R20, next\n", aRow[1], aRow[0], aRow[2], aRow[3])
	for v := range vecs {
		a.load(fmt.Sprintf("%d(R5)", 16*v), bReg(v))
	}
	for r := range 4 {
		a.dupW(bcReg(r), aRow[r])
	}
	t := 0
	for r := range 4 {
		for v := range vecs {
			a.madd(acc(r, v), bcReg(r), bReg(v), 5*vecs+4+t%temps) // c_rj += â_rp · b_pj
			t++
		}
	}
	s.WriteString("next:\n\tADD R4, R2\n\tADD R6, R5\n\tSUBS $1, R7, R7\n\tBNE loop\ndone:\n")
	for r := range 4 {
		for v := range vecs {
			a.store(acc(r, v), fmt.Sprintf("%d(%s)", 16*v, cRow[r]))
		}
	}
	s.WriteString("\tRET\n")
}

// neonActivation writes tanhNEON(v *float32, n int) or sigmoidNEON: v[i] = tanh32(v[i])
// (or sigmoid32) for i < n, n a multiple of 4, lane by lane the operations of the
// plain functions in their order.
func neonActivation(s, g *bytes.Buffer, fn string) {
	name := fn + "NEON"
	fmt.Fprintf(g, "\n// %s replaces v[i] by %s32(v[i]) for i < n, a multiple of %d.\n//\n//go:noescape\nfunc %s(v *float32, n int)\n", name, fn, neonLanes, name)
	fmt.Fprintf(s, "\n// func %s(v *float32, n int)\nTEXT ·%s(SB), NOSPLIT, $0-16\n\tMOVD v+0(FP), R0\n\tMOVD n+8(FP), R1\n\tLSR $2, R1\n\tCBZ R1, done\n", name, name)
	a := neon{s}
	// Registers: 0 x, 1–4 temporaries, 8 on the constants.
	consts := map[string]int{}
	for i, c := range expConstants {
		if c.name == "sign" {
			continue
		}
		consts[c.name] = 8 + i
		a.splatBits(math.Float32bits(c.value), 8+i, c.name)
	}
	const int127 = 31
	a.splatBits(127, int127, "127, as an integer")
	c := func(name string) int { return consts[name] }
	s.WriteString("loop:\n")
	a.load("(R0)", 0)
	if fn == "tanh" {
		a.op3("FMUL", 0, c("two"), 0) // 2x
	} else {
		a.op2("FNEG", 0, 0) // −x
	}
	// Clamp to [−87, 87]; FMAX and FMIN return NaN when x is NaN.
	a.op3("FMAX", 0, 0, c("negClamp"))
	a.op3("FMIN", 0, 0, c("clamp"))
	// exp32(y), y in register 0.
	a.op3("FMUL", 1, 0, c("log2e")) // y·log₂e
	a.op3("FADD", 1, 1, c("half"))  // + ½
	a.op2("FRINTM", 1, 1)           // k = ⌊…⌋
	a.op3("FMUL", 2, 1, c("ln2Hi")) // k·ln2Hi
	a.op3("FSUB", 2, 0, 2)          // y − k·ln2Hi
	a.op3("FMUL", 3, 1, c("ln2Lo")) // k·ln2Lo
	a.op3("FSUB", 2, 2, 3)          // r = (y − k·ln2Hi) − k·ln2Lo
	a.op3("FMUL", 3, c("c720"), 2)  // p = 1/720, p·r
	a.op3("FADD", 3, 3, c("c120"))  // + 1/120
	for _, cn := range []string{"c24", "c6", "half", "one", "one"} {
		a.op3("FMUL", 3, 3, 2)     // p·r
		a.op3("FADD", 3, 3, c(cn)) // + c
	}
	// 2ᵏ from k's integer: (k + 127) << 23.
	a.op2("FCVTZS", 1, 1)
	a.op3("ADD", 1, 1, int127)
	fmt.Fprintf(s, "\tVSHL $23, V1.S4, V1.S4\n")
	a.op3("FMUL", 0, 3, 1) // e = p·2ᵏ
	if fn == "tanh" {
		a.op3("FADD", 0, 0, c("one")) // e + 1
		a.op3("FDIV", 0, c("two"), 0) // 2/(e + 1)
		a.op3("FSUB", 0, c("one"), 0) // 1 − 2/(e + 1)
	} else {
		a.op3("FADD", 0, c("one"), 0) // 1 + e
		a.op3("FDIV", 0, c("one"), 0) // 1/(1 + e)
	}
	a.store(0, "(R0)")
	s.WriteString("\tADD $16, R0\n\tSUBS $1, R1, R1\n\tBNE loop\ndone:\n\tRET\n")
}

// neonStep writes st for arm64: the pointers go in R0–R3.
func neonStep(s, g *bytes.Buffer, st step) {
	name := st.name + "NEON"
	args := strings.Join(st.ptrs, ", ") + " *float32, n int"
	if len(st.scalars) > 0 {
		args += ", " + strings.Join(st.scalars, ", ") + " float32"
	}
	size := (8*len(st.ptrs) + 8 + 4*len(st.scalars) + 7) &^ 7
	fmt.Fprintf(g, "\n// %s: for i < n, a multiple of %d, %s.\n//\n//go:noescape\nfunc %s(%s)\n", name, neonLanes, st.doc, name, args)
	fmt.Fprintf(s, "\n// func %s(%s)\nTEXT ·%s(SB), NOSPLIT, $0-%d\n", name, args, name, size)
	regs := []string{"R0", "R1", "R2", "R3"}
	if len(st.ptrs) > len(regs) || 8+len(st.scalars)+len(st.consts) > neonRegs {
		log.Fatalf("kernelgen: %s: too many arguments", name)
	}
	for i, p := range st.ptrs {
		fmt.Fprintf(s, "\tMOVD %s+%d(FP), %s\n", p, 8*i, regs[i])
	}
	fmt.Fprintf(s, "\tMOVD n+%d(FP), R4\n", 8*len(st.ptrs))
	a := neon{s}
	for i, c := range st.scalars {
		a.splatFP(fmt.Sprintf("%s+%d(FP)", c, 8*len(st.ptrs)+8+4*i), 8+i)
	}
	for i, name := range st.consts {
		for _, c := range expConstants {
			if c.name == name {
				a.splatBits(math.Float32bits(c.value), 8+len(st.scalars)+i, name)
			}
		}
	}
	s.WriteString("\tLSR $2, R4\n\tCBZ R4, done\nloop:\n")
	st.body(neonVector{a, regs})
	for i := range st.ptrs {
		fmt.Fprintf(s, "\tADD $16, %s\n", regs[i])
	}
	s.WriteString("\tSUBS $1, R4, R4\n\tBNE loop\ndone:\n\tRET\n")
}

// neonVector is vector in NEON.
type neonVector struct {
	a    neon
	regs []string
}

func (v neonVector) op(ins string, src2, src1, dst int) {
	neonIns, ok := x86Names[ins]
	if !ok {
		log.Fatalf("kernelgen: no NEON form of %s", ins)
	}
	v.a.op3(neonIns, dst, src1, src2)
}

func (v neonVector) load(ptr, dst int)  { v.a.load("("+v.regs[ptr]+")", dst) }
func (v neonVector) store(src, ptr int) { v.a.store(src, "("+v.regs[ptr]+")") }
func (v neonVector) sqrt(src, dst int)  { v.a.op2("FSQRT", dst, src) }
