package quantize

import (
	"fmt"

	"kd2fpga/fixedpoint"
	"kd2fpga/models"
)

// This file holds a slow, obviously-right emulator: it follows the
// definitions of docs/numerics.md one scalar at a time, with every
// intermediate an exact fixedpoint.Value and every cast Value.Cast. It
// shares no code with the fast emulator but the plan itself.

// val returns a new Value of format f holding raw.
func val(f fixedpoint.Format, raw int64) *fixedpoint.Value {
	return new(fixedpoint.Value).SetRaw(f, raw)
}

// castTo casts v into f and returns the raw word and the status.
func castTo(v *fixedpoint.Value, f fixedpoint.Format) (int64, fixedpoint.Status) {
	var r fixedpoint.Value
	st := r.Cast(v, f)
	raw, ok := r.RawInt64()
	if !ok {
		panic("reference: cast result does not fit an int64")
	}
	return raw, st
}

// exactSum adds values exactly.
func exactSum(vs []*fixedpoint.Value, zero fixedpoint.Format) *fixedpoint.Value {
	s := val(zero, 0)
	for _, v := range vs {
		s = new(fixedpoint.Value).Add(s, v)
	}
	return s
}

// refRun computes the plan's output for the raw input in, and counts the
// casts per op into st (which must have one entry per op).
func refRun(p *Plan, in []int64, st []OpStats) []int64 {
	outs := refTrace(p, in, st)
	return outs[len(outs)-1]
}

// refOp computes one op.
func refOp(p *Plan, op *Op, src Tensor, x, in []int64, real []bool, st *OpStats) []int64 {
	R := op.Out.Formats
	nf := src.Features()
	y := make([]int64, op.Out.Len())
	result := func(v *fixedpoint.Value, f fixedpoint.Format) int64 {
		r, s := castTo(v, f)
		st.Result.add(s)
		st.Value.add(f.Float(r))
		return r
	}

	switch op.Kind {
	case OpDense, OpScale:
		// y_j = castR(castA(sum_i castA(w_ji*x_i) + castA(b_j)))
		d := op.Dense
		for row := range max(src.Particles(), 1) {
			xs := x[row*nf : (row+1)*nf]
			for j := range d.Units {
				A := d.Accum[j]
				var terms []*fixedpoint.Value
				for i, w := range d.W[j] {
					if w == 0 {
						continue
					}
					col := i
					if op.Kind == OpScale {
						col = j
					}
					prod := new(fixedpoint.Value).Mul(val(d.WFormat[j][i], w), val(src.Formats[col], xs[col]))
					t, s := castTo(prod, A)
					st.Accum.add(s)
					terms = append(terms, val(A, t))
				}
				if d.B != nil && d.BFormat[j].Width > 0 {
					b, s := castTo(val(d.BFormat[j], d.B[j]), A)
					st.Accum.add(s)
					terms = append(terms, val(A, b))
				}
				sum := exactSum(terms, A)
				st.Sum.add(sum.Float64())
				a, s := castTo(sum, A)
				st.Accum.add(s)
				y[row*d.Units+j] = result(val(A, a), R[j])
			}
		}

	case OpReLU, OpLinear, OpLeakyReLU:
		for e, v := range x {
			f := e % nf
			xv := val(src.Formats[f], v)
			switch {
			case op.Kind == OpReLU && v < 0:
				y[e] = result(val(src.Formats[f], 0), R[f])
			case op.Kind == OpLeakyReLU && v < 0:
				l := op.Leaky
				y[e] = result(new(fixedpoint.Value).Mul(val(l.SlopeFormat, l.Slope), xv), R[f])
			default:
				y[e] = result(xv, R[f])
			}
		}

	case OpTable:
		t := op.Table
		for e, v := range x {
			f := e % nf
			i, s := castTo(val(src.Formats[f], v), t.Index)
			st.Index.add(s)
			y[e] = result(val(t.Entry, t.Entries[i-t.Index.MinRaw()]), R[f])
		}

	case OpSoftmax:
		sm := op.Softmax
		D, S := sm.Diff, sm.Sum
		for row := range max(src.Particles(), 1) {
			xs := make([]*fixedpoint.Value, nf)
			for f := range nf {
				xs[f] = val(src.Formats[f], x[row*nf+f])
			}
			m := xs[0]
			for _, v := range xs {
				if v.Cmp(m) > 0 {
					m = v
				}
			}
			es := make([]*fixedpoint.Value, nf)
			for f := range nf {
				d, s := castTo(new(fixedpoint.Value).Sub(m, xs[f]), D)
				if s != 0 {
					panic(fmt.Sprintf("reference: max - x does not fit %v", D))
				}
				i, s := castTo(val(D, d), sm.Exp.Index)
				st.Index.add(s)
				es[f] = val(sm.Exp.Entry, sm.Exp.Entries[i-sm.Exp.Index.MinRaw()])
			}
			sum, s := castTo(exactSum(es, sm.Exp.Entry), S)
			if s != 0 {
				panic("reference: softmax sum does not fit its format")
			}
			i, s := castTo(val(S, sum), sm.Inv.Index)
			st.Index.add(s)
			r := val(sm.Inv.Entry, sm.Inv.Entries[i-sm.Inv.Index.MinRaw()])
			for f := range nf {
				y[row*nf+f] = result(new(fixedpoint.Value).Mul(es[f], r), R[f])
			}
		}

	case OpPool:
		pl := op.Pool
		n := 0
		for _, r := range real {
			if r {
				n++
			}
		}
		for f := range nf {
			xf := src.Formats[f]
			if pl.Op == models.PoolMax {
				m := val(xf, 0)
				first := true
				for q, r := range real {
					if v := val(xf, x[q*nf+f]); r && (first || v.Cmp(m) > 0) {
						m, first = v, false
					}
				}
				y[f] = result(m, R[f])
				continue
			}
			A := pl.Accum[f]
			var terms []*fixedpoint.Value
			for q, r := range real {
				if !r {
					continue
				}
				v := val(xf, x[q*nf+f])
				if pl.Op == models.PoolWeightedSum {
					wf := p.Input.Formats[pl.WeightFeature]
					w := val(wf, in[q*p.Input.Features()+pl.WeightFeature])
					v = new(fixedpoint.Value).Mul(w, v)
				}
				t, s := castTo(v, A)
				st.Accum.add(s)
				terms = append(terms, val(A, t))
			}
			sum := exactSum(terms, A)
			st.Sum.add(sum.Float64())
			a, s := castTo(sum, A)
			st.Accum.add(s)
			if pl.Op == models.PoolMean {
				y[f] = result(new(fixedpoint.Value).Mul(val(A, a), val(pl.RecipFormat, pl.Recip[n])), R[f])
			} else {
				y[f] = result(val(A, a), R[f])
			}
		}

	case OpFlatten:
		copy(y, x)
	}
	return y
}
