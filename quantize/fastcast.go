package quantize

import (
	"math"

	"kd2fpga/fixedpoint"
)

// A fastCast is a fixedpoint.Caster specialized for the emulator's inner
// loops: a cast known never to round or overflow is a shift, and the
// common rounding and overflow modes are done inline. Anything else goes
// through the Caster. Its results equal the Caster's for every raw word in
// the range [lo, hi] it was made for (which may exceed the source format's
// range: the exact sums of a deferred wrap do).
type fastCast struct {
	// simple: the cast is (x >> shift) << wb >> wb, a truncating right
	// shift (or none) and a signed wrap (or none), the common case.
	simple bool
	mode   castMode
	quant  fixedpoint.Quant
	ovf    ovfMode
	shift  uint8 // left shift (castLeft) or right shift (castRight)
	wb     uint8 // 64 - Width of the target, for wrapping
	half   int64 // 2^(shift-1) for a right shift
	mask   int64 // 2^shift - 1 for a right shift
	umask  int64 // 2^Width - 1 for an unsigned wrapping target
	lo     int64 // target range (castSlow: unused)
	hi     int64
	// c is kept out of line, so that the struct stays small in the
	// emulator's hot loops.
	c *fixedpoint.Caster
}

type castMode uint8

const (
	castNone  castMode = iota // same binary point, never overflows
	castLeft                  // shift left, then overflow handling
	castRight                 // round away shift bits, then overflow handling
	castSlow                  // the Caster
)

type ovfMode uint8

const (
	ovfNone  ovfMode = iota // cannot overflow
	ovfWrapS                // AP_WRAP, N = 0, signed: sign-extend the low bits
	ovfWrapU                // AP_WRAP, N = 0, unsigned: keep the low bits
	ovfSat                  // clamp to [lo, hi]
	ovfZero                 // AP_SAT_ZERO: 0 outside [lo, hi]
)

// newFastCast returns the cast from src to dst for raw words in [lo, hi].
func newFastCast(src, dst fixedpoint.Format, lo, hi int64) fastCast {
	c := fixedpoint.NewCaster(src, dst)
	fc := fastCast{c: &c, mode: castSlow, lo: dst.MinRaw(), hi: dst.MaxRaw(), quant: dst.Quant}
	s := dst.Frac() - src.Frac()

	// the binary point: a shift that stays within int64 for [lo, hi].
	switch {
	case s == 0:
		fc.mode = castNone
	case s > 0 && s < 63 && lo >= math.MinInt64>>s && hi <= math.MaxInt64>>s:
		fc.mode, fc.shift = castLeft, uint8(s)
	case s < 0 && s > -63:
		fc.mode, fc.shift = castRight, uint8(-s)
		fc.half, fc.mask = 1<<(fc.shift-1), 1<<fc.shift-1
		if hi > math.MaxInt64-fc.half {
			return fc // rounding up could overflow int64
		}
	default:
		return fc
	}

	// overflow: quantization is monotonic, so the extremes decide.
	_, stLo := c.Cast(lo)
	_, stHi := c.Cast(hi)
	switch {
	case !stLo.Overflowed() && !stHi.Overflowed():
		fc.ovf = ovfNone
	case dst.Overflow == fixedpoint.Wrap && dst.SatBits == 0 && dst.Signed:
		fc.ovf, fc.wb = ovfWrapS, uint8(64-dst.Width)
	case dst.Overflow == fixedpoint.Wrap && dst.SatBits == 0:
		fc.ovf, fc.umask = ovfWrapU, int64(uint64(1)<<dst.Width-1)
	case dst.Overflow == fixedpoint.Sat:
		fc.ovf = ovfSat
	case dst.Overflow == fixedpoint.SatZero:
		fc.ovf = ovfZero
	case dst.Overflow == fixedpoint.SatSym && dst.Signed && src.Signed:
		// the minimum itself becomes -max: clamp to [-max, max].
		fc.ovf, fc.lo = ovfSat, -fc.hi
	default:
		fc.mode = castSlow
	}

	truncates := fc.mode == castNone || fc.mode == castRight && fc.quant == fixedpoint.Trn
	wraps := fc.ovf == ovfNone || fc.ovf == ovfWrapS
	if truncates && wraps {
		fc.simple = true
		if fc.mode == castNone {
			fc.shift = 0
		}
		if fc.ovf == ovfNone {
			fc.wb = 0
		}
	}
	return fc
}

