package fixedpoint

import (
	"math"
	"testing"
)

// Hand-checked conversions. The quantization and overflow cases are the
// examples of the ap_fixed documentation (AMD UG1399, "Quantization Modes"
// and "Overflow Modes"); the others are worked out by hand in their
// comments. None comes from running this package.

func TestHandQuantization(t *testing.T) {
	// ap_fixed<3,2,Q,AP_SAT>: one fractional bit, so x*2 is rounded to an
	// integer in [-4, 3]; 1.25 and -1.25 are ties (2.5 and -2.5)
	fmt3 := func(q Quant) Format {
		return Format{Signed: true, Width: 3, Int: 2, Quant: q, Overflow: Sat}
	}
	for _, c := range []struct {
		q    Quant
		x    float64
		want float64
	}{
		{Rnd, 1.25, 1.5}, // UG1399: ties toward plus infinity
		{Rnd, -1.25, -1.0},
		{RndZero, 1.25, 1.0}, // ties toward zero
		{RndZero, -1.25, -1.0},
		{RndMinInf, 1.25, 1.0}, // ties toward minus infinity
		{RndMinInf, -1.25, -1.5},
		{RndInf, 1.25, 1.5}, // ties away from zero
		{RndInf, -1.25, -1.5},
		{RndConv, 0.75, 1.0}, // 1.5 -> 2 (even)
		{RndConv, 1.25, 1.0}, // 2.5 -> 2 (even)
		{RndConv, -1.25, -1.0},
		{RndConv, -0.75, -1.0}, // -1.5 -> -2 (even)
		{Trn, 1.25, 1.0},       // toward minus infinity
		{Trn, -1.25, -1.5},
		{TrnZero, 1.25, 1.0}, // toward zero
		{TrnZero, -1.25, -1.0},
		{Rnd, 1.3, 1.5}, // no tie: 2.6 -> 3 in every rounding mode
		{RndZero, -1.3, -1.5},
		{RndMinInf, 1.3, 1.5},
		{RndConv, -1.3, -1.5},
		{TrnZero, -1.3, -1.0}, // -2.6 -> -2
		{Trn, -1.3, -1.5},     // -2.6 -> -3
	} {
		f := fmt3(c.q)
		raw, st := f.Quantize(c.x)
		if got := f.Float(raw); got != c.want || st != Inexact {
			t.Errorf("%v(%v) = %v (%v), want %v (inexact)", f, c.x, got, st, c.want)
		}
	}
}

func TestHandOverflow(t *testing.T) {
	// ap_[u]fixed<4,4,AP_RND,O>: integers in [-8, 7] or [0, 15]
	for _, c := range []struct {
		signed bool
		o      Overflow
		n      int
		x      float64
		want   float64
		st     Status
	}{
		{true, Sat, 0, 19, 7, Saturated}, // UG1399
		{true, Sat, 0, -19, -8, Saturated},
		{false, Sat, 0, 19, 15, Saturated},
		{false, Sat, 0, -19, 0, Saturated},
		{true, SatZero, 0, 19, 0, Saturated},
		{true, SatZero, 0, -19, 0, Saturated},
		{false, SatZero, 0, 19, 0, Saturated},
		{false, SatZero, 0, -19, 0, Saturated},
		{true, SatSym, 0, 19, 7, Saturated},
		{true, SatSym, 0, -19, -7, Saturated},
		{true, SatSym, 0, -8, -7, Saturated}, // the minimum itself becomes -max
		{false, SatSym, 0, 19, 15, Saturated},
		{false, SatSym, 0, -19, 0, Saturated},
		{true, Wrap, 0, 31, -1, Wrapped},  // 31 = 0b1_1111 -> 1111
		{true, Wrap, 0, -19, -3, Wrapped}, // -19 + 16 = -3
		{false, Wrap, 0, 19, 3, Wrapped},
		{false, Wrap, 0, -19, 13, Wrapped}, // -19 + 32
		// one saturation bit: the top bit becomes the sign of the value
		{true, Wrap, 1, 31, 7, Wrapped},   // 1111 -> 0111
		{true, Wrap, 1, -19, -3, Wrapped}, // 1101 keeps its 1
		{false, Wrap, 1, 19, 11, Wrapped}, // 0011 -> 1011
		// two: the sign, then its complement
		{true, Wrap, 2, 19, 7, Wrapped},   // 0011 -> 0111
		{true, Wrap, 2, -24, -8, Wrapped}, // 1000 -> 1000
		{false, Wrap, 2, 19, 15, Wrapped}, // 0011 -> 1111
		// sign-magnitude: 19 = 0b1_0011, the bit above the word (1) differs
		// from its top bit (0), so 0011 is complemented to 1100 = -4;
		// -19 = 0b...10_1101, bit 4 is 0 and the top bit is 1: 0010 = 2
		{true, WrapSM, 0, 19, -4, Wrapped},
		{true, WrapSM, 0, -19, 2, Wrapped},
		{true, WrapSM, 0, 20, -5, Wrapped}, // 1_0100: 0100 -> 1011
		{true, WrapSM, 0, 9, 6, Wrapped},   // 0_1001: bit 4 is 0, top 1: 0110
	} {
		f := Format{Signed: c.signed, Width: 4, Int: 4, Quant: Rnd, Overflow: c.o, SatBits: c.n}
		raw, st := f.Quantize(c.x)
		if got := f.Float(raw); got != c.want || st != c.st {
			t.Errorf("%v(%v) = %v (%v), want %v (%v)", f, c.x, got, st, c.want, c.st)
		}
	}
}

