package fixedpoint

import (
	"fmt"
	"math"
)

// A target is what the int64 conversion core needs to know of the format
// it converts into, worked out once.
type target struct {
	width  int
	signed bool
	quant  Quant
	over   Overflow
	sat    int    // N, the saturation bits of the wrapping modes
	mask   uint64 // the low width bits
	top    uint64 // the N bits below the word's top bit, for signed N > 1

	// lo and hi bound the quantized values kept as they are. They are the
	// format's range, except that AP_SAT_SYM on a signed format also
	// treats the minimum as an overflow (it becomes -max, which is lo);
	// a one-bit signed word has no -max (it would be 0) and keeps -1.
	lo, hi int64
}

// newTarget prepares conversions into f; it panics if f is not valid.
func newTarget(f Format) target {
	// the checks of problem, in a form cheap enough for every Quantize
	ok := uint(f.Width-1) < MaxWidth && (f.Signed || f.Width <= MaxUnsignedWidth) &&
		uint(f.Int+MaxIntBits) <= 2*MaxIntBits && f.Quant <= RndConv &&
		f.Overflow <= WrapSM && uint(f.SatBits) <= uint(f.Width) &&
		(f.Overflow != WrapSM || f.Signed)
	if !ok {
		panic(fmt.Sprintf("fixedpoint: invalid format %s: %s", f, f.problem(false)))
	}

	d := target{
		width:  f.Width,
		signed: f.Signed,
		quant:  f.Quant,
		over:   f.Overflow,
		sat:    f.SatBits,
		mask:   widthMask(f.Width),
		hi:     int64(widthMask(f.Width) >> 1),
	}
	if f.Signed {
		d.lo = ^d.hi
	} else {
		d.hi = int64(d.mask)
	}
	if f.SatBits > 1 {
		// bits W-N .. W-2
		d.top = widthMask(f.SatBits-1) << (f.Width - f.SatBits)
	}
	if symmetric(f) {
		d.lo++
	}
	return d
}

// symmetric reports whether f is signed with AP_SAT_SYM, whose negative
// limit is -max rather than the minimum. The headers build that limit by
// setting the lowest bit of the minimum's word, which for a one-bit word
// leaves the minimum, -1: such a format saturates as AP_SAT does.
func symmetric(f Format) bool {
	return f.Overflow == SatSym && f.Signed && f.Width > 1
}

// Quantize converts x into f as assigning the double x to an ap_fixed
// variable of type f does: it takes the exact binary value of x (there is
// no intermediate rounding), applies f's quantization mode to the bits
// below 2^-Frac(), then f's overflow mode to the result. It returns the raw
// word and what the conversion did.
//
// Infinities convert as ±2^1024, so they saturate or wrap like any huge
// value. NaN converts as the headers convert it, as the huge value
// ±(1+f) * 2^1024 where f is its fraction field, and sets the NaN flag of
// the Status so that a caller can refuse it. Subnormal doubles convert from
// their exact value (see the package documentation).
//
// Quantize panics if f is not valid.
func (f Format) Quantize(x float64) (raw int64, st Status) {
	d := newTarget(f)
	m, e, st := splitFloat(x)
	if m == 0 {
		return 0, 0
	}

	// x * 2^F = m * 2^(e+F)
	raw, cst := d.convert(m, e+f.Frac())
	return raw, st | cst
}

// splitFloat returns m and e with x = m * 2^e exactly and |m| < 2^53. An
// infinity gives m = ±2^52, e = 972 (±2^1024); a NaN gives its fraction
// field with the implicit one, the same e, and the NaN flag.
func splitFloat(x float64) (m int64, e int, st Status) {
	b := math.Float64bits(x)
	exp := int(b>>52) & 0x7ff
	m = int64(b & (1<<52 - 1))
	switch exp {
	case 0:
		if m == 0 {
			return 0, 0, 0 // ±0
		}
		exp = 1 // subnormal: no implicit one
	case 0x7ff:
		if m != 0 {
			st = NaN
		}
		m |= 1 << 52
	default:
		m |= 1 << 52
	}
	if b>>63 != 0 {
		m = -m
	}
	return m, exp - 1075, st
}

// convert returns the integer m * 2^s converted into d: quantized when
// s < 0 drops bits, then overflow-handled.
func (d *target) convert(m int64, s int) (int64, Status) {
	if s < 0 {
		return d.shiftRight(m, -s)
	}
	if s < 64 {
		if m <= d.hi>>s && m >= ceilShift(d.lo, s) {
			return m << s, 0
		}
	} else if m == 0 {
		return 0, 0
	}
	return d.overflowLeft(m, s)
}

// ceilShift returns ceil(lo / 2^s) for lo <= 0 and 0 <= s < 64; it holds
// even for lo = MinInt64.
func ceilShift(lo int64, s int) int64 {
	return -int64((0 - uint64(lo)) >> s)
}

