package quantize

import (
	"math"
	"math/big"

	"kd2fpga/fixedpoint"
)

// denseKernel runs an OpDense or OpScale. Each output row is compiled into
// the cheapest of four equivalent forms:
//
//   - rowShift: every product casts to the accumulator exactly (no
//     rounding, no overflow for any input), so the cast is a left shift,
//     folded into the weight: the row is a plain integer dot product;
//   - rowRound: every product drops the same number of bits with AP_TRN or
//     AP_RND, and either no product can overflow the accumulator or it
//     wraps (AP_WRAP, N = 0), which is modular and so is applied once to
//     the sum instead of to each product;
//   - rowGeneric: each product goes through its Caster;
//   - rowWide: a product or the sum does not fit an int64: fixedpoint.Value.
//
// With statistics requested every row but a wide one runs the generic
// form, which reports each cast's status.
type denseKernel struct {
	particles, in, units int
	rows                 []denseRow // what the fast form needs, compact
	cold                 []rowCold  // what statistics and wide rows need

	// the terms of all rows, row r holding [rows[r].start, rows[r].end)
	cols    []int32 // the input each term reads
	fw      []int64 // the weight in the fast form (shifted for rowShift)
	gw      []int64 // the raw weight
	gc      []int32 // the term's caster in casters
	casters []fixedpoint.Caster
	wide    []mulCaster // per term, for wide rows only (else empty)

	// uniform: every row has the same fast form and casts the same
	// simple way (the usual layer with one format per tensor): the layer
	// is then the matrix um ([units][in]: the fast weights, zero ones in
	// place), a vector of biases and two shift pairs.
	uniform           bool
	um                []int64
	ukind             rowKind
	urshift           uint
	uhalf             int64
	biases            []int64
	sumShift, sumWrap uint8
	resShift, resWrap uint8
}

type rowKind uint8

const (
	rowShift rowKind = iota
	rowRound
	rowGeneric
	rowWide
)

// denseRow is one compiled output of a dense kernel: the fields of the
// fast form, kept small so that a layer's rows stay in cache.
type denseRow struct {
	start, end int32
	kind       rowKind
	contiguous bool     // the terms read inputs 0, 1, ... in order
	rshift     uint     // rowRound: bits dropped from each product
	half       int64    // rowRound: 2^(rshift-1) for AP_RND, else 0
	bias       int64    // castA(b)
	sum, res   fastCast // castA(exact sum), castR(accumulator)
}

// rowCold is the rest of a compiled output.
type rowCold struct {
	hasBias    bool
	biasSt     fixedpoint.Status
	sumC, resC fixedpoint.Caster // castA(exact sum), castR, reporting status
	accum, out fixedpoint.Format
}