func TestHandCases(t *testing.T) {
	for _, c := range []struct {
		f    string
		x    float64
		want float64
		st   Status
	}{
		// the example: 1.3*32 = 41.6 rounds to 42 = 1.3125; -9 is
		// below the minimum -4
		{"ap_fixed<8,3,AP_RND_CONV,AP_SAT>", 1.3, 1.3125, Inexact},
		{"ap_fixed<8,3,AP_RND_CONV,AP_SAT>", -9, -4, Saturated},
		// rounding can overflow: 7.99*16 = 127.84 rounds to 128 > 127
		{"ap_fixed<8,4,AP_RND,AP_SAT>", 7.99, 7.9375, Inexact | Saturated},
		{"ap_fixed<8,4,AP_RND,AP_WRAP>", 7.99, -8, Inexact | Wrapped},
		// I > W: only multiples of 4; I < 0: only values below 1/8
		{"ap_fixed<4,6>", 13, 12, Inexact},
		{"ap_ufixed<4,-2,AP_RND>", 0.1, 0.09375, Inexact}, // 0.1*64 = 6.4 -> 6
		{"ap_ufixed<4,-2,AP_RND,AP_SAT>", 0.3, 0.234375, Inexact | Saturated},
		// infinities are huge values; a double's exact value is used
		{"ap_fixed<8,3,AP_TRN,AP_SAT>", math.Inf(1), 3.96875, Saturated},
		{"ap_fixed<8,3,AP_TRN,AP_SAT>", math.Inf(-1), -4, Saturated},
		{"ap_fixed<8,3>", math.Inf(1), 0, Wrapped}, // 2^1024: low bits zero
		{"ap_fixed<16,1,AP_RND>", 0.1, 3277.0 / 32768, Inexact},
		{"ap_fixed<8,3>", -0.0, 0, 0},
		{"ap_fixed<8,3,AP_RND_MIN_INF>", -5e-324, 0, Inexact}, // tiny: below half an lsb
		{"ap_fixed<8,3>", -5e-324, -1.0 / 32, Inexact},        // truncated down
	} {
		f, err := ParseFormat(c.f)
		if err != nil {
			t.Fatal(err)
		}
		raw, st := f.Quantize(c.x)
		if got := f.Float(raw); got != c.want || st != c.st {
			t.Errorf("%v(%v) = %v (%v), want %v (%v)", f, c.x, got, st, c.want, c.st)
		}
	}

	// NaN gives the headers' value with the NaN flag: quiet NaN is
	// +1.5 * 2^1024, whose low bits are zero
	f := Format{Signed: true, Width: 8, Int: 3, Overflow: Sat}
	if raw, st := f.Quantize(math.NaN()); raw != f.MaxRaw() || st != NaN|Saturated {
		t.Errorf("%v(NaN) = %d %v, want %d nan|saturated", f, raw, st, f.MaxRaw())
	}
}

