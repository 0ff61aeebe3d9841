package fixedpoint

import (
	"math"
	"math/big"
	"strings"
	"testing"
)

// The fuzz tests compare the package with the big.Rat reference on
// arbitrary formats and values. Plain `go test` runs their seeds (those
// added here and those under testdata/fuzz).

// fuzzFormat turns arbitrary numbers into a valid format.
func fuzzFormat(signed bool, w, i int, q, o, n uint8) Format {
	maxW := MaxWidth
	if !signed {
		maxW = MaxUnsignedWidth
	}
	f := Format{
		Signed:   signed,
		Width:    1 + int(uint(w)%uint(maxW)),
		Int:      i % (MaxIntBits + 1),
		Quant:    Quant(q % 7),
		Overflow: Overflow(o % 5),
	}
	f.SatBits = int(n) % (f.Width + 1)
	if f.Overflow == WrapSM && !signed {
		f.Overflow = Wrap
	}
	return f
}

func FuzzQuantize(f *testing.F) {
	f.Add(true, 8, 3, uint8(RndConv), uint8(Sat), uint8(0), 1.3)
	f.Add(true, 8, 3, uint8(RndConv), uint8(Sat), uint8(0), -9.0)
	f.Add(false, 4, -2, uint8(Rnd), uint8(WrapSM), uint8(2), 0.29296875)
	f.Add(true, 64, 64, uint8(RndInf), uint8(SatSym), uint8(0), -9.3e18)
	f.Add(true, 5, 1024, uint8(TrnZero), uint8(Wrap), uint8(3), math.Inf(-1))
	f.Add(true, 7, -1024, uint8(RndMinInf), uint8(WrapSM), uint8(1), 5e-324)
	f.Add(false, 63, 0, uint8(RndZero), uint8(SatZero), uint8(0), math.NaN())
	f.Add(true, 1, 0, uint8(Rnd), uint8(SatSym), uint8(0), -0.25)
	f.Fuzz(func(t *testing.T, signed bool, w, i int, q, o, n uint8, x float64) {
		fm := fuzzFormat(signed, w, i, q, o, n)
		raw, st := fm.Quantize(x)

		want, wantSt := refConvert(refFloat(x), fm, true)
		if math.IsNaN(x) {
			wantSt |= NaN
		}
		if !want.IsInt64() || raw != want.Int64() || st != wantSt {
			t.Fatalf("%v.Quantize(%v) = %d %v, reference %v %v", fm, x, raw, st, want, wantSt)
		}
		if raw < fm.MinRaw() || raw > fm.MaxRaw() {
			t.Fatalf("%v.Quantize(%v) = %d, outside the format", fm, x, raw)
		}
		var v Value
		if st2 := v.SetFloat64(x, fm); v.raw.Cmp(want) != 0 || st2 != st {
			t.Fatalf("Value.SetFloat64(%v, %v) = %v %v, Quantize %d %v",
				x, fm, &v.raw, st2, raw, st)
		}
	})
}

