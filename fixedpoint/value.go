package fixedpoint

import (
	"math/big"
	"strings"
)

// A Value is a fixed-point number of any width: a Format, which may be
// wider than MaxWidth (the full-precision results of arithmetic, such as
// the product of two 64-bit formats, need more), and a raw word held in a
// big.Int. It computes what the headers compute, in the headers' result
// types: arithmetic is exact, and only Cast and SetFloat64 apply
// quantization and overflow modes.
//
// Methods follow math/big: the result goes in the receiver, which may be
// one of the operands, and is returned so calls can be chained. A Value
// holds a big.Int, so do not copy one; use Set. The zero Value has no
// format and must be set (SetRaw, SetBig, SetFloat64, Set) before use;
// arithmetic, Cast and Cmp panic when an operand was never set.
type Value struct {
	f   Format
	raw big.Int
}

// SetRaw sets z to the value of f whose raw word is raw reduced to f's
// width (its low Width bits, as storing it in the word would), and returns
// z. f may be wider than MaxWidth; SetRaw panics if f is otherwise invalid.
func (z *Value) SetRaw(f Format, raw int64) *Value {
	checkWide(f)
	z.f = f
	z.raw.SetInt64(raw)
	wrapBig(&z.raw, f)
	return z
}

// SetBig sets z to the value of f whose raw word is raw reduced to f's
// width, and returns z; see SetRaw.
func (z *Value) SetBig(f Format, raw *big.Int) *Value {
	checkWide(f)
	z.f = f
	z.raw.Set(raw)
	wrapBig(&z.raw, f)
	return z
}

// Set sets z to x and returns z.
func (z *Value) Set(x *Value) *Value {
	x.check()
	if z != x {
		z.f = x.f
		z.raw.Set(&x.raw)
	}
	return z
}

// SetFloat64 sets z to x converted into f as Format.Quantize converts it,
// for formats of any width, and returns what the conversion did.
func (z *Value) SetFloat64(x float64, f Format) Status {
	checkWide(f)
	m, e, st := splitFloat(x)
	z.f = f
	z.raw.SetInt64(m)
	if m == 0 {
		return 0
	}
	return st | castBig(&z.raw, &z.raw, e+f.Frac(), f)
}

// Cast sets z to x converted into f, as assigning an ap_fixed of x's type
// to one of type f does: f's quantization mode, then its overflow mode. It
// returns what the conversion did.
func (z *Value) Cast(x *Value, f Format) Status {
	x.check()
	checkWide(f)
	s := f.Frac() - x.f.Frac()
	z.f = f
	return castBig(&z.raw, &x.raw, s, f)
}

// Mul sets z to the exact product x*y, of format MulFormat(x, y), and
// returns z.
func (z *Value) Mul(x, y *Value) *Value {
	x.check()
	y.check()
	z.f = MulFormat(x.f, y.f)
	z.raw.Mul(&x.raw, &y.raw)
	return z
}

// Add sets z to the exact sum x+y, of format AddFormat(x, y), and returns z.
func (z *Value) Add(x, y *Value) *Value {
	x.check()
	y.check()
	f := AddFormat(x.f, y.f)
	var a, b big.Int
	a.Lsh(&x.raw, uint(f.Frac()-x.f.Frac()))
	b.Lsh(&y.raw, uint(f.Frac()-y.f.Frac()))
	z.f = f
	z.raw.Add(&a, &b)
	return z
}

// Sub sets z to the exact difference x-y, of format SubFormat(x, y), and
// returns z.
func (z *Value) Sub(x, y *Value) *Value {
	x.check()
	y.check()
	f := SubFormat(x.f, y.f)
	var a, b big.Int
	a.Lsh(&x.raw, uint(f.Frac()-x.f.Frac()))
	b.Lsh(&y.raw, uint(f.Frac()-y.f.Frac()))
	z.f = f
	z.raw.Sub(&a, &b)
	return z
}

// Neg sets z to the exact -x, of format NegFormat(x), and returns z.
func (z *Value) Neg(x *Value) *Value {
	x.check()
	z.f = NegFormat(x.f)
	z.raw.Neg(&x.raw)
	return z
}

// Quo sets z to the quotient x/y in the headers' format DivFormat(x, y)
// and returns z. The quotient is truncated toward zero at that format's
// least significant bit, whatever the modes of the operands, as the
// headers' integer division of the aligned words does. Quo panics if y is
// zero.
func (z *Value) Quo(x, y *Value) *Value {
	x.check()
	y.check()
	f := DivFormat(x.f, y.f)
	var a big.Int
	a.Lsh(&x.raw, uint(max(y.f.Frac(), 0)))
	z.raw.Quo(&a, &y.raw)
	z.f = f
	wrapBig(&z.raw, f)
	return z
}