// newDenseKernel compiles op, which reads a tensor like src.
func newDenseKernel(op *Op, src Tensor) *denseKernel {
	d := op.Dense
	k := &denseKernel{particles: src.Particles(), in: d.In, units: d.Units}
	casterIndex := map[[2]fixedpoint.Format]int32{}
	var termWF []fixedpoint.Format // each term's weight format
	for j := range d.W {
		row := denseRow{start: int32(len(k.cols))}
		A := d.Accum[j]
		cold := rowCold{accum: A, out: op.Out.Formats[j],
			sumC: fixedpoint.NewCaster(A, A), resC: fixedpoint.NewCaster(A, op.Out.Formats[j])}

		// the constant bias, cast once.
		if d.B != nil && d.BFormat[j].Width > 0 {
			cold.hasBias = true
			c := fixedpoint.NewCaster(d.BFormat[j], A)
			row.bias, cold.biasSt = c.Cast(d.B[j])
		}

		// the terms, and what each allows.
		exact, round, generic := true, true, true
		rshift := -1
		sumLo, sumHi := big.NewInt(row.bias), big.NewInt(row.bias) // fast forms
		genLo, genHi := big.NewInt(row.bias), big.NewInt(row.bias) // generic form
		modular := A.Overflow == fixedpoint.Wrap && A.SatBits == 0
		for i, w := range d.W[j] {
			if w == 0 {
				continue
			}
			col := i
			if op.Kind == OpScale {
				col = j
			}
			wf, xf := d.WFormat[j][i], src.Formats[col]
			pf := fixedpoint.MulFormat(wf, xf)
			pLo, pHi := productRange(w, xf)
			k.cols = append(k.cols, int32(col))
			k.gw = append(k.gw, w)
			termWF = append(termWF, wf)
			if pf.Validate() != nil || !pLo.IsInt64() || !pHi.IsInt64() {
				exact, round, generic = false, false, false
				k.fw = append(k.fw, 0)
				k.gc = append(k.gc, -1)
				continue
			}
			key := [2]fixedpoint.Format{pf, A}
			ci, ok := casterIndex[key]
			if !ok {
				ci = int32(len(k.casters))
				casterIndex[key] = ci
				k.casters = append(k.casters, fixedpoint.NewCaster(pf, A))
			}
			k.gc = append(k.gc, ci)
			c := &k.casters[ci]
			lo, stLo := c.Cast(pLo.Int64())
			hi, stHi := c.Cast(pHi.Int64())
			overflows := stLo.Overflowed() || stHi.Overflowed()

			// generic: each cast term lies in the accumulator's range, or
			// between the casts of the extreme products when none overflows.
			if overflows {
				lo, hi = A.MinRaw(), A.MaxRaw()
			}
			genLo.Add(genLo, big.NewInt(lo))
			genHi.Add(genHi, big.NewInt(hi))

			s := A.Frac() - pf.Frac()
			switch {
			case s >= 0 && stLo == 0 && stHi == 0 && s < 63:
				// exact: castA(w*x) = (w << s) * x
				k.fw = append(k.fw, w<<s)
				round = false
				sumLo.Add(sumLo, big.NewInt(lo))
				sumHi.Add(sumHi, big.NewInt(hi))
			case s < 0 && s > -62 && (A.Quant == fixedpoint.Trn || A.Quant == fixedpoint.Rnd) &&
				(rshift == -1 || rshift == -s) && (modular || !overflows) &&
				pHi.Int64() <= math.MaxInt64>>1:
				// castA(w*x) = (w*x + half) >> -s, wrapped (if at all)
				// once, on the sum.
				exact = false
				rshift = -s
				k.fw = append(k.fw, w)
				half := int64(0)
				if A.Quant == fixedpoint.Rnd {
					half = 1 << (rshift - 1)
				}
				sumLo.Add(sumLo, big.NewInt((pLo.Int64()+half)>>rshift))
				sumHi.Add(sumHi, big.NewInt((pHi.Int64()+half)>>rshift))
			default:
				exact, round = false, false
				k.fw = append(k.fw, w)
			}
		}
		row.end = int32(len(k.cols))
		row.contiguous = op.Kind == OpDense && int(row.end-row.start) == d.In

		// the form, from the fastest down.
		inInt64 := func(lo, hi *big.Int) bool { return lo.IsInt64() && hi.IsInt64() }
		switch {
		case !generic || !inInt64(genLo, genHi):
			row.kind = rowWide
		case exact && inInt64(sumLo, sumHi):
			row.kind = rowShift
		case round && rshift > 0 && inInt64(sumLo, sumHi):
			row.kind = rowRound
			row.rshift = uint(rshift)
			if A.Quant == fixedpoint.Rnd {
				row.half = 1 << (rshift - 1)
			}
		default:
			row.kind = rowGeneric
			sumLo, sumHi = genLo, genHi
		}
		if row.kind != rowWide {
			row.sum = newFastCast(A, A, sumLo.Int64(), sumHi.Int64())
		}
		row.res = newFastCast(A, cold.out, A.MinRaw(), A.MaxRaw())
		k.rows = append(k.rows, row)
		k.cold = append(k.cold, cold)
	}

	if op.Kind == OpDense {
		k.findUniform()
	}

	// wide rows multiply through mulCasters, one per term.
	for j := range k.rows {
		row := &k.rows[j]
		if row.kind != rowWide {
			continue
		}
		if k.wide == nil {
			k.wide = make([]mulCaster, len(k.cols))
		}
		for t := row.start; t < row.end; t++ {
			xf := src.Formats[k.cols[t]]
			k.wide[t] = newMulCaster(termWF[t], xf, k.cold[j].accum,
				k.gw[t], k.gw[t], xf.MinRaw(), xf.MaxRaw())
		}
	}
	return k
}

