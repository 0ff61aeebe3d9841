package netlist

import (
	"fmt"

	"kd2fpga/fixedpoint"
)

// value is a number during lowering: the integer wire n scaled by
// 2^-frac. The binary point lives only here; nodes are plain integers.
type value struct {
	n    *Node
	frac int
}

// constValue returns the constant raw * 2^-frac with its trailing zero
// bits moved into the binary point, so that multiplications by it and
// casts of it stay as narrow as the number needs.
func (b *builder) constValue(raw int64, frac int) value {
	for raw != 0 && raw&1 == 0 {
		raw >>= 1
		frac--
	}
	if raw == 0 {
		frac = 0
	}
	return value{b.constant(raw), frac}
}

// align returns x and y shifted to a common binary point (the finer one).
func (b *builder) align(x, y value) (value, value) {
	switch {
	case x.frac < y.frac:
		x = value{b.shl(x.n, y.frac-x.frac), y.frac}
	case y.frac < x.frac:
		y = value{b.shl(y.n, x.frac-y.frac), x.frac}
	}
	return x, y
}

// addValues returns x + y, exact.
func (b *builder) addValues(x, y value) value {
	if x.n.IsConst() && x.n.Value == 0 {
		return y
	}
	if y.n.IsConst() && y.n.Value == 0 {
		return x
	}
	x, y = b.align(x, y)
	return value{b.sum(x.n, y.n), x.frac}
}

// subValues returns x - y, exact.
func (b *builder) subValues(x, y value) value {
	x, y = b.align(x, y)
	return value{b.diff(x.n, y.n), x.frac}
}

// mulConstValue returns x times the constant raw * 2^-frac, exact.
func (b *builder) mulConstValue(x value, raw int64, frac int) value {
	c := b.constValue(raw, frac)
	if c.n.Value == 0 {
		return value{c.n, 0}
	}
	return value{b.mulConst(x.n, c.n.Value), x.frac + c.frac}
}

// cast returns x converted into format f as fixedpoint.Format.Cast does:
// f's quantization mode, then its overflow mode. It emits logic only for
// what x's interval makes possible: a cast that can neither round nor
// overflow is a rewiring (or nothing at all).
func (b *builder) cast(x value, f fixedpoint.Format) value {
	if x.n.IsConst() {
		return b.castConst(x, f)
	}
	return b.castLogic(x, f)
}

// castConst casts a constant with the fixed-point core itself.
func (b *builder) castConst(x value, f fixedpoint.Format) value {
	w, signed := shapeOf(x.n.Value, x.n.Value)
	src := fixedpoint.Format{Signed: signed, Width: w, Int: w - x.frac}
	if !signed && w > fixedpoint.MaxUnsignedWidth || src.Validate() != nil {
		// out of the core's reach: build the logic and let it fold
		return b.castLogic(x, f)
	}
	raw, _ := f.Cast(x.n.Value, src)
	return b.constValue(raw, f.Frac())
}

// castLogic is cast without the constant shortcut. r is x rounded to
// the format's fractional bits; t is the floor, which AP_WRAP_SM consults.
func (b *builder) castLogic(x value, f fixedpoint.Format) value {
	var r, t *Node
	if d := x.frac - f.Frac(); d <= 0 {
		r = b.shl(x.n, -d)
		t = r
	} else {
		t = b.shr(x.n, d)
		r = b.round(x.n, t, d, f.Quant)
	}
	return value{b.overflow(r, t, f), f.Frac()}
}