// Shl sets z to x with its raw word shifted left by n bits within x's own
// format (the bits moved out of the word are lost: no quantization, no
// overflow handling), and returns z. A negative n shifts right.
func (z *Value) Shl(x *Value, n int) *Value {
	if n < 0 {
		return z.Shr(x, -n)
	}
	x.check()
	z.f = x.f
	z.raw.Lsh(&x.raw, uint(n))
	wrapBig(&z.raw, z.f)
	return z
}

// Shr sets z to x with its raw word shifted right by n bits within x's
// own format, the sign bit copied in for a signed format (the bits moved
// out are dropped, as truncation would), and returns z. A negative n
// shifts left.
func (z *Value) Shr(x *Value, n int) *Value {
	if n < 0 {
		return z.Shl(x, -n)
	}
	x.check()
	z.f = x.f
	z.raw.Rsh(&x.raw, uint(n))
	return z
}

// Cmp compares the values of x and y, whatever their formats, and returns
// -1, 0 or +1 as x is less than, equal to or greater than y.
func (x *Value) Cmp(y *Value) int {
	x.check()
	y.check()
	fr := max(x.f.Frac(), y.f.Frac())
	var a, b big.Int
	a.Lsh(&x.raw, uint(fr-x.f.Frac()))
	b.Lsh(&y.raw, uint(fr-y.f.Frac()))
	return a.Cmp(&b)
}

// Sign returns -1, 0 or +1 as x is negative, zero or positive.
func (x *Value) Sign() int { return x.raw.Sign() }

// Format returns x's format.
func (x *Value) Format() Format { return x.f }

// Raw returns a copy of x's raw word, as a signed integer: the value is
// Raw * 2^-Frac.
func (x *Value) Raw() *big.Int { return new(big.Int).Set(&x.raw) }

// RawInt64 returns x's raw word and whether it fits an int64.
func (x *Value) RawInt64() (int64, bool) {
	if !x.raw.IsInt64() {
		return 0, false
	}
	return x.raw.Int64(), true
}

// Float64 returns the float64 nearest to x, ties to even (±Inf beyond the
// float64 range).
func (x *Value) Float64() float64 {
	var v big.Float
	v.SetInt(&x.raw)
	v.SetMantExp(&v, -x.f.Frac())
	f, _ := v.Float64()
	return f
}

// Rat returns x's exact value as a new big.Rat.
func (x *Value) Rat() *big.Rat {
	r := new(big.Rat).SetInt(&x.raw)
	fr := x.f.Frac()
	p := new(big.Int).Lsh(bigOne, uint(abs(fr)))
	if fr >= 0 {
		return r.Quo(r, new(big.Rat).SetInt(p))
	}
	return r.Mul(r, new(big.Rat).SetInt(p))
}

// Text returns x's exact value in decimal, without exponent and without
// trailing zeros: "42", "-0.0625", "1.3125". Every fixed-point value has a
// finite decimal expansion (2^-F = 5^F / 10^F).
func (x *Value) Text() string {
	fr := x.f.Frac()
	if fr <= 0 {
		return new(big.Int).Lsh(&x.raw, uint(-fr)).String()
	}

	// |raw| = ip * 2^F + fp; fp / 2^F = fp * 5^F / 10^F
	var a, ip, fp big.Int
	a.Abs(&x.raw)
	ip.Rsh(&a, uint(fr))
	fp.Sub(&a, new(big.Int).Lsh(&ip, uint(fr)))
	var b strings.Builder
	if x.raw.Sign() < 0 {
		b.WriteByte('-')
	}
	b.WriteString(ip.String())
	if fp.Sign() != 0 {
		fp.Mul(&fp, new(big.Int).Exp(big.NewInt(5), big.NewInt(int64(fr)), nil))
		digits := fp.String()
		b.WriteByte('.')
		b.WriteString(strings.Repeat("0", fr-len(digits)))
		b.WriteString(strings.TrimRight(digits, "0"))
	}
	return b.String()
}

// String returns x.Text().
func (x *Value) String() string { return x.Text() }

// check panics if x has not been set.
func (x *Value) check() {
	if x.f.Width == 0 {
		panic("fixedpoint: Value used before it was set")
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