// shiftRight returns m * 2^-k, k >= 1, quantized and overflow-handled into d.
func (d *target) shiftRight(m int64, k int) (int64, Status) {
	// t = floor(m / 2^k), the first dropped bit, and whether any bit below
	// it is set (Go's shifts of signed words fill with the sign, so t and
	// first are right for every k)
	t := m >> k
	first := (m>>(k-1))&1 != 0
	var sticky bool
	switch {
	case k == 1:
	case k-1 >= 64:
		sticky = m != 0
	default:
		sticky = uint64(m)<<(64-(k-1)) != 0
	}

	// the increment of the quantization mode
	r := t
	if roundUp(d.quant, m < 0, first, sticky, t&1 != 0) {
		r++ // t < 2^62, no overflow
	}
	var st Status
	if first || sticky {
		st = Inexact
	}

	// overflow
	if r >= d.lo && r <= d.hi {
		return r, st
	}
	lD := (t>>d.width)&1 != 0
	raw, ost := d.overflow(r < 0, lD, uint64(r)&d.mask)
	return raw, st | ost
}

// roundUp reports whether quantization mode q adds one to the truncated
// (floored) value, given the sign of the value, its first dropped bit, the
// sticky bit (any lower dropped bit set), and whether the truncated value is
// odd.
func roundUp(q Quant, neg, first, sticky, odd bool) bool {
	switch q {
	case TrnZero:
		return neg && (first || sticky)
	case Rnd:
		return first
	case RndZero:
		return first && (neg || sticky)
	case RndMinInf:
		return first && sticky
	case RndInf:
		return first && (!neg || sticky)
	case RndConv:
		return first && (odd || sticky)
	}
	return false
}

// overflowLeft handles m * 2^s, s >= 0, known to lie outside d's range.
func (d *target) overflowLeft(m int64, s int) (int64, Status) {
	var word uint64
	if s < 64 {
		word = uint64(m) << s & d.mask
	}
	lD := false
	if p := d.width - s; p >= 0 {
		lD = (m>>p)&1 != 0
	}
	return d.overflow(m < 0, lD, word)
}

// overflow applies d's overflow mode to a quantized value r outside the
// range [lo, hi]: neg tells whether r < 0 (which decides the side, for lo
// <= 0 <= hi), word holds r's low width bits, and lD is the bit just above
// them in the value before rounding (bit W of floor(x * 2^F)), which
// AP_WRAP_SM consults.
func (d *target) overflow(neg, lD bool, word uint64) (int64, Status) {
	switch d.over {
	case Sat, SatSym:
		if neg {
			return d.lo, Saturated
		}
		return d.hi, Saturated
	case SatZero:
		return 0, Saturated
	case Wrap:
		word = d.wrapSatBits(neg, word)
	case WrapSM:
		word = d.wrapSignMagnitude(neg, lD, word)
	}
	return d.fromWord(word), Wrapped
}

// wrapSatBits applies AP_WRAP's N saturation bits to an overflowed word:
// a signed word gets the sign of the value in its top bit and the
// complement in the N-1 bits below; an unsigned word gets its top N bits
// set, whichever side it overflowed.
func (d *target) wrapSatBits(neg bool, word uint64) uint64 {
	if d.sat == 0 {
		return word
	}
	signBit := uint64(1) << (d.width - 1)
	if !d.signed {
		return word | widthMask(d.sat)<<(d.width-d.sat)
	}
	if neg {
		return (word | signBit) &^ d.top
	}
	return (word &^ signBit) | d.top
}

// wrapSignMagnitude applies AP_WRAP_SM to an overflowed word. Without
// saturation bits, the word is complemented when its top bit differs from
// lD, the bit above it. With N = 1, it is complemented when its top bit
// differs from the value's sign. With N > 1, it is complemented when bit
// W-N equals the sign, then gets the sign in its top bit and the
// complement of the sign in the N-1 bits below.
func (d *target) wrapSignMagnitude(neg, lD bool, word uint64) uint64 {
	top := word>>(d.width-1) != 0
	switch {
	case d.sat == 0:
		if lD != top {
			word = ^word & d.mask
		}
		return word
	case d.sat == 1:
		if neg != top {
			word = ^word & d.mask
		}
		return word
	}
	if lNo := (word>>(d.width-d.sat))&1 != 0; lNo == neg {
		word = ^word & d.mask
	}
	signBit := uint64(1) << (d.width - 1)
	if neg {
		return (word | signBit) &^ d.top
	}
	return (word &^ signBit) | d.top
}

// fromWord returns the raw value of a width-bit word.
func (d *target) fromWord(word uint64) int64 {
	if d.signed && d.width < 64 && word>>(d.width-1) != 0 {
		word |= ^d.mask
	}
	return int64(word)
}
