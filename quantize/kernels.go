package quantize

import (
	"math/big"

	"kd2fpga/fixedpoint"
	"kd2fpga/models"
)

// A kernel runs one compiled op on one sample: x is the op's input, y its
// output. st is nil unless statistics are requested.
type kernel interface {
	run(m *machine, x, y []int64, st *OpStats)
}

// compileOp returns the kernel of op, which reads a tensor like src.
func compileOp(p *Plan, op *Op, src Tensor) kernel {
	switch op.Kind {
	case OpDense, OpScale:
		return newDenseKernel(op, src)
	case OpReLU, OpLinear, OpLeakyReLU:
		return newElementKernel(op, src)
	case OpTable:
		return newTableKernel(op, src)
	case OpSoftmax:
		return newSoftmaxKernel(op, src)
	case OpPool:
		return newPoolKernel(p, op, src)
	case OpFlatten:
		return flattenKernel{}
	}
	panic("quantize: no kernel for op kind " + op.Kind.String())
}

// mulCaster casts the exact product of a value of format af and a value
// of format bf into dst: in int64 when the product fits, else through
// fixedpoint.Value.
type mulCaster struct {
	af, bf, dst fixedpoint.Format
	wide        bool
	c           fixedpoint.Caster
	fc          fastCast
}

// newMulCaster returns the mulCaster for raw operands in [aLo, aHi] and
// [bLo, bHi].
func newMulCaster(af, bf, dst fixedpoint.Format, aLo, aHi, bLo, bHi int64) mulCaster {
	m := mulCaster{af: af, bf: bf, dst: dst}
	pf := fixedpoint.MulFormat(af, bf)
	var lo, hi *big.Int
	for _, a := range []int64{aLo, aHi} {
		for _, b := range []int64{bLo, bHi} {
			p := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
			if lo == nil || p.Cmp(lo) < 0 {
				lo = p
			}
			if hi == nil || p.Cmp(hi) > 0 {
				hi = p
			}
		}
	}
	if pf.Validate() != nil || !lo.IsInt64() || !hi.IsInt64() {
		m.wide = true
		return m
	}
	m.c = fixedpoint.NewCaster(pf, dst)
	m.fc = newFastCast(pf, dst, lo.Int64(), hi.Int64())
	return m
}

// cast returns the product a*b cast to dst, and what the cast did.
func (m *mulCaster) cast(a, b int64) (int64, fixedpoint.Status) {
	if !m.wide {
		return m.c.Cast(a * b)
	}
	var x, y, r fixedpoint.Value
	x.SetRaw(m.af, a)
	y.SetRaw(m.bf, b)
	st := r.Cast(r.Mul(&x, &y), m.dst)
	raw, _ := r.RawInt64()
	return raw, st
}

// fast returns the product a*b cast to dst.
func (m *mulCaster) fast(a, b int64) int64 {
	if !m.wide {
		return m.fc.cast(a * b)
	}
	r, _ := m.cast(a, b)
	return r
}

// elementKernel runs ReLU, leaky ReLU and linear: each feature on its own.
type elementKernel struct {
	kind     OpKind
	features int
	pos      []fastCast // castR(x) for x >= 0 (all x for linear)
	posC     []fixedpoint.Caster
	neg      []mulCaster // leaky: castR(slope*x) for x < 0
	slope    int64
	out      []fixedpoint.Format
	relu     bool // a ReLU whose result formats are its input formats
}

func newElementKernel(op *Op, src Tensor) *elementKernel {
	n := src.Features()
	k := &elementKernel{kind: op.Kind, features: n, out: op.Out.Formats}
	for f, xf := range src.Formats {
		lo := xf.MinRaw()
		if op.Kind == OpReLU || op.Kind == OpLeakyReLU {
			lo = max(lo, 0)
		}
		k.pos = append(k.pos, newFastCast(xf, k.out[f], lo, xf.MaxRaw()))
		k.posC = append(k.posC, fixedpoint.NewCaster(xf, k.out[f]))
		if op.Kind == OpLeakyReLU {
			l := op.Leaky
			k.slope = l.Slope
			k.neg = append(k.neg, newMulCaster(l.SlopeFormat, xf, k.out[f], l.Slope, l.Slope, xf.MinRaw(), 0))
		}
	}
	k.relu = op.Kind == OpReLU
	for f := range k.pos {
		k.relu = k.relu && k.pos[f].identity()
	}
	return k
}