func TestHandFixedToFixed(t *testing.T) {
	for _, c := range []struct {
		src, dst string
		raw      int64
		want     int64
		st       Status
	}{
		// 0.5 into a type whose lsb is 4: far below the rounding bit
		{"ap_fixed<8,1>", "ap_fixed<8,10,AP_RND>", 64, 0, Inexact},
		// -1.5 (raw -3 at F=1) to integers: -2 by AP_TRN, -1 by AP_TRN_ZERO
		{"ap_fixed<4,3>", "ap_fixed<4,4>", -3, -2, Inexact},
		{"ap_fixed<4,3>", "ap_fixed<4,4,AP_TRN_ZERO>", -3, -1, Inexact},
		// -1.5 to unsigned: below zero
		{"ap_fixed<4,3>", "ap_ufixed<4,4,AP_RND,AP_SAT>", -3, 0, Inexact | Saturated},
		// widening is exact: 1.25 (raw 10 at F=3) to F=5 is raw 40
		{"ap_fixed<8,5>", "ap_fixed<12,7>", 10, 40, 0},
		// unsigned 15/16 into signed <4,1>: 7.5 eighths, truncated to 7/8
		// (the max), or rounded to 8/8 which saturates to 7/8
		{"ap_ufixed<4,0>", "ap_fixed<4,1,AP_TRN,AP_SAT>", 15, 7, Inexact},
		{"ap_ufixed<4,0>", "ap_fixed<4,1,AP_RND,AP_SAT>", 15, 7, Inexact | Saturated},
		// one-bit signed AP_SAT_SYM: -max would be 0; the headers keep -1
		{"ap_fixed<4,4>", "ap_fixed<1,1,AP_TRN,AP_SAT_SYM>", -5, -1, Saturated},
	} {
		src, err1 := ParseFormat(c.src)
		dst, err2 := ParseFormat(c.dst)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		got, st := dst.Cast(c.raw, src)
		if got != c.want || st != c.st {
			t.Errorf("%v <- %v raw %d: %d (%v), want %d (%v)",
				dst, src, c.raw, got, st, c.want, c.st)
		}
	}
}

func TestHandCaster(t *testing.T) {
	for _, c := range []struct {
		src, dst                     string
		exact, canRound, canOverflow bool
	}{
		{"ap_fixed<8,3>", "ap_fixed<10,4>", true, false, false},                  // a shift
		{"ap_fixed<8,3>", "ap_fixed<8,3,AP_RND,AP_SAT>", true, false, false},     // the same type
		{"ap_fixed<8,3>", "ap_fixed<8,3,AP_TRN,AP_SAT_SYM>", false, false, true}, // -4 -> -max
		{"ap_fixed<8,3>", "ap_ufixed<8,3>", false, false, true},                  // negatives
		{"ap_ufixed<8,3>", "ap_fixed<9,4>", true, false, false},                  // room for a sign
		{"ap_fixed<8,3>", "ap_fixed<8,4>", false, true, false},                   // drops a bit
		// 3.96875 rounds to 4
		{"ap_fixed<8,3>", "ap_fixed<7,3,AP_RND>", false, true, true},
		{"ap_fixed<8,3>", "ap_fixed<7,3,AP_RND_MIN_INF>", false, true, false}, // 63.5 -> 63
		// truncation stays in range
		{"ap_fixed<8,3>", "ap_fixed<7,3>", false, true, false},
		{"ap_fixed<8,3>", "ap_fixed<12,-2>", false, false, true},
	} {
		src, _ := ParseFormat(c.src)
		dst, _ := ParseFormat(c.dst)
		k := NewCaster(src, dst)
		if k.Exact() != c.exact || k.CanRound() != c.canRound || k.CanOverflow() != c.canOverflow {
			t.Errorf("%v -> %v: exact %v, round %v, overflow %v; want %v %v %v", src, dst,
				k.Exact(), k.CanRound(), k.CanOverflow(), c.exact, c.canRound, c.canOverflow)
		}
	}
}

