package quantize

import (
	"fmt"
	"math/bits"

	"github.com/hashicorp/hcl/v2"

	"kd2fpga/fixedpoint"
	"kd2fpga/models"
)

// DefaultFormat is the precision of a weight, bias, result or input that
// neither its layer nor the model declares: hls4ml's default.
var DefaultFormat = fixedpoint.Fixed(16, 6)

// ExactIndexBits is the widest table input that indexes its table with
// every bit: such a table holds an entry for each representable input,
// so the lookup is the function itself rounded once. A wider input is
// first cast to a narrower index format (see docs/numerics.md).
const ExactIndexBits = 10

// MaxIndexBits bounds a table index format (1<<16 entries).
const MaxIndexBits = 16

// The default index formats of tables whose input is wider than
// ExactIndexBits. They round to nearest and saturate, so an input beyond
// the table's range reads its first or last entry.
var (
	SigmoidIndex = fixedpoint.Format{Signed: true, Width: 10, Int: 4,
		Quant: fixedpoint.RndConv, Overflow: fixedpoint.Sat} // [-8, 8), step 1/64
	TanhIndex = fixedpoint.Format{Signed: true, Width: 10, Int: 3,
		Quant: fixedpoint.RndConv, Overflow: fixedpoint.Sat} // [-4, 4), step 1/128
	// ExpIndex indexes softmax's exp(-d) table, d = max - x >= 0, when
	// d's format is wider: [0, 16), step 1/64. Its integer bits shrink
	// to those of d when d needs fewer than 4.
	ExpIndex = fixedpoint.Format{Width: 10, Int: 4,
		Quant: fixedpoint.RndConv, Overflow: fixedpoint.Sat}
)

// The default entry formats of softmax's tables and of the reciprocals
// of mean pooling. Entries are computed in float64 and rounded to nearest
// (ties to even) into them.
var (
	ExpEntry   = fixedpoint.Format{Width: 18, Int: 1, Quant: fixedpoint.RndConv, Overflow: fixedpoint.Sat}
	InvEntry   = fixedpoint.Format{Width: 18, Int: 1, Quant: fixedpoint.RndConv, Overflow: fixedpoint.Sat}
	RecipEntry = fixedpoint.Format{Width: 18, Int: 1, Quant: fixedpoint.RndConv, Overflow: fixedpoint.Sat}
)

// slopeBits is the width of a leaky ReLU's slope when no precision is
// declared; its integer bits are the fewest that hold the slope.
const slopeBits = 18