// findUniform sets k.uniform when every row has the same fast form.
func (k *denseKernel) findUniform() {
	r0 := k.rows[0]
	for _, r := range k.rows {
		if r.kind != r0.kind || r.kind != rowShift && r.kind != rowRound ||
			r.rshift != r0.rshift || r.half != r0.half || !r.sum.simple || !r.res.simple ||
			r.sum.shift != r0.sum.shift || r.sum.wb != r0.sum.wb ||
			r.res.shift != r0.res.shift || r.res.wb != r0.res.wb {
			return
		}
	}
	k.uniform, k.ukind, k.urshift, k.uhalf = true, r0.kind, r0.rshift, r0.half
	k.sumShift, k.sumWrap, k.resShift, k.resWrap = r0.sum.shift, r0.sum.wb, r0.res.shift, r0.res.wb
	k.um = make([]int64, k.units*k.in)
	for j, r := range k.rows {
		k.biases = append(k.biases, r.bias)
		for t := r.start; t < r.end; t++ {
			k.um[j*k.in+int(k.cols[t])] = k.fw[t]
		}
	}
}

// runUniform computes one vector of outputs of a uniform kernel, four
// rows at a time so that each input is loaded once for four products.
func (k *denseKernel) runUniform(x, y []int64) {
	in := k.in
	x = x[:in]
	ssh, swb, rsh, rwb := k.sumShift&63, k.sumWrap&63, k.resShift&63, k.resWrap&63
	out := func(r int, s int64) {
		s = (k.biases[r] + s) >> ssh << swb >> swb
		y[r] = s >> rsh << rwb >> rwb
	}
	r := 0
	for ; r+4 <= len(k.biases); r += 4 {
		w := k.um[r*in : (r+4)*in]
		var s0, s1, s2, s3 int64
		if k.ukind == rowShift {
			s0, s1, s2, s3 = dot4(w[:in], w[in:2*in], w[2*in:3*in], w[3*in:], x)
		} else {
			s0, s1, s2, s3 = dotShift4(w[:in], w[in:2*in], w[2*in:3*in], w[3*in:], x, k.uhalf, k.urshift)
		}
		out(r, s0)
		out(r+1, s1)
		out(r+2, s2)
		out(r+3, s3)
	}
	for ; r < len(k.biases); r++ {
		ws := k.um[r*in : (r+1)*in]
		if k.ukind == rowShift {
			out(r, dot(ws, x))
		} else {
			out(r, dotShift(ws, x, k.uhalf, k.urshift))
		}
	}
}

// dot4 returns the dot products of four weight rows with x.
func dot4(w0, w1, w2, w3, x []int64) (s0, s1, s2, s3 int64) {
	w0, w1, w2, w3 = w0[:len(x)], w1[:len(x)], w2[:len(x)], w3[:len(x)]
	for i, v := range x {
		s0 += w0[i] * v
		s1 += w1[i] * v
		s2 += w2[i] * v
		s3 += w3[i] * v
	}
	return
}

// dotShift4 is dotShift for four weight rows.
func dotShift4(w0, w1, w2, w3, x []int64, half int64, sh uint) (s0, s1, s2, s3 int64) {
	w0, w1, w2, w3 = w0[:len(x)], w1[:len(x)], w2[:len(x)], w3[:len(x)]
	sh &= 63
	if half == 0 {
		for i, v := range x {
			s0 += w0[i] * v >> sh
			s1 += w1[i] * v >> sh
			s2 += w2[i] * v >> sh
			s3 += w3[i] * v >> sh
		}
		return
	}
	for i, v := range x {
		s0 += (w0[i]*v + half) >> sh
		s1 += (w1[i]*v + half) >> sh
		s2 += (w2[i]*v + half) >> sh
		s3 += (w3[i]*v + half) >> sh
	}
	return
}