func (k *elementKernel) run(_ *machine, x, y []int64, st *OpStats) {
	for row := 0; row < len(x); row += k.features {
		xs, ys := x[row:row+k.features], y[row:row+k.features]
		if st != nil {
			k.runStats(xs, ys, st)
			continue
		}
		if k.relu {
			for f, v := range xs {
				ys[f] = max(v, 0)
			}
			continue
		}
		for f, v := range xs {
			switch {
			case v >= 0 || k.kind == OpLinear:
				ys[f] = k.pos[f].cast(v)
			case k.kind == OpReLU:
				ys[f] = k.pos[f].cast(0)
			default:
				ys[f] = k.neg[f].fast(k.slope, v)
			}
		}
	}
}

// runStats computes one row through the casters, counting.
func (k *elementKernel) runStats(x, y []int64, st *OpStats) {
	for f, v := range x {
		var r int64
		var s fixedpoint.Status
		switch {
		case v >= 0 || k.kind == OpLinear:
			r, s = k.posC[f].Cast(v)
		case k.kind == OpReLU:
			r, s = k.posC[f].Cast(0)
		default:
			r, s = k.neg[f].cast(k.slope, v)
		}
		st.Result.add(s)
		st.Value.add(k.out[f].Float(r))
		y[f] = r
	}
}

// tableKernel runs a sigmoid or tanh table.
type tableKernel struct {
	features int
	t        *TableOp
	idx      []fastCast // castIdx per feature
	idxC     []fixedpoint.Caster
	res      []fastCast // Entry -> result per feature
	resC     []fixedpoint.Caster
	out      []fixedpoint.Format
}

func newTableKernel(op *Op, src Tensor) *tableKernel {
	t := op.Table
	k := &tableKernel{features: src.Features(), t: t, out: op.Out.Formats}
	for f, xf := range src.Formats {
		k.idx = append(k.idx, newFastCast(xf, t.Index, xf.MinRaw(), xf.MaxRaw()))
		k.idxC = append(k.idxC, fixedpoint.NewCaster(xf, t.Index))
		k.res = append(k.res, newFastCast(t.Entry, k.out[f], t.Entry.MinRaw(), t.Entry.MaxRaw()))
		k.resC = append(k.resC, fixedpoint.NewCaster(t.Entry, k.out[f]))
	}
	return k
}

func (k *tableKernel) run(_ *machine, x, y []int64, st *OpStats) {
	base := k.t.Index.MinRaw()
	for row := 0; row < len(x); row += k.features {
		xs, ys := x[row:row+k.features], y[row:row+k.features]
		for f, v := range xs {
			if st == nil {
				ys[f] = k.res[f].cast(k.t.Entries[k.idx[f].cast(v)-base])
				continue
			}
			i, si := k.idxC[f].Cast(v)
			st.Index.add(si)
			r, sr := k.resC[f].Cast(k.t.Entries[i-base])
			st.Result.add(sr)
			st.Value.add(k.out[f].Float(r))
			ys[f] = r
		}
	}
}

// softmaxKernel runs a softmax over the features of each row.
type softmaxKernel struct {
	features int
	sm       *SoftmaxOp
	align    []uint // left shift bringing feature f to the difference's binary point
	expIdx   fastCast
	expIdxC  fixedpoint.Caster
	invIdx   fastCast
	invIdxC  fixedpoint.Caster
	res      []mulCaster // castR(e*r) per feature
	out      []fixedpoint.Format
}