// assignFormats gives every tensor, weight, bias and table its format,
// resolving each precision as layer, then model, then DefaultFormat.
// Automatic accumulators are left for sizeAccumulators.
func assignFormats(b *builder) error {
	var ps problems
	p, m := b.p, b.m

	in := first(m.Input.Type, m.Precision.Result, defaultSpec)
	p.Input.Formats = b.formats(&ps, in, p.Input.Features(), "type",
		fmt.Sprintf("input %q", m.Input.Name), m.Input.Pos)

	for k, op := range p.Ops {
		l := b.src[k].layer
		src := p.Input
		if op.In >= 0 {
			src = p.Ops[op.In].Out
		}
		pr := resolve(l.Precision, m.Precision)
		elems := func(s models.Spec, n int, what string) []fixedpoint.Format {
			return b.formats(&ps, s, n, what, fmt.Sprintf("layer %q", l.Name), l.Pos)
		}
		nout := op.Out.Features()

		switch op.Kind {
		case OpDense, OpScale:
			d := op.Dense
			cols := len(d.W[0])
			w := elems(pr.Weight, d.Units*cols, "weight")
			for j := range d.WFormat {
				copy(d.WFormat[j], w[j*cols:])
			}
			if d.B != nil {
				copy(d.BFormat, elems(pr.Bias, d.Units, "bias"))
			}
			if a := pr.Accum; !a.Auto {
				copy(d.Accum, elems(a, d.Units, "accum"))
			}
			copy(op.Out.Formats, elems(pr.Result, nout, "result"))

		case OpReLU, OpLinear:
			copy(op.Out.Formats, elems(pr.Result, nout, "result"))

		case OpLeakyReLU:
			copy(op.Out.Formats, elems(pr.Result, nout, "result"))
			if s := pr.Slope; s.Set {
				op.Leaky.SlopeFormat = elems(s, 1, "slope")[0]
			} else {
				op.Leaky.SlopeFormat = slopeFormat(l.Slope)
			}

		case OpTable:
			copy(op.Out.Formats, elems(pr.Result, nout, "result"))
			def := SigmoidIndex
			if op.Activate == models.Tanh {
				def = TanhIndex
			}
			t := op.Table
			t.Index = tableIndex(&ps, l, cover(src.Formats), def, pr.TableIndex)
			t.Entry = cover(op.Out.Formats)
			if s := pr.Table; s.Set {
				t.Entry = elems(s, 1, "table")[0]
			} else if err := t.Entry.Validate(); err != nil {
				ps.add(l.Pos, l.Name, "the result formats are too far apart to share one table"+
					" (%v); declare a table precision", err)
			}

		case OpSoftmax:
			copy(op.Out.Formats, elems(pr.Result, nout, "result"))
			sm := op.Softmax
			d := diffFormat(src.Formats)
			if d.Width > fixedpoint.MaxWidth-1 {
				ps.add(l.Pos, l.Name, "input formats too far apart for max - x to fit 63 bits")
				continue
			}
			def := ExpIndex
			def.Int = min(def.Int, d.Int)
			sm.Diff = d
			sm.Exp.Index = tableIndex(&ps, l, d, def, pr.TableIndex)
			sm.Exp.Entry, sm.Inv.Entry = ExpEntry, InvEntry
			if s := pr.Table; s.Set {
				sm.Exp.Entry = elems(s, 1, "table")[0]
				sm.Inv.Entry = sm.Exp.Entry
			}
			n := src.Features()
			s := sumFormat(sm.Exp.Entry, n)
			if err := s.Validate(); err != nil {
				ps.add(l.Pos, l.Name, "the sum of %d entries of %v is too wide: %v", n, sm.Exp.Entry, err)
				continue
			}
			sm.Sum = s
			invDef := fixedpoint.Format{Width: ExactIndexBits, Int: bits.Len(uint(n)),
				Quant: fixedpoint.RndConv, Overflow: fixedpoint.Sat}
			sm.Inv.Index = tableIndex(&ps, l, s, invDef, models.Spec{})

		case OpPool:
			copy(op.Out.Formats, elems(pr.Result, nout, "result"))
			pl := op.Pool
			if pl.Op == models.PoolWeightedSum && (pl.WeightFeature < 0 ||
				pl.WeightFeature >= p.Input.Features() || p.Input.Particles() == 0) {
				ps.add(l.Pos, l.Name, "weight feature %d is not a feature of the particle input",
					pl.WeightFeature)
			}
			if pl.Accum != nil {
				if a := pr.Accum; !a.Auto {
					copy(pl.Accum, elems(a, nout, "accum"))
				}
			}
			if pl.Op == models.PoolMean {
				pl.RecipFormat = RecipEntry
				if l.Precision.Table.Set {
					pl.RecipFormat = elems(l.Precision.Table, 1, "table")[0]
				}
			}

		case OpFlatten:
			for k := range op.Out.Formats {
				op.Out.Formats[k] = src.Formats[k%src.Features()]
			}
		}
	}
	return ps.err()
}

// defaultSpec is the precision of what neither a layer nor the model
// declares: weights, biases, results and the input.
var defaultSpec = models.Spec{Set: true, Format: DefaultFormat}

// resolve returns a layer's precision with what it leaves unset taken
// from the model's, and from the defaults: DefaultFormat for weights,
// biases and results, auto for accumulators. Tables, their indexes and
// slopes stay unset when neither declares them; their defaults depend on
// the op (see assignFormats).
func resolve(layer, model models.Precision) models.Precision {
	return models.Precision{
		Weight:     first(layer.Weight, model.Weight, defaultSpec),
		Bias:       first(layer.Bias, model.Bias, defaultSpec),
		Result:     first(layer.Result, model.Result, defaultSpec),
		Accum:      first(layer.Accum, model.Accum, models.Spec{Set: true, Auto: true}),
		Table:      first(layer.Table, model.Table),
		TableIndex: first(layer.TableIndex, model.TableIndex),
		Slope:      first(layer.Slope, model.Slope),
	}
}

// first returns the first spec that is set, or an unset one.
func first(specs ...models.Spec) models.Spec {
	for _, s := range specs {
		if s.Set {
			return s
		}
	}
	return models.Spec{}
}

