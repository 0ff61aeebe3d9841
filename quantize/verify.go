package quantize

import (
	"errors"
	"fmt"

	"kd2fpga/fixedpoint"
	"kd2fpga/models"
)

// stage is a set of the parts of a plan that a pass has established.
type stage uint8

const (
	stShapes  stage = 1 << iota // ops, inputs, shapes, allocated constants
	stFormats                   // every format except automatic accumulators
	stWeights                   // raw weights, biases, slopes
	stAccums                    // every accumulator format
	stTables                    // table entries and reciprocals

	stComplete = stShapes | stFormats | stWeights | stAccums | stTables
)

// Verify checks the invariants of a complete plan: shapes, op inputs,
// formats (valid, at most 64 bits), constants within their formats, table
// sizes. A plan from Build always passes; Verify is for plans made or
// changed by other code, and for tests.
func Verify(p *Plan) error { return verify(p, stComplete) }

// verifier collects the problems verify finds.
type verifier struct {
	done stage
	errs []error
}

// verify checks the parts of p that done says are established.
func verify(p *Plan, done stage) error {
	if p == nil || len(p.Ops) == 0 {
		return errors.New("plan has no ops")
	}
	v := &verifier{done: done}
	v.tensor(nil, p.Input)
	for k, op := range p.Ops {
		if op.In < -1 || op.In >= k {
			v.bad(op, "input %d is not the plan input or an earlier op", op.In)
			continue
		}
		src := p.Input
		if op.In >= 0 {
			src = p.Ops[op.In].Out
		}
		v.tensor(op, op.Out)
		if len(v.errs) == 0 {
			v.op(op, src)
		}
	}
	return errors.Join(v.errs...)
}

// bad records a problem of op (nil: the plan input).
func (v *verifier) bad(op *Op, format string, args ...any) {
	where := "input"
	if op != nil {
		where = fmt.Sprintf("op %q", op.Name)
	}
	v.errs = append(v.errs, fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...)))
}

// format checks that f is a valid format.
func (v *verifier) format(op *Op, what string, f fixedpoint.Format) {
	if err := f.Validate(); err != nil {
		v.bad(op, "%s format %v: %v", what, f, err)
	}
}

// raw checks that a raw word lies in the range of its format.
func (v *verifier) raw(op *Op, what string, raw int64, f fixedpoint.Format) {
	if raw < f.MinRaw() || raw > f.MaxRaw() {
		v.bad(op, "%s raw %d outside %v", what, raw, f)
	}
}

// tensor checks a tensor's shape and formats.
func (v *verifier) tensor(op *Op, t Tensor) {
	if len(t.Shape) < 1 || len(t.Shape) > 2 || t.Len() <= 0 {
		v.bad(op, "shape %v is not [F] or [P, F]", t.Shape)
		return
	}
	if len(t.Formats) != t.Features() {
		v.bad(op, "%d formats for %d features", len(t.Formats), t.Features())
		return
	}
	if v.done&stFormats != 0 {
		for _, f := range t.Formats {
			v.format(op, "value", f)
		}
	}
}