// round returns t = floor(x / 2^d) plus the increment of quantization
// mode q: it looks at the first dropped bit, the sticky bit (any lower
// dropped bit set), the sign and the parity of t.
func (b *builder) round(x, t *Node, d int, q fixedpoint.Quant) *Node {
	if q == fixedpoint.Trn || (q == fixedpoint.TrnZero && x.Min >= 0) {
		return t
	}
	first := b.bitAt(x, d-1)
	sticky := b.constant(0)
	if d >= 2 {
		hi := min(d-2, x.Width-1)
		sticky = b.orReduce(b.bits(false, 0, int64(mask(hi+1)), slice(x, hi, 0)))
	}
	neg := b.sign(x)

	var inc *Node
	switch q {
	case fixedpoint.TrnZero:
		inc = b.and(neg, b.or(first, sticky))
	case fixedpoint.Rnd:
		inc = first
	case fixedpoint.RndZero:
		inc = b.and(first, b.or(neg, sticky))
	case fixedpoint.RndMinInf:
		inc = b.and(first, sticky)
	case fixedpoint.RndInf:
		inc = b.and(first, b.or(b.not(neg), sticky))
	case fixedpoint.RndConv:
		inc = b.and(first, b.or(b.bitAt(t, 0), sticky))
	default:
		panic("netlist: unknown quantization mode")
	}
	if inc.IsConst() && inc.Value == 0 {
		return t
	}

	// the rounded value stays within the floor and the ceiling of x/2^d
	m := &Node{Kind: KAdd, Args: []*Node{t, inc}, Narrowed: true}
	lo := x.Min >> min(d, 63)
	hi := -((-x.Max) >> min(d, 63))
	if f, ok := b.fold(m); ok {
		return f
	}
	return b.add(m, lo, hi)
}

// overflow applies f's overflow mode to the rounded value r (t is the
// value before rounding) and returns the raw word of f, as the narrowest
// node holding it.
func (b *builder) overflow(r, t *Node, f fixedpoint.Format) *Node {
	// the range kept as it is (AP_SAT_SYM on a signed format of two bits
	// or more also moves the minimum to -max)
	lo, hi := f.MinRaw(), f.MaxRaw()
	if f.Overflow == fixedpoint.SatSym && f.Signed && f.Width > 1 {
		lo++ // a one-bit word has no -max: it saturates as AP_SAT does
	}
	above, below := r.Max > hi, r.Min < lo
	if !above && !below {
		return r
	}

	// the low W bits of r: the result whenever r is in range
	W := f.Width
	fullLo, fullHi := f.MinRaw(), f.MaxRaw()
	word := b.lowBits(r, W, f.Signed)
	over, under := b.constant(0), b.constant(0)
	if above {
		over = b.less(b.constant(hi), r, false)
	}
	if below {
		under = b.less(r, b.constant(lo), false)
	}
	inLo, inHi := max(r.Min, lo), min(r.Max, hi) // r when in range

	switch f.Overflow {
	case fixedpoint.Sat, fixedpoint.SatSym:
		// the inner choice sees a wrapped word when r is above the range
		y := b.mux(under, b.constant(lo), word, fullLo, fullHi)
		outLo, outHi := inLo, inHi
		if below {
			outLo = lo
		}
		if above {
			outHi = hi
		}
		return b.mux(over, b.constant(hi), y, outLo, outHi)
	case fixedpoint.SatZero:
		any := b.or(over, under)
		return b.mux(any, b.constant(0), word, min(inLo, 0), max(inHi, 0))
	case fixedpoint.Wrap:
		if f.SatBits == 0 {
			return word
		}
		any := b.or(over, under)
		forced := b.satBits(b.sign(r), f, b.sliceLow(b.ext(word, W, f.Signed), W-f.SatBits))
		return b.mux(any, forced, word, fullLo, fullHi)
	case fixedpoint.WrapSM:
		any := b.or(over, under)
		return b.wrapSM(word, r, t, any, f)
	}
	panic("netlist: unknown overflow mode")
}

// lowBits returns the low w bits of r as a value of the given signedness.
func (b *builder) lowBits(r *Node, w int, signed bool) *Node {
	lo, hi := rangeOf(w, signed)
	if r.Width <= w {
		// r fits: extend it to the width (a no-op for the value when r's
		// own interval lies in the target range)
		if r.Min >= lo && r.Max <= hi {
			return r
		}
		return b.bits(signed, lo, hi, b.extParts(r, w)...)
	}
	return b.bits(signed, lo, hi, slice(r, w-1, 0))
}