// formats expands the spec s to n element formats, checking each. A pruned
// element (Width 0) is allowed for weights and biases only. On a problem it records it
// and returns valid placeholders, so later passes need no special cases.
func (b *builder) formats(ps *problems, s models.Spec, n int, what, subject string,
	pos hcl.Range) []fixedpoint.Format {

	if s.Pos.Filename != "" {
		pos = s.Pos
	}
	out := make([]fixedpoint.Format, n)
	if s.Auto {
		ps.addAt(pos, subject, "%s cannot be auto (only accum can)", what)
		return fill(out, DefaultFormat)
	}
	if s.Elems != nil && len(s.Elems) != n {
		ps.addAt(pos, subject, "%s has %d formats for %d elements", what, len(s.Elems), n)
		return fill(out, DefaultFormat)
	}
	for k := range out {
		f := s.Format
		if s.Elems != nil {
			f = s.Elems[k]
		}
		if f.Width == 0 && (what == "weight" || what == "bias") && s.Elems != nil {
			out[k] = f
			continue
		}
		if err := f.Validate(); err != nil {
			ps.addAt(pos, subject, "%s: %v", what, err)
			return fill(out, DefaultFormat)
		}
		out[k] = f
	}
	return out
}

// fill sets every element of fs to f and returns fs.
func fill(fs []fixedpoint.Format, f fixedpoint.Format) []fixedpoint.Format {
	for k := range fs {
		fs[k] = f
	}
	return fs
}

// tableIndex picks the index format of a table whose input has the format
// in: the declared table_index precision, else in itself when it is narrow
// enough to index every value, else def.
func tableIndex(ps *problems, l *models.Layer, in, def fixedpoint.Format,
	override models.Spec) fixedpoint.Format {

	switch {
	case override.Set && (override.Auto || override.Elems != nil):
		ps.add(l.Pos, l.Name, "table_index must be one format")
	case override.Set && override.Format.Width > MaxIndexBits:
		ps.add(l.Pos, l.Name, "table_index %v is wider than %d bits", override.Format, MaxIndexBits)
	case override.Set:
		return override.Format
	case in.Width <= ExactIndexBits:
		return in
	}
	return def
}

// cover returns the narrowest format that holds every value of every
// format in fs: the most fractional bits, and enough integer bits (one
// more for an unsigned format when any is signed). Its modes are those
// of fs[0]; casting any fs[k] to it is exact.
func cover(fs []fixedpoint.Format) fixedpoint.Format {
	c := fs[0]
	for _, f := range fs {
		c.Signed = c.Signed || f.Signed
	}
	frac, in := c.Frac(), c.Int
	for _, f := range fs {
		frac = max(frac, f.Frac())
		i := f.Int
		if c.Signed && !f.Signed {
			i++
		}
		in = max(in, i)
	}
	c.Int, c.Width = in, in+frac
	return c
}

// diffFormat returns the unsigned format of d = max_j x_j - x_i for inputs
// of the formats fs: the most fractional bits and the fewest integer bits
// that hold the widest possible difference exactly. For one format
// ap_fixed<W,I> (or ap_ufixed<W,I>) it is ap_ufixed<W,I>.
func diffFormat(fs []fixedpoint.Format) fixedpoint.Format {
	frac := 0
	for _, f := range fs {
		frac = max(frac, f.Frac())
	}
	// the difference bound in units of 2^-frac; formats wider than 62
	// bits after alignment are refused by the caller via Width.
	var hi, lo int64
	for k, f := range fs {
		sh := frac - f.Frac()
		if sh > 62 || f.Width+sh > 62 {
			return fixedpoint.UFixed(fixedpoint.MaxWidth, fixedpoint.MaxWidth-frac)
		}
		mx, mn := f.MaxRaw()<<sh, f.MinRaw()<<sh
		if k == 0 || mx > hi {
			hi = mx
		}
		if k == 0 || mn < lo {
			lo = mn
		}
	}
	w := max(bits.Len64(uint64(hi-lo)), 1)
	return fixedpoint.UFixed(w, w-frac)
}

// sumFormat returns the format that holds the exact sum of n values of
// format f: bits.Len(n) more integer bits.
func sumFormat(f fixedpoint.Format, n int) fixedpoint.Format {
	g := bits.Len(uint(n))
	f.Width += g
	f.Int += g
	return f
}

// slopeFormat returns the default format of a leaky ReLU slope: slopeBits
// wide, rounding to nearest, with the fewest integer bits that hold it.
func slopeFormat(slope float64) fixedpoint.Format {
	f := fixedpoint.Format{Signed: true, Width: slopeBits, Int: 1,
		Quant: fixedpoint.RndConv, Overflow: fixedpoint.Sat}
	if slope == 0 {
		return f
	}
	for i := -2 * slopeBits; i < 64; i++ {
		f.Int = i
		if _, st := f.Quantize(slope); !st.Overflowed() {
			break
		}
	}
	return f
}