// op checks one op reading src.
func (v *verifier) op(op *Op, src Tensor) {
	done := v.done
	if op.Kind < OpDense || op.Kind > OpFlatten {
		v.bad(op, "unknown kind %v", op.Kind)
		return
	}

	// exactly the part matching the kind is set.
	parts := map[OpKind]bool{
		OpDense: op.Dense != nil, OpScale: op.Dense != nil, OpLeakyReLU: op.Leaky != nil,
		OpTable: op.Table != nil, OpSoftmax: op.Softmax != nil, OpPool: op.Pool != nil,
	}
	set := 0
	for _, has := range []bool{op.Dense != nil, op.Leaky != nil, op.Table != nil,
		op.Softmax != nil, op.Pool != nil} {
		if has {
			set++
		}
	}
	if want, ok := parts[op.Kind]; ok && !want || set > 1 || !ok && set > 0 {
		v.bad(op, "the parts set do not match kind %v", op.Kind)
		return
	}

	// shapes.
	wantShape := func(features int) {
		if src.Particles() != op.Out.Particles() || op.Out.Features() != features {
			v.bad(op, "output shape %v does not follow from input %v", op.Out.Shape, src.Shape)
		}
	}
	switch op.Kind {
	case OpDense, OpScale:
		d := op.Dense
		wantShape(d.Units)
		cols := d.In
		if op.Kind == OpScale {
			cols = 1
			if d.Units != d.In {
				v.bad(op, "scale with %d inputs and %d outputs", d.In, d.Units)
			}
		}
		if d.In != src.Features() || len(d.W) != d.Units || len(d.WFormat) != d.Units ||
			len(d.Accum) != d.Units || d.B != nil && (len(d.B) != d.Units || len(d.BFormat) != d.Units) {
			v.bad(op, "constants do not match %d inputs, %d units", d.In, d.Units)
			return
		}
		for j := range d.W {
			if len(d.W[j]) != cols || len(d.WFormat[j]) != cols {
				v.bad(op, "row %d has %d weights, want %d", j, len(d.W[j]), cols)
				return
			}
		}
	case OpPool:
		if src.Particles() == 0 || len(op.Out.Shape) != 1 || op.Out.Features() != src.Features() {
			v.bad(op, "pools %v into %v", src.Shape, op.Out.Shape)
		}
	case OpFlatten:
		if len(op.Out.Shape) != 1 || op.Out.Len() != src.Len() {
			v.bad(op, "flattens %v into %v", src.Shape, op.Out.Shape)
		}
	default:
		wantShape(src.Features())
	}

	// formats, constants, tables.
	switch op.Kind {
	case OpDense, OpScale:
		d := op.Dense
		for j := range d.W {
			for i, w := range d.W[j] {
				f := d.WFormat[j][i]
				switch {
				case done&stFormats == 0:
				case f.Width == 0:
					if done&stWeights != 0 && w != 0 {
						v.bad(op, "pruned weight [%d][%d] is %d, not 0", j, i, w)
					}
				default:
					v.format(op, "weight", f)
					if done&stWeights != 0 {
						v.raw(op, fmt.Sprintf("weight [%d][%d]", j, i), w, f)
					}
				}
			}
			if d.B != nil && done&stFormats != 0 && d.BFormat[j].Width > 0 {
				v.format(op, "bias", d.BFormat[j])
				if done&stWeights != 0 {
					v.raw(op, fmt.Sprintf("bias [%d]", j), d.B[j], d.BFormat[j])
				}
			}
			if done&stAccums != 0 {
				v.format(op, "accum", d.Accum[j])
			}
		}
	case OpLeakyReLU:
		if done&stFormats != 0 {
			v.format(op, "slope", op.Leaky.SlopeFormat)
		}
		if done&stWeights != 0 {
			v.raw(op, "slope", op.Leaky.Slope, op.Leaky.SlopeFormat)
		}
	case OpTable:
		v.table(op, "table", op.Table)
	case OpSoftmax:
		sm := op.Softmax
		if done&stFormats != 0 && (sm.Diff != diffFormat(src.Formats) ||
			sm.Sum != sumFormat(sm.Exp.Entry, src.Features())) {
			v.bad(op, "difference format %v and sum format %v do not follow from the input and entries",
				sm.Diff, sm.Sum)
		}
		v.table(op, "exp table", &sm.Exp)
		v.table(op, "inverse table", &sm.Inv)
	case OpPool:
		pl := op.Pool
		hasAccum := pl.Op != models.PoolMax
		if hasAccum != (len(pl.Accum) == src.Features()) || !hasAccum && pl.Accum != nil {
			v.bad(op, "%d accumulators for %v pooling of %d features", len(pl.Accum), pl.Op, src.Features())
			return
		}
		if done&stAccums != 0 {
			for _, f := range pl.Accum {
				v.format(op, "accum", f)
			}
		}
		if pl.Op != models.PoolMean {
			break
		}
		if done&stFormats != 0 {
			v.format(op, "reciprocal", pl.RecipFormat)
		}
		if done&stTables != 0 {
			if len(pl.Recip) != src.Particles()+1 || pl.Recip[0] != 0 {
				v.bad(op, "%d reciprocals for %d particles", len(pl.Recip), src.Particles())
				return
			}
			for n, r := range pl.Recip {
				v.raw(op, fmt.Sprintf("reciprocal [%d]", n), r, pl.RecipFormat)
			}
		}
	}
}

// table checks a lookup table.
func (v *verifier) table(op *Op, what string, t *TableOp) {
	done := v.done

	if done&stFormats == 0 {
		return
	}
	v.format(op, what+" index", t.Index)
	v.format(op, what+" entry", t.Entry)
	if t.Index.Width > MaxIndexBits {
		v.bad(op, "%s index %v is wider than %d bits", what, t.Index, MaxIndexBits)
		return
	}
	if done&stTables == 0 {
		return
	}
	if len(t.Entries) != 1<<t.Index.Width {
		v.bad(op, "%s has %d entries, its index %v needs %d", what, len(t.Entries), t.Index, 1<<t.Index.Width)
		return
	}
	for k, e := range t.Entries {
		if e < t.Entry.MinRaw() || e > t.Entry.MaxRaw() {
			v.bad(op, "%s entry %d is %d, outside %v", what, k, e, t.Entry)
			return
		}
	}
}
