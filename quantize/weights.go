package quantize

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"kd2fpga/fixedpoint"
	"kd2fpga/models"
)

// maxValueProblems bounds the out-of-range constants reported per layer.
const maxValueProblems = 5

// quantizeWeights casts every float constant to its format with the
// format's quantization mode: dense weights and biases, batch-norm scales
// and offsets, leaky ReLU slopes. A pruned element (Width 0) is 0. A
// constant that overflows its format (after rounding) is a problem: the
// model was not trained for that format.
func quantizeWeights(b *builder) error {
	var ps problems
	for k, op := range b.p.Ops {
		s := b.src[k]
		l := s.layer
		var bad []string
		// what names the constant, and is only called for a bad one
		cast := func(what func() string, x float64, f fixedpoint.Format) int64 {
			if f.Width == 0 {
				return 0
			}
			raw, st := f.Quantize(x)
			if math.IsNaN(x) || math.IsInf(x, 0) || st.Overflowed() {
				bad = append(bad, fmt.Sprintf("%s = %s does not fit %v (range [%s, %s])",
					what(), short(x), f, short(f.Min()), short(f.Max())))
			}
			return raw
		}

		switch op.Kind {
		case OpDense, OpScale:
			d := op.Dense
			wname, bname := "weight", "bias"
			if op.Kind == OpScale {
				wname, bname = "scale", "offset"
			}
			for j, row := range s.w {
				for i, x := range row {
					what := func() string {
						if op.Kind == OpScale {
							return fmt.Sprintf("%s [%d]", wname, j)
						}
						return fmt.Sprintf("%s [%d][%d]", wname, j, i)
					}
					d.W[j][i] = cast(what, x, d.WFormat[j][i])
				}
			}
			for j, x := range s.b {
				d.B[j] = cast(func() string { return fmt.Sprintf("%s [%d]", bname, j) }, x, d.BFormat[j])
			}
		case OpLeakyReLU:
			op.Leaky.Slope = cast(func() string { return "slope" }, l.Slope, op.Leaky.SlopeFormat)
		}

		if len(bad) > 0 {
			suffix := ""
			if len(op.Folded) > 0 {
				suffix = fmt.Sprintf(" (after folding batch norm %s)", quoteAll(op.Folded))
			}
			for _, msg := range bad[:min(len(bad), maxValueProblems)] {
				ps.add(l.Pos, l.Name, "%s%s", msg, suffix)
			}
			if len(bad) > maxValueProblems {
				ps.add(l.Pos, l.Name, "and %d more constants out of range", len(bad)-maxValueProblems)
			}
		}
	}
	return ps.err()
}

// sizeAccumulators gives every automatic accumulator the narrowest signed
// format that holds its exact sum for every possible input: the fractional
// bits of its finest term (so that casting a term to it is exact) and the
// integer bits of the bound |b| + sum_i |w_i|*max|x_i| over the nonzero
// terms. A bound past 64 bits is a problem.
func sizeAccumulators(b *builder) error {
	var ps problems
	p := b.p
	for k, op := range p.Ops {
		l := b.src[k].layer
		src := p.Input
		if op.In >= 0 {
			src = p.Ops[op.In].Out
		}
		auto := func(f fixedpoint.Format) bool { return f.Width == 0 }
		tooWide, widest := 0, 0
		size := func(terms []term) fixedpoint.Format {
			f, ok := accumFor(terms)
			if !ok {
				tooWide++
				widest = max(widest, f.Width)
				return DefaultFormat
			}
			return f
		}

		switch {
		case op.Dense != nil:
			d := op.Dense
			for j := range d.Accum {
				if !auto(d.Accum[j]) {
					continue
				}
				var terms []term
				for i, w := range d.W[j] {
					x := i
					if op.Kind == OpScale {
						x = j
					}
					if w != 0 {
						terms = append(terms, term{magnitude(w), d.WFormat[j][i], src.Formats[x], 1})
					}
				}
				if d.B != nil && d.B[j] != 0 {
					terms = append(terms, term{magnitude(d.B[j]), d.BFormat[j], fixedpoint.Format{}, 1})
				}
				d.Accum[j] = size(terms)
			}

		case op.Pool != nil && op.Pool.Accum != nil:
			pl := op.Pool
			n := int64(src.Particles())
			for f := range pl.Accum {
				if !auto(pl.Accum[f]) {
					continue
				}
				t := term{1, fixedpoint.Format{}, src.Formats[f], n}
				if pl.Op == models.PoolWeightedSum {
					wf := p.Input.Formats[pl.WeightFeature]
					t.w, t.wf = maxAbsRaw(wf), wf
				}
				pl.Accum[f] = size([]term{t})
			}
			if tooWide > 0 {
				break
			}
			// the emulator sums the particles in an int64.
			for f, a := range pl.Accum {
				bound := new(big.Int).SetUint64(maxAbsRaw(a))
				if bound.Mul(bound, big.NewInt(n)).BitLen() > 63 {
					ps.add(l.Pos, l.Name, "accumulator %v of feature %d cannot sum %d particles in 64 bits",
						a, f, n)
					break
				}
			}
		}
		if tooWide > 0 {
			ps.add(l.Pos, l.Name, "an exact accumulator needs up to %d bits (%d of %d outputs),"+
				" more than %d; declare an accum precision", widest, tooWide, op.Out.Features(),
				fixedpoint.MaxWidth)
		}
	}
	return ps.err()
}

// term is count addends w*x of a sum, a constant of magnitude w (raw, in
// wf) times any value of format xf; a zero xf stands for the constant 1
// (a bias), a zero wf for the constant 1 (a plain sum).
type term struct {
	w      uint64
	wf, xf fixedpoint.Format
	count  int64
}

// accumFor returns the exact accumulator format of a sum of terms, and
// false when it would be wider than fixedpoint.MaxWidth.
func accumFor(terms []term) (fixedpoint.Format, bool) {
	frac := 0
	for k, t := range terms {
		if f := t.wf.Frac() + t.xf.Frac(); k == 0 || f > frac {
			frac = f
		}
	}
	bound := new(big.Int)
	for _, t := range terms {
		v := new(big.Int).SetUint64(t.w)
		if t.xf.Width > 0 {
			v.Mul(v, new(big.Int).SetUint64(maxAbsRaw(t.xf)))
		}
		v.Mul(v, big.NewInt(t.count))
		bound.Add(bound, v.Lsh(v, uint(frac-t.wf.Frac()-t.xf.Frac())))
	}
	w := max(bound.BitLen()+1, 2)
	f := fixedpoint.Fixed(w, w-frac)
	return f, w <= fixedpoint.MaxWidth
}

// maxAbsRaw returns the largest magnitude of a raw word of format f.
func maxAbsRaw(f fixedpoint.Format) uint64 {
	if f.Signed {
		return magnitude(f.MinRaw())
	}
	return uint64(f.MaxRaw())
}

// magnitude returns |x|, exact also for math.MinInt64.
func magnitude(x int64) uint64 {
	if x < 0 {
		return -uint64(x)
	}
	return uint64(x)
}

// short formats x with three significant digits, as in messages.
func short(x float64) string {
	return strconv.FormatFloat(x, 'g', 3, 64)
}

// quoteAll quotes names and joins them with commas.
func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}