// extParts returns the parts that extend a to w >= a.Width bits.
func (b *builder) extParts(a *Node, w int) []partOf {
	var parts []partOf
	if k := w - a.Width; k > 0 {
		if a.Signed {
			p := slice(a, a.Width-1, a.Width-1)
			p.Rep = k
			parts = append(parts, p)
		} else {
			parts = append(parts, constBits(0, k))
		}
	}
	return append(parts, slice(a, a.Width-1, 0))
}

// sliceLow returns the low k bits of the w-bit word as parts (nil for k
// <= 0), for reassembling a word with forced top bits.
func (b *builder) sliceLow(word *Node, k int) []partOf {
	if k <= 0 {
		return nil
	}
	return []partOf{slice(word, k-1, 0)}
}

// satBits returns word with AP_WRAP's N saturation bits forced: a signed
// word gets neg in its top bit and its complement in the N-1 bits below,
// an unsigned word gets its top N bits set. low holds the bits kept.
func (b *builder) satBits(neg *Node, f fixedpoint.Format, low []partOf) *Node {
	W, N := f.Width, f.SatBits
	lo, hi := rangeOf(W, f.Signed)
	var parts []partOf
	if !f.Signed {
		parts = append(parts, constBits(mask(N), N))
	} else {
		parts = append(parts, slice(neg, 0, 0))
		if N > 1 {
			p := slice(neg, 0, 0)
			p.Not, p.Rep = true, N-1
			parts = append(parts, p)
		}
	}
	parts = append(parts, low...)
	return b.bits(f.Signed, lo, hi, parts...)
}

// wrapSM applies AP_WRAP_SM (sign-magnitude wrapping) when any is set:
// without saturation bits the word is complemented when its top bit
// differs from lD, bit W of t; with N = 1 when it differs from the sign
// of r; with N > 1 its low bits are complemented when bit W-N equals the
// sign, and the top N bits forced as for AP_WRAP.
func (b *builder) wrapSM(word, r, t, any *Node, f fixedpoint.Format) *Node {
	W, N := f.Width, f.SatBits
	lo, hi := rangeOf(W, true)
	word = b.ext(word, W, true)
	neg := b.sign(r)
	top := b.bitAt(word, W-1)
	inverted := func(k int) partOf {
		p := slice(word, k-1, 0)
		p.Not = true
		return p
	}
	switch {
	case N <= 1:
		ref := neg
		if N == 0 {
			ref = b.bitAt(t, W)
		}
		flip := b.and(any, b.xor(ref, top))
		return b.mux(flip, b.bits(true, lo, hi, inverted(W)), word, lo, hi)
	}
	var low []partOf
	if k := W - N; k > 0 {
		lNo := b.bitAt(word, k)
		flipLow := b.not(b.xor(lNo, neg))
		kept := b.bits(false, 0, int64(mask(k)), slice(word, k-1, 0))
		flipped := b.bits(false, 0, int64(mask(k)), inverted(k))
		low = []partOf{slice(b.muxUnion(flipLow, flipped, kept), k-1, 0)}
	}
	forced := b.satBits(neg, f, low)
	return b.mux(any, forced, word, lo, hi)
}

// toFormat returns the node holding v as a raw word of f (v must be
// representable in f, as a cast into f guarantees).
func (b *builder) toFormat(v value, f fixedpoint.Format) *Node {
	if k := v.frac - f.Frac(); k > 0 && v.n.IsConst() && v.n.Value%(1<<min(k, 62)) == 0 {
		return b.constant(v.n.Value >> k) // zero, or a multiple of the step
	}
	if v.frac > f.Frac() {
		panic(fmt.Sprintf("netlist: value with %d fractional bits in %s", v.frac, f))
	}
	return b.shl(v.n, f.Frac()-v.frac)
}

// output returns v as the exact raw word of f: Width bits, f's signedness.
func (b *builder) output(v value, f fixedpoint.Format) *Node {
	return b.ext(b.toFormat(v, f), f.Width, f.Signed)
}
