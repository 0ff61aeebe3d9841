package fixedpoint

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
)

// Limits on the formats a user may declare.
const (
	// MaxWidth is the widest format ParseFormat and Validate accept: the
	// raw word of every valid format fits an int64.
	MaxWidth = 64

	// MaxUnsignedWidth is the widest unsigned format: an ap_ufixed<64,I>
	// word can exceed the largest int64, so unsigned formats stop one bit
	// short of MaxWidth. Wider results (products, sums) live in Value.
	MaxUnsignedWidth = MaxWidth - 1

	// MaxIntBits bounds the integer bits: Validate refuses |Int| above it,
	// so that every value of a valid format is a finite float64 or rounds
	// to one, and binary points stay within reach of a double's exponent.
	MaxIntBits = 1024
)

// A Format is an ap_fixed-style fixed-point type: a Width-bit word raw,
// two's complement when Signed, that stands for the value raw * 2^-Frac(),
// with Frac() = Width - Int. Int counts the integer bits, sign included;
// it may exceed Width (the word then holds only multiples of a power of
// two) or be negative (the value is then a fraction below 2^Int).
//
// Quant and Overflow apply when a value is converted into the format (a
// cast, an assignment, a conversion from float64), never to arithmetic,
// whose results are exact (see MulFormat, AddFormat). SatBits is the N of
// ap_fixed: the number of saturation bits of the wrapping modes.
//
// The zero Format is not valid (its width is 0); build one with Fixed,
// UFixed, ParseFormat or a composite literal checked by Validate.
type Format struct {
	Signed   bool
	Width    int // W: bits in the word, 1..MaxWidth
	Int      int // I: integer bits, sign included for signed formats
	Quant    Quant
	Overflow Overflow
	SatBits  int // N: saturation bits for Wrap and WrapSM, 0..Width
}

// Fixed returns the signed format ap_fixed<w,i> with the default modes
// (Trn, Wrap).
func Fixed(w, i int) Format { return Format{Signed: true, Width: w, Int: i} }

// UFixed returns the unsigned format ap_ufixed<w,i> with the default modes
// (Trn, Wrap).
func UFixed(w, i int) Format { return Format{Width: w, Int: i} }

// Frac returns the number of fractional bits, Width - Int, which is
// negative when Int exceeds Width.
func (f Format) Frac() int { return f.Width - f.Int }

// Validate reports whether f is a format a user may declare: a width of 1
// to MaxWidth (MaxUnsignedWidth when unsigned), integer bits within
// ±MaxIntBits, known modes, 0 <= SatBits <= Width, and no WrapSM on an
// unsigned format (the headers refuse ap_ufixed with AP_WRAP_SM).
func (f Format) Validate() error {
	if p := f.problem(false); p != "" {
		return fmt.Errorf("format %s: %s", f, p)
	}
	return nil
}

// problem returns what makes f invalid, or "". With wide set the width
// limits are lifted, as for the results held by Value.
func (f Format) problem(wide bool) string {
	// width
	switch {
	case f.Width < 1:
		return fmt.Sprintf("width %d is below 1", f.Width)
	case wide:
	case f.Width > MaxWidth:
		return fmt.Sprintf("width %d is above %d", f.Width, MaxWidth)
	case !f.Signed && f.Width > MaxUnsignedWidth:
		return fmt.Sprintf("unsigned width %d is above %d (the raw word must fit an int64)",
			f.Width, MaxUnsignedWidth)
	}

	// integer bits, modes and saturation bits
	if !wide && (f.Int < -MaxIntBits || f.Int > MaxIntBits) {
		return fmt.Sprintf("integer bits %d outside [%d, %d]", f.Int, -MaxIntBits, MaxIntBits)
	}
	if f.Quant > RndConv {
		return fmt.Sprintf("unknown quantization mode %d", f.Quant)
	}
	if f.Overflow > WrapSM {
		return fmt.Sprintf("unknown overflow mode %d", f.Overflow)
	}
	if f.SatBits < 0 || f.SatBits > f.Width {
		return fmt.Sprintf("saturation bits %d outside [0, %d]", f.SatBits, f.Width)
	}
	if f.Overflow == WrapSM && !f.Signed {
		return "AP_WRAP_SM needs a signed format (ap_fixed, not ap_ufixed)"
	}
	return ""
}

// MinRaw returns the smallest raw word of f: -2^(Width-1) when signed, 0
// when unsigned. f must be valid.
func (f Format) MinRaw() int64 {
	if !f.Signed {
		return 0
	}
	return -1 << (f.Width - 1)
}

// MaxRaw returns the largest raw word of f: 2^(Width-1)-1 when signed,
// 2^Width-1 when unsigned. f must be valid, which keeps it within int64.
func (f Format) MaxRaw() int64 {
	if !f.Signed {
		return int64(uint64(1)<<f.Width - 1)
	}
	return int64(uint64(1)<<(f.Width-1) - 1)
}

// Min returns the smallest value of f, f.Float(f.MinRaw()).
func (f Format) Min() float64 { return f.Float(f.MinRaw()) }

// Max returns the largest value of f, f.Float(f.MaxRaw()), rounded to
// nearest even when it has more than 53 significant bits.
func (f Format) Max() float64 { return f.Float(f.MaxRaw()) }