// identity reports whether the cast returns every word unchanged.
func (fc *fastCast) identity() bool { return fc.mode == castNone && fc.ovf == ovfNone }

// cast converts raw, which must lie in the range fc was made for.
func (fc *fastCast) cast(x int64) int64 {
	if fc.simple {
		return x >> (fc.shift & 63) << (fc.wb & 63) >> (fc.wb & 63)
	}
	return fc.general(x)
}

// general is cast for the casts that are not simple.
func (fc *fastCast) general(x int64) int64 {
	switch fc.mode {
	case castNone:
	case castLeft:
		x <<= fc.shift
	case castRight:
		x = fc.round(x)
	default:
		r, _ := fc.c.Cast(x)
		return r
	}
	switch fc.ovf {
	case ovfWrapS:
		return x << fc.wb >> fc.wb
	case ovfWrapU:
		return x & fc.umask
	case ovfSat:
		return max(min(x, fc.hi), fc.lo)
	case ovfZero:
		if x < fc.lo || x > fc.hi {
			return 0
		}
	}
	return x
}

// round shifts x right by fc.shift with the target's quantization mode.
func (fc *fastCast) round(x int64) int64 {
	q := x >> fc.shift // floor
	if fc.quant == fixedpoint.Trn {
		return q
	}
	r := x & fc.mask // the dropped bits, as a nonnegative number
	up := false
	switch fc.quant {
	case fixedpoint.TrnZero:
		up = x < 0 && r != 0
	case fixedpoint.Rnd:
		up = r >= fc.half
	case fixedpoint.RndZero:
		up = r > fc.half || r == fc.half && x < 0
	case fixedpoint.RndMinInf:
		up = r > fc.half
	case fixedpoint.RndInf:
		up = r > fc.half || r == fc.half && x >= 0
	case fixedpoint.RndConv:
		up = r > fc.half || r == fc.half && q&1 != 0
	}
	if up {
		q++
	}
	return q
}

// A floatQuantizer converts float64 values into a format exactly as
// Format.Quantize does, with a fast path for in-range values: scaling by
// 2^Frac is exact, and the rounding decision compares the scaled value
// with its floor and floor + 1/2, which is exact too.
type floatQuantizer struct {
	f     fixedpoint.Format
	scale float64 // 2^Frac
	lo    int64   // the smallest raw word the fast path may return
	hi    int64
}

func newFloatQuantizer(f fixedpoint.Format) floatQuantizer {
	q := floatQuantizer{f: f, scale: math.Ldexp(1, f.Frac()), lo: f.MinRaw(), hi: f.MaxRaw()}
	if f.Overflow == fixedpoint.SatSym && f.Signed {
		q.lo++ // the minimum itself becomes -max: leave it to Quantize
	}
	return q
}

// quantize returns x in q's format and the status of the conversion.
func (q *floatQuantizer) quantize(x float64) (int64, fixedpoint.Status) {
	v := x * q.scale
	if !(math.Abs(v) < 1<<52) || q.scale == 0 || math.IsInf(q.scale, 0) || v == 0 && x != 0 {
		return q.f.Quantize(x)
	}
	t := math.Floor(v)
	half := t + 0.5
	first := v >= half
	sticky := v != t && v != half
	neg := v < 0
	raw := int64(t)
	up := false
	switch q.f.Quant {
	case fixedpoint.TrnZero:
		up = neg && (first || sticky)
	case fixedpoint.Rnd:
		up = first
	case fixedpoint.RndZero:
		up = first && (neg || sticky)
	case fixedpoint.RndMinInf:
		up = first && sticky
	case fixedpoint.RndInf:
		up = first && (!neg || sticky)
	case fixedpoint.RndConv:
		up = first && (raw&1 != 0 || sticky)
	}
	if up {
		raw++
	}
	if raw < q.lo || raw > q.hi {
		return q.f.Quantize(x)
	}
	var st fixedpoint.Status
	if first || sticky {
		st = fixedpoint.Inexact
	}
	return raw, st
}