func TestHandFormat(t *testing.T) {
	f := Fixed(8, 3)
	if f.MinRaw() != -128 || f.MaxRaw() != 127 || f.Min() != -4 || f.Max() != 3.96875 {
		t.Errorf("%v: range %d..%d, %v..%v", f, f.MinRaw(), f.MaxRaw(), f.Min(), f.Max())
	}
	u := UFixed(4, -2) // 15/64
	if u.MinRaw() != 0 || u.MaxRaw() != 15 || u.Max() != 0.234375 {
		t.Errorf("%v: range %d..%d, max %v", u, u.MinRaw(), u.MaxRaw(), u.Max())
	}
	w := Fixed(64, 64)
	if w.MinRaw() != math.MinInt64 || w.MaxRaw() != math.MaxInt64 || w.Max() != 0x1p63 {
		t.Errorf("%v: range %d..%d", w, w.MinRaw(), w.MaxRaw())
	}
	if u := UFixed(63, 63); u.MaxRaw() != 1<<63-1 {
		t.Errorf("%v: max %d", u, u.MaxRaw())
	}

	// to_double rounds to nearest even: 2^53+1 is a tie, 2^53+3 too
	if w.Float(1<<53+1) != 0x1p53 || w.Float(1<<53+3) != 0x1p53+4 {
		t.Errorf("Float does not round to even: %v %v", w.Float(1<<53+1), w.Float(1<<53+3))
	}
	// the smallest subnormal: 2^-1074 = raw 1 with F = 1074
	if g := Fixed(2, -1072); g.Float(1) != 5e-324 || g.Float(-1) != -5e-324 {
		t.Errorf("%v.Float(±1) = %v %v", g, g.Float(1), g.Float(-1))
	}

	// words
	if f.Bits(-128) != 0x80 || f.Bits(-1) != 0xff ||
		f.FromBits(0xff) != -1 || f.FromBits(0x17f) != 127 {
		t.Errorf("Bits/FromBits of %v", f)
	}
	if g := UFixed(8, 8); g.FromBits(0xff) != 255 {
		t.Errorf("%v.FromBits(0xff) = %d", g, g.FromBits(0xff))
	}

	// exact decimals and integer parts
	for _, c := range []struct {
		f    Format
		raw  int64
		text string
		ip   int64
	}{
		{f, 42, "1.3125", 1},
		{f, -128, "-4", -4},
		{f, -1, "-0.03125", 0},
		{UFixed(4, -2), 1, "0.015625", 0},
		{Fixed(4, 6), -8, "-32", -32},
		{Fixed(8, 4), -120, "-7.5", -7},     // truncated toward zero
		{Fixed(8, 0), -30, "-0.1171875", 0}, // -30/256
	} {
		if got := c.f.Text(c.raw); got != c.text {
			t.Errorf("%v.Text(%d) = %q, want %q", c.f, c.raw, got, c.text)
		}
		if got := c.f.IntPart(c.raw); got != c.ip {
			t.Errorf("%v.IntPart(%d) = %d, want %d", c.f, c.raw, got, c.ip)
		}
	}
}

func TestHandValue(t *testing.T) {
	// (-1) * (-1) in ap_fixed<64,1>: 1 needs the 128-bit product type
	var x, z Value
	x.SetRaw(Fixed(64, 1), math.MinInt64)
	z.Mul(&x, &x)
	if z.Format() != Fixed(128, 2) || z.Text() != "1" || z.Float64() != 1 {
		t.Errorf("(-1)^2 = %s in %v", z.Text(), z.Format())
	}
	// 1 - (-1) = 2 needs one more integer bit
	z.Sub(&z, &x)
	if z.Format() != Fixed(129, 3) || z.Text() != "2" {
		t.Errorf("1 - (-1) = %s in %v", z.Text(), z.Format())
	}
	// ... and back to ap_fixed<8,2,AP_TRN,AP_SAT>, whose max is 1.984375
	var c Value
	st := c.Cast(&z, Format{Signed: true, Width: 8, Int: 2, Overflow: Sat})
	if c.Text() != "1.984375" || st != Saturated {
		t.Errorf("2 into ap_fixed<8,2,AP_TRN,AP_SAT> = %s (%v)", c.Text(), st)
	}
	// 1/3 as ap_fixed<8,2> / ap_fixed<8,3>: DivFormat is <1+8+5, 1+2+5>,
	// 6 fractional bits; 0.3333*64 = 21.33 truncates to 21
	var a, b Value
	a.SetRaw(Fixed(8, 2), 64) // 1
	b.SetRaw(Fixed(8, 3), 96) // 3
	z.Quo(&a, &b)
	if z.Format() != Fixed(14, 8) || z.Text() != "0.328125" {
		t.Errorf("1/3 = %s in %v", z.Text(), z.Format())
	}
	if a.Cmp(&b) != -1 || b.Cmp(&a) != 1 || z.Cmp(&z) != 0 {
		t.Errorf("Cmp is wrong")
	}
	if r := z.Rat(); r.RatString() != "21/64" {
		t.Errorf("Rat = %s", r.RatString())
	}
}