// Bits returns the Width-bit word of raw as the hardware stores it: the
// low Width bits of raw's two's complement.
func (f Format) Bits(raw int64) uint64 {
	return uint64(raw) & widthMask(f.Width)
}

// FromBits returns the raw value of the Width-bit word b, sign-extended when
// f is signed; bits of b above Width are ignored.
func (f Format) FromBits(b uint64) int64 {
	b &= widthMask(f.Width)
	if f.Signed && f.Width < 64 && b>>(f.Width-1) != 0 {
		b |= ^widthMask(f.Width)
	}
	return int64(b)
}

// widthMask returns a word with the low w bits set, 1 <= w <= 64.
func widthMask(w int) uint64 { return ^uint64(0) >> (64 - w) }

// Float returns the value raw * 2^-Frac() as the float64 nearest to it,
// ties to even, as to_double() does: exact whenever the value has at most
// 53 significant bits and lies in the float64 normal range.
func (f Format) Float(raw int64) float64 {
	// the fast path: raw converts exactly, or rounds once, and scaling by
	// a power of two stays in the normal range and so is exact
	if raw == 0 {
		return 0
	}
	n := bits.Len64(absU(raw))
	if e := n - 1 - f.Frac(); e > -1022 && e < 1023 {
		return math.Ldexp(float64(raw), -f.Frac())
	}

	// near the subnormal range or the top, round once from the exact value
	x := new(big.Float).SetInt64(raw)
	x.SetMantExp(x, -f.Frac())
	v, _ := x.Float64()
	return v
}

// Float32 returns the value raw * 2^-Frac() as the float32 nearest to it,
// ties to even, as to_float() does (rounded once, not through a float64).
func (f Format) Float32(raw int64) float32 {
	x := new(big.Float).SetInt64(raw)
	x.SetMantExp(x, -f.Frac())
	v, _ := x.Float32()
	return v
}

// IntPart returns the integer part of raw * 2^-Frac(), truncated toward
// zero as C converts a double to an integer, and reduced to its low 64 bits
// when it does not fit an int64 (as to_int64() does).
//
// The headers' to_int64() differs when Int <= 0: it returns -1 for every
// negative value, where IntPart returns 0 (see the package documentation).
func (f Format) IntPart(raw int64) int64 {
	fr := f.Frac()
	switch {
	case fr <= -64:
		return 0
	case fr <= 0:
		return int64(uint64(raw) << -fr)
	case fr >= 64:
		return 0
	case fr == 63:
		if raw == math.MinInt64 {
			return -1
		}
		return 0
	}
	return raw / (1 << fr)
}

// Text returns the exact decimal value of raw in f, such as "-0.0625" or
// "42"; see Value.Text.
func (f Format) Text(raw int64) string {
	var v Value
	return v.SetRaw(f, raw).Text()
}

// MulFormat returns the format of the exact product of a value of x and a
// value of y, as the headers type operator*: <Wx+Wy, Ix+Iy>, signed when
// either operand is, default modes.
func MulFormat(x, y Format) Format {
	return Format{Signed: x.Signed || y.Signed, Width: x.Width + y.Width, Int: x.Int + y.Int}
}

// AddFormat returns the format of the exact sum of a value of x and a value
// of y: max(Fx, Fy) fractional bits and one integer bit more than the
// larger operand, where an unsigned operand added to a signed one counts
// one bit more (it needs a sign bit), signed when either is, default modes.
func AddFormat(x, y Format) Format {
	i := sumInt(x, y)
	return Format{Signed: x.Signed || y.Signed, Width: i + max(x.Frac(), y.Frac()), Int: i}
}

// SubFormat returns the format of the exact difference of a value of x and
// a value of y: the integer and fractional bits of AddFormat, always signed.
func SubFormat(x, y Format) Format {
	i := sumInt(x, y)
	return Format{Signed: true, Width: i + max(x.Frac(), y.Frac()), Int: i}
}

// sumInt returns the integer bits of a sum or difference of x and y.
func sumInt(x, y Format) int {
	ix, iy := x.Int, y.Int
	if y.Signed && !x.Signed {
		ix++
	}
	if x.Signed && !y.Signed {
		iy++
	}
	return max(ix, iy) + 1
}

// NegFormat returns the format of the negation of a value of x, as the
// headers type unary minus: one bit wider and one integer bit more, signed.
func NegFormat(x Format) Format {
	return Format{Signed: true, Width: x.Width + 1, Int: x.Int + 1}
}

// DivFormat returns the format of the quotient of a value of x by a value
// of y, as the headers type operator/ (without __SC_COMPATIBLE__):
// Sy + Wx + max(Fy, 0) bits, Sy + Ix + Fy integer bits, where Sy is 1 when
// y is signed; signed when either is. Its fractional bits are
// Fx + max(Fy, 0) - Fy: the quotient is truncated at x's own precision
// (or finer when Fy is negative), not rounded; see Value.Quo.
func DivFormat(x, y Format) Format {
	sy := 0
	if y.Signed {
		sy = 1
	}
	return Format{
		Signed: x.Signed || y.Signed,
		Width:  sy + x.Width + max(y.Frac(), 0),
		Int:    sy + x.Int + y.Frac(),
	}
}

// absU returns |x| as an unsigned word, which holds |MinInt64| too.
func absU(x int64) uint64 {
	if x < 0 {
		return -uint64(x)
	}
	return uint64(x)
}
