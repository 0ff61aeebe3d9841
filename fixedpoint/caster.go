package fixedpoint

// A Caster converts raw words of one format into another, as assigning an
// ap_fixed of type Src to one of type Dst does, with the work that depends
// only on the two formats done once by NewCaster. Its results are those of
// Dst.Cast(raw, Src); it is meant for an emulator's inner loops.
//
// A Caster is a small value; copying it is fine, and it is safe for
// concurrent use. The zero Caster is not usable: build one with NewCaster.
type Caster struct {
	src, dst Format
	d        target
	shift    int // Frac(dst) - Frac(src): left when >= 0, else right

	// for a left shift, the source words that land in range
	loSrc, hiSrc int64

	canRound, canOverflow bool
}

// NewCaster returns a Caster from src to dst. It panics if either format is
// not valid.
func NewCaster(src, dst Format) Caster {
	newTarget(src) // validates src
	c := Caster{src: src, dst: dst, d: newTarget(dst), shift: dst.Frac() - src.Frac()}

	// the bounds of a left shift
	switch {
	case c.shift < 0:
	case c.shift < 64:
		c.hiSrc = c.d.hi >> c.shift
		c.loSrc = ceilShift(c.d.lo, c.shift)
	default:
		// any nonzero word shifted this far overflows
	}

	// quantization is monotonic, so the extremes of the source decide
	// whether any word can overflow
	c.canRound = c.shift < 0
	if c.shift >= 0 {
		c.canOverflow = src.MinRaw() < c.loSrc || src.MaxRaw() > c.hiSrc
	} else {
		_, stMin := c.d.shiftRight(src.MinRaw(), -c.shift)
		_, stMax := c.d.shiftRight(src.MaxRaw(), -c.shift)
		c.canOverflow = stMin.Overflowed() || stMax.Overflowed()
	}
	return c
}

// Src returns the format c converts from.
func (c *Caster) Src() Format { return c.src }

// Dst returns the format c converts into.
func (c *Caster) Dst() Format { return c.dst }

// Shift returns Frac(Dst) - Frac(Src): the number of bits the word moves
// left (right when negative) before quantization and overflow handling.
func (c *Caster) Shift() int { return c.shift }

// CanRound reports whether some word of Src has nonzero bits below Dst's
// least significant bit, so that the quantization mode matters (for the
// truncating modes it still costs no logic).
func (c *Caster) CanRound() bool { return c.canRound }

// CanOverflow reports whether some word of Src, once quantized, falls
// outside Dst's range (for AP_SAT_SYM on a signed Dst, or equals its
// minimum), so that the overflow mode matters.
func (c *Caster) CanOverflow() bool { return c.canOverflow }

// Exact reports whether every word of Src converts exactly: the cast is
// then a plain shift (a rewiring, no logic), and Cast never reports a
// nonzero Status.
func (c *Caster) Exact() bool { return !c.canRound && !c.canOverflow }

// Cast converts the raw word of a Src value into Dst. It takes raw as the
// exact value raw * 2^-Frac(Src) and does not reduce a raw outside Src's
// range first.
func (c *Caster) Cast(raw int64) (int64, Status) {
	if c.shift >= 0 {
		if raw >= c.loSrc && raw <= c.hiSrc {
			return raw << c.shift, 0
		}
		return c.d.overflowLeft(raw, c.shift)
	}
	return c.d.shiftRight(raw, -c.shift)
}

// Cast converts the raw word of a value of format src into f, as
// assigning an ap_fixed of type src to one of type f does: f's
// quantization mode, then its overflow mode. See Caster for the same
// conversion without the set-up cost. Cast panics if src or f is not valid.
func (f Format) Cast(raw int64, src Format) (int64, Status) {
	c := NewCaster(src, f)
	return c.Cast(raw)
}