func FuzzCast(f *testing.F) {
	f.Add(true, 16, 6, int64(-12345), true, 8, 3, uint8(RndConv), uint8(Sat), uint8(0))
	f.Add(false, 18, 3, int64(0x3e455), true, 4, 1, uint8(Rnd), uint8(WrapSM), uint8(2))
	f.Add(true, 64, 0, int64(math.MinInt64), true, 1, 0, uint8(RndInf), uint8(SatSym), uint8(0))
	f.Add(true, 64, 64, int64(math.MaxInt64), false, 63, -1000,
		uint8(TrnZero), uint8(Wrap), uint8(5))
	f.Add(true, 5, -1024, int64(-7), true, 64, 1024, uint8(RndZero), uint8(Wrap), uint8(64))
	f.Add(true, 8, 1, int64(0x40), true, 8, 10, uint8(Rnd), uint8(Wrap), uint8(0))
	f.Fuzz(func(t *testing.T, ss bool, sw, si int, raw int64,
		ds bool, dw, di int, q, o, n uint8) {
		src := fuzzFormat(ss, sw, si, 0, 0, 0)
		dst := fuzzFormat(ds, dw, di, q, o, n)
		raw = src.FromBits(uint64(raw))

		c := NewCaster(src, dst)
		got, st := c.Cast(raw)
		want, wantSt := refConvert(refValue(src, big.NewInt(raw)), dst, src.Signed)
		if !want.IsInt64() || got != want.Int64() || st != wantSt {
			t.Fatalf("Caster %v -> %v, raw %d: %d %v, reference %v %v",
				src, dst, raw, got, st, want, wantSt)
		}
		if got2, st2 := dst.Cast(raw, src); got2 != got || st2 != st {
			t.Fatalf("Format.Cast %v -> %v, raw %d: %d %v, Caster %d %v",
				src, dst, raw, got2, st2, got, st)
		}
		var x, z Value
		if st3 := z.Cast(x.SetRaw(src, raw), dst); z.raw.Cmp(want) != 0 || st3 != st {
			t.Fatalf("Value.Cast %v -> %v, raw %d: %v %v, Caster %d %v",
				src, dst, raw, &z.raw, st3, got, st)
		}

		// what the Caster promises about every word of src
		if c.Exact() && (st != 0 || got != raw<<c.Shift()) {
			t.Fatalf("exact Caster %v -> %v, raw %d: %d %v", src, dst, raw, got, st)
		}
		if !c.CanRound() && st&Inexact != 0 || !c.CanOverflow() && st.Overflowed() {
			t.Fatalf("Caster %v -> %v (round %v, overflow %v), raw %d: status %v",
				src, dst, c.CanRound(), c.CanOverflow(), raw, st)
		}
	})
}

func FuzzParseFormat(f *testing.F) {
	for _, s := range []string{
		"ap_fixed<16,6>", "ap_ufixed<8,0,AP_TRN,AP_WRAP,2>", " fixed< 8 , 3 , RND_CONV , SAT > ",
		"int<8>", "ap_uint<63>", "ap_fixed<0,3>", "ap_ufixed<4,2,AP_RND,AP_WRAP_SM>",
		"ap_fixed<8,3,AP_FOO>", "ap_fixed<65,3>", "ap_fixed<8,3", "garbage",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fm, err := ParseFormat(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "format ") {
				t.Fatalf("ParseFormat(%q): error %q does not say where", s, err)
			}
			return
		}
		if err := fm.Validate(); err != nil {
			t.Fatalf("ParseFormat(%q) = %v, which is invalid: %v", s, fm, err)
		}
		if g, err := ParseFormat(fm.String()); err != nil || g != fm {
			t.Fatalf("ParseFormat(%q) = %v, whose String %q parses to %v, %v",
				s, fm, fm.String(), g, err)
		}
	})
}