// productRange returns the smallest and largest products of the constant
// w with a value of format xf, as raw words of the product format.
func productRange(w int64, xf fixedpoint.Format) (lo, hi *big.Int) {
	bw := big.NewInt(w)
	lo = new(big.Int).Mul(bw, big.NewInt(xf.MinRaw()))
	hi = new(big.Int).Mul(bw, big.NewInt(xf.MaxRaw()))
	if lo.Cmp(hi) > 0 {
		lo, hi = hi, lo
	}
	return lo, hi
}

// run computes the op for one sample: x is its input, y its output.
func (k *denseKernel) run(_ *machine, x, y []int64, st *OpStats) {
	for p := range max(k.particles, 1) {
		xs := x[p*k.in : (p+1)*k.in]
		ys := y[p*k.units : (p+1)*k.units]
		switch {
		case st != nil:
			k.runStats(xs, ys, st)
		case k.uniform:
			k.runUniform(xs, ys)
		default:
			k.runFast(xs, ys)
		}
	}
}

// runFast computes one vector of outputs.
func (k *denseKernel) runFast(x, y []int64) {
	for r := range k.rows {
		row := &k.rows[r]
		ws := k.fw[row.start:row.end]
		s := row.bias
		switch row.kind {
		case rowShift:
			if row.contiguous {
				s += dot(ws, x)
			} else {
				cs := k.cols[row.start:row.end]
				for t, c := range cs {
					s += ws[t] * x[c]
				}
			}
		case rowRound:
			if row.contiguous {
				s += dotShift(ws, x, row.half, row.rshift)
			} else {
				cs := k.cols[row.start:row.end]
				for t, c := range cs {
					s += (ws[t]*x[c] + row.half) >> row.rshift
				}
			}
		case rowGeneric:
			for t := row.start; t < row.end; t++ {
				v, _ := k.casters[k.gc[t]].Cast(k.gw[t] * x[k.cols[t]])
				s += v
			}
		case rowWide:
			y[r] = k.runWide(r, x, nil)
			continue
		}
		if !row.sum.identity() {
			s = row.sum.cast(s)
		}
		if !row.res.identity() {
			s = row.res.cast(s)
		}
		y[r] = s
	}
}

// dot returns sum_i w[i]*x[i] over the len(w) first elements, in int64
// (whose wrapping addition is associative, so the order is free).
func dot(w, x []int64) int64 {
	x = x[:len(w)]
	var s0, s1, s2, s3 int64
	i := 0
	for ; i+4 <= len(w); i += 4 {
		ww, xx := w[i:i+4:i+4], x[i:i+4:i+4]
		s0 += ww[0] * xx[0]
		s1 += ww[1] * xx[1]
		s2 += ww[2] * xx[2]
		s3 += ww[3] * xx[3]
	}
	for ; i < len(w); i++ {
		s0 += w[i] * x[i]
	}
	return s0 + s1 + s2 + s3
}

// dotShift returns sum_i (w[i]*x[i] + half) >> sh: each product rounded
// (AP_TRN with half 0, AP_RND with half 2^(sh-1)) before it is added.
func dotShift(w, x []int64, half int64, sh uint) int64 {
	if half == 0 {
		return dotTrunc(w, x, sh)
	}
	x = x[:len(w)]
	sh &= 63 // tells the compiler the shift is in range
	var s0, s1, s2, s3 int64
	i := 0
	for ; i+4 <= len(w); i += 4 {
		ww, xx := w[i:i+4:i+4], x[i:i+4:i+4]
		s0 += (ww[0]*xx[0] + half) >> sh
		s1 += (ww[1]*xx[1] + half) >> sh
		s2 += (ww[2]*xx[2] + half) >> sh
		s3 += (ww[3]*xx[3] + half) >> sh
	}
	for ; i < len(w); i++ {
		s0 += (w[i]*x[i] + half) >> sh
	}
	return s0 + s1 + s2 + s3
}