func newSoftmaxKernel(op *Op, src Tensor) *softmaxKernel {
	sm := op.Softmax
	n := src.Features()
	d, s := sm.Diff, sm.Sum
	k := &softmaxKernel{features: n, sm: sm, out: op.Out.Formats,
		expIdx:  newFastCast(d, sm.Exp.Index, 0, d.MaxRaw()),
		expIdxC: fixedpoint.NewCaster(d, sm.Exp.Index),
		invIdx:  newFastCast(s, sm.Inv.Index, s.MinRaw(), s.MaxRaw()),
		invIdxC: fixedpoint.NewCaster(s, sm.Inv.Index),
	}
	e, r := sm.Exp.Entry, sm.Inv.Entry
	for f, xf := range src.Formats {
		k.align = append(k.align, uint(d.Frac()-xf.Frac()))
		k.res = append(k.res, newMulCaster(e, r, k.out[f], e.MinRaw(), e.MaxRaw(), r.MinRaw(), r.MaxRaw()))
	}
	return k
}

func (k *softmaxKernel) run(m *machine, x, y []int64, st *OpStats) {
	n := k.features
	ebase, ibase := k.sm.Exp.Index.MinRaw(), k.sm.Inv.Index.MinRaw()
	e := m.scratch[:n]
	for row := 0; row < len(x); row += n {
		xs, ys := x[row:row+n], y[row:row+n]

		// the largest input, at the common binary point.
		mx := xs[0] << k.align[0]
		for f, v := range xs {
			mx = max(mx, v<<k.align[f])
		}

		// e_f = exp(-(max - x_f)), and their exact sum.
		var sum int64
		for f, v := range xs {
			d := mx - v<<k.align[f]
			var i int64
			if st == nil {
				i = k.expIdx.cast(d)
			} else {
				var si fixedpoint.Status
				i, si = k.expIdxC.Cast(d)
				st.Index.add(si)
			}
			e[f] = k.sm.Exp.Entries[i-ebase]
			sum += e[f]
		}

		// r = 1/sum, y_f = castR(e_f * r).
		var i int64
		if st == nil {
			i = k.invIdx.cast(sum)
		} else {
			var si fixedpoint.Status
			i, si = k.invIdxC.Cast(sum)
			st.Index.add(si)
		}
		r := k.sm.Inv.Entries[i-ibase]
		for f := range ys {
			if st == nil {
				ys[f] = k.res[f].fast(e[f], r)
				continue
			}
			v, sr := k.res[f].cast(e[f], r)
			st.Result.add(sr)
			st.Value.add(k.out[f].Float(v))
			ys[f] = v
		}
	}
}

// flattenKernel copies: [P, F] and [P*F] have the same row-major words.
type flattenKernel struct{}

func (flattenKernel) run(_ *machine, x, y []int64, st *OpStats) {
	copy(y, x)
}

// poolKernel reduces a particle tensor over its real particles.
type poolKernel struct {
	op        models.PoolOp
	particles int
	features  int
	weightAt  int        // weighted sum: offset of the weight in a particle's input words
	inputF    int        // features of the plan input
	term      []fastCast // sum, mean: castA(x)
	termC     []fixedpoint.Caster
	wterm     []mulCaster // weighted sum: castA(w*x)
	sum       []fastCast  // castA(exact sum)
	sumC      []fixedpoint.Caster
	res       []fastCast // sum, weighted sum: castR(castA(S)); max: castR(x)
	resC      []fixedpoint.Caster
	mean      []mulCaster // mean: castR(castA(S) * Recip[n])
	recip     []int64
	accum     []fixedpoint.Format
	out       []fixedpoint.Format
}