func FuzzArith(f *testing.F) {
	f.Add(uint8(0), true, 64, 3, int64(math.MinInt64), true, 64, -7, int64(math.MinInt64),
		true, 16, 6, uint8(RndConv), uint8(Sat))
	f.Add(uint8(1), false, 18, 3, int64(0x3e455), true, 4, 900, int64(-3),
		false, 40, 20, uint8(Rnd), uint8(Wrap))
	f.Add(uint8(2), true, 5, -1000, int64(9), false, 63, 1000, int64(math.MaxInt64),
		true, 64, 1000, uint8(RndInf), uint8(WrapSM))
	f.Add(uint8(3), true, 4, 3, int64(-8), true, 4, 3, int64(0), true, 4, 4, uint8(0), uint8(0))
	f.Add(uint8(4), true, 18, 3, int64(-123456), true, 8, 6, int64(-20),
		true, 8, 2, uint8(RndZero), uint8(SatSym))
	f.Add(uint8(5), false, 8, 3, int64(200), true, 1, 1, int64(9), true, 8, 8, uint8(0), uint8(0))
	f.Add(uint8(6), true, 8, 3, int64(-100), true, 1, 1, int64(-3), true, 8, 8, uint8(0), uint8(0))
	f.Fuzz(func(t *testing.T, op uint8, sx bool, wx, ix int, rx int64, sy bool, wy, iy int,
		ry int64, sg bool, wg, ig int, q, o uint8) {
		fx := fuzzFormat(sx, wx, ix, 0, 0, 0)
		fy := fuzzFormat(sy, wy, iy, 0, 0, 0)
		var x, y, z Value
		x.SetRaw(fx, fx.FromBits(uint64(rx)))
		y.SetRaw(fy, fy.FromBits(uint64(ry)))
		a, b := x.Rat(), y.Rat()

		// the operation, its format and its exact value
		var want *big.Rat
		var wantFormat Format
		switch op % 7 {
		case 0:
			z.Mul(&x, &y)
			want, wantFormat = new(big.Rat).Mul(a, b), MulFormat(fx, fy)
		case 1:
			z.Add(&x, &y)
			want, wantFormat = new(big.Rat).Add(a, b), AddFormat(fx, fy)
		case 2:
			z.Sub(&x, &y)
			want, wantFormat = new(big.Rat).Sub(a, b), SubFormat(fx, fy)
		case 3:
			z.Neg(&x)
			want, wantFormat = new(big.Rat).Neg(a), NegFormat(fx)
		case 4:
			if y.Sign() == 0 {
				return
			}
			z.Quo(&x, &y)
			wantFormat = DivFormat(fx, fy)
			want = refQuo(a, b, wantFormat)
		case 5, 6:
			n := int(ry % 80)
			if op%7 == 5 {
				z.Shl(&x, n)
			} else {
				z.Shr(&x, n)
			}
			want, wantFormat = refShift(&x, n, op%7 == 5), fx
		}
		if z.Format() != wantFormat {
			t.Fatalf("op %d on %v and %v: format %v, want %v", op%7, fx, fy, z.Format(), wantFormat)
		}
		if z.Rat().Cmp(want) != 0 {
			t.Fatalf("op %d on %v (%s) and %v (%s): %s, want %s",
				op%7, fx, x.Text(), fy, y.Text(), z.Text(), want.RatString())
		}

		// the result, however wide, converts into another format as the
		// reference says
		g := fuzzFormat(sg, wg, ig, q, o, 0)
		var c Value
		st := c.Cast(&z, g)
		wantRaw, wantSt := refConvert(z.Rat(), g, z.Format().Signed)
		if c.raw.Cmp(wantRaw) != 0 || st != wantSt {
			t.Fatalf("%v (%s) cast to %v: %v %v, reference %v %v",
				z.Format(), z.Text(), g, &c.raw, st, wantRaw, wantSt)
		}
	})
}

// refQuo returns the headers' quotient of a by b in format f: the exact
// quotient truncated toward zero at f's least significant bit, then
// wrapped into f's width (which the format is wide enough never to need).
func refQuo(a, b *big.Rat, f Format) *big.Rat {
	q := new(big.Rat).Quo(a, b)
	q.Mul(q, ratPow2(f.Frac()))
	n := new(big.Int).Quo(q.Num(), q.Denom()) // truncates toward zero
	pw := new(big.Int).Lsh(big.NewInt(1), uint(f.Width))
	n.Mod(n, pw)
	if f.Signed && n.Bit(f.Width-1) == 1 {
		n.Sub(n, pw)
	}
	return refValue(f, n)
}

// refShift returns x with its raw word shifted left (or right) by n bits
// in x's own format: left shifts keep the low W bits, right shifts floor.
func refShift(x *Value, n int, left bool) *big.Rat {
	f := x.Format()
	if n < 0 {
		n, left = -n, !left
	}
	r := x.Raw()
	if !left {
		d := new(big.Int).Lsh(big.NewInt(1), uint(n))
		return refValue(f, ratFloor(new(big.Rat).SetFrac(r, d)))
	}
	pw := new(big.Int).Lsh(big.NewInt(1), uint(f.Width))
	r.Mul(r, new(big.Int).Lsh(big.NewInt(1), uint(n)))
	r.Mod(r, pw)
	if f.Signed && r.Bit(f.Width-1) == 1 {
		r.Sub(r, pw)
	}
	return refValue(f, r)
}