// dotTrunc returns sum_i (w[i]*x[i]) >> sh: each product truncated.
func dotTrunc(w, x []int64, sh uint) int64 {
	x = x[:len(w)]
	sh &= 63
	var s0, s1, s2, s3 int64
	i := 0
	for ; i+4 <= len(w); i += 4 {
		ww, xx := w[i:i+4:i+4], x[i:i+4:i+4]
		s0 += ww[0] * xx[0] >> sh
		s1 += ww[1] * xx[1] >> sh
		s2 += ww[2] * xx[2] >> sh
		s3 += ww[3] * xx[3] >> sh
	}
	for ; i < len(w); i++ {
		s0 += w[i] * x[i] >> sh
	}
	return s0 + s1 + s2 + s3
}

// runStats computes one vector of outputs through the casters, counting.
func (k *denseKernel) runStats(x, y []int64, st *OpStats) {
	for r := range k.rows {
		row, cold := &k.rows[r], &k.cold[r]
		if row.kind == rowWide {
			y[r] = k.runWide(r, x, st)
			continue
		}
		s := row.bias
		if cold.hasBias {
			st.Accum.add(cold.biasSt)
		}
		for t := row.start; t < row.end; t++ {
			v, cs := k.casters[k.gc[t]].Cast(k.gw[t] * x[k.cols[t]])
			st.Accum.add(cs)
			s += v
		}
		st.Sum.add(cold.accum.Float(s))
		a, sa := cold.sumC.Cast(s)
		st.Accum.add(sa)
		out, so := cold.resC.Cast(a)
		st.Result.add(so)
		st.Value.add(cold.out.Float(out))
		y[r] = out
	}
}

// runWide computes row r, whose products or sum need more than 64 bits.
func (k *denseKernel) runWide(r int, x []int64, st *OpStats) int64 {
	row, cold := &k.rows[r], &k.cold[r]
	var acc wideSum
	acc.add(row.bias)
	if st != nil && cold.hasBias {
		st.Accum.add(cold.biasSt)
	}
	for t := row.start; t < row.end; t++ {
		v, cs := k.wide[t].cast(k.gw[t], x[k.cols[t]])
		if st != nil {
			st.Accum.add(cs)
		}
		acc.add(v)
	}
	a, sa := acc.cast(cold.accum)
	out, so := cold.resC.Cast(a)
	if st != nil {
		st.Sum.add(acc.float(cold.accum))
		st.Accum.add(sa)
		st.Result.add(so)
		st.Value.add(cold.out.Float(out))
	}
	return out
}

// wideSum is an exact sum of int64 words: 128-bit two's complement.
type wideSum struct {
	hi int64
	lo uint64
}

// add adds v to the sum.
func (s *wideSum) add(v int64) {
	lo := s.lo + uint64(v)
	carry := int64(0)
	if lo < s.lo {
		carry = 1
	}
	s.hi += carry + v>>63
	s.lo = lo
}

// big returns the sum as a big.Int.
func (s *wideSum) big() *big.Int {
	z := new(big.Int).SetInt64(s.hi)
	z.Lsh(z, 64)
	return z.Add(z, new(big.Int).SetUint64(s.lo))
}

// cast converts the sum, in units of f's least significant bit, into f.
func (s *wideSum) cast(f fixedpoint.Format) (int64, fixedpoint.Status) {
	if s.hi == int64(s.lo)>>63 {
		c := fixedpoint.NewCaster(f, f)
		return c.Cast(int64(s.lo))
	}
	src := fixedpoint.Format{Signed: f.Signed, Width: 128, Int: f.Int + 128 - f.Width}
	var v, r fixedpoint.Value
	v.SetBig(src, s.big())
	st := r.Cast(&v, f)
	raw, _ := r.RawInt64()
	return raw, st
}

// float returns the sum's value in units of f's least significant bit.
func (s *wideSum) float(f fixedpoint.Format) float64 {
	v, _ := new(big.Float).SetInt(s.big()).Float64()
	return math.Ldexp(v, -f.Frac())
}