func newPoolKernel(p *Plan, op *Op, src Tensor) *poolKernel {
	pl := op.Pool
	P := src.Particles()
	k := &poolKernel{op: pl.Op, particles: P, features: src.Features(), weightAt: pl.WeightFeature,
		inputF: p.Input.Features(), recip: pl.Recip, accum: pl.Accum, out: op.Out.Formats}
	for f, xf := range src.Formats {
		R := k.out[f]
		if pl.Op == models.PoolMax {
			k.res = append(k.res, newFastCast(xf, R, xf.MinRaw(), xf.MaxRaw()))
			k.resC = append(k.resC, fixedpoint.NewCaster(xf, R))
			continue
		}
		A := pl.Accum[f]
		var lo, hi int64 // the range of one term cast to A
		if pl.Op == models.PoolWeightedSum {
			wf := p.Input.Formats[pl.WeightFeature]
			k.wterm = append(k.wterm, newMulCaster(wf, xf, A, wf.MinRaw(), wf.MaxRaw(),
				xf.MinRaw(), xf.MaxRaw()))
			lo, hi = A.MinRaw(), A.MaxRaw()
		} else {
			c := fixedpoint.NewCaster(xf, A)
			k.termC = append(k.termC, c)
			k.term = append(k.term, newFastCast(xf, A, xf.MinRaw(), xf.MaxRaw()))
			// quantization is monotonic, wrapping is not: the casts of
			// the extremes bound the terms only when none overflows.
			lo, hi = A.MinRaw(), A.MaxRaw()
			if !c.CanOverflow() {
				lo, _ = c.Cast(xf.MinRaw())
				hi, _ = c.Cast(xf.MaxRaw())
			}
		}
		// the exact sum of P terms; sizeAccumulators and Verify keep
		// P * |A| within int64 (see poolSumFits).
		k.sum = append(k.sum, newFastCast(A, A, lo*int64(P), hi*int64(P)))
		k.sumC = append(k.sumC, fixedpoint.NewCaster(A, A))
		if pl.Op == models.PoolMean {
			rf := pl.RecipFormat
			k.mean = append(k.mean, newMulCaster(A, rf, R, A.MinRaw(), A.MaxRaw(), 0, rf.MaxRaw()))
		} else {
			k.res = append(k.res, newFastCast(A, R, A.MinRaw(), A.MaxRaw()))
			k.resC = append(k.resC, fixedpoint.NewCaster(A, R))
		}
	}
	return k
}

func (k *poolKernel) run(m *machine, x, y []int64, st *OpStats) {
	F := k.features
	n := 0
	for _, real := range m.mask {
		if real {
			n++
		}
	}
	for f := range F {
		var v int64
		if k.op == models.PoolMax {
			first := true
			for p, real := range m.mask {
				if real && (first || x[p*F+f] > v) {
					v, first = x[p*F+f], false
				}
			}
			if st == nil {
				y[f] = k.res[f].cast(v)
				continue
			}
			r, sr := k.resC[f].Cast(v)
			st.Result.add(sr)
			st.Value.add(k.out[f].Float(r))
			y[f] = r
			continue
		}

		// the exact sum of the terms cast to the accumulator.
		var s int64
		for p, real := range m.mask {
			if !real {
				continue
			}
			var t int64
			var ts fixedpoint.Status
			switch {
			case k.op == models.PoolWeightedSum && st == nil:
				t = k.wterm[f].fast(m.input[p*k.inputF+k.weightAt], x[p*F+f])
			case k.op == models.PoolWeightedSum:
				t, ts = k.wterm[f].cast(m.input[p*k.inputF+k.weightAt], x[p*F+f])
			case st == nil:
				t = k.term[f].cast(x[p*F+f])
			default:
				t, ts = k.termC[f].Cast(x[p*F+f])
			}
			if st != nil {
				st.Accum.add(ts)
			}
			s += t
		}
		var a int64
		if st == nil {
			a = k.sum[f].cast(s)
		} else {
			var sa fixedpoint.Status
			st.Sum.add(k.accum[f].Float(s))
			a, sa = k.sumC[f].Cast(s)
			st.Accum.add(sa)
		}

		// the result: castR(a), or castR(a * Recip[n]) for a mean.
		var r int64
		var sr fixedpoint.Status
		switch {
		case k.op == models.PoolMean && st == nil:
			r = k.mean[f].fast(a, k.recip[n])
		case k.op == models.PoolMean:
			r, sr = k.mean[f].cast(a, k.recip[n])
		case st == nil:
			r = k.res[f].cast(a)
		default:
			r, sr = k.resC[f].Cast(a)
		}
		if st != nil {
			st.Result.add(sr)
			st.Value.add(k.out[f].Float(r))
		}
		y[f] = r
	}
}
