package fixedpoint

import "testing"

func TestParseFormat(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Format
		str  string
	}{
		{"ap_fixed<16,6>", Fixed(16, 6), "ap_fixed<16,6>"},
		{"ap_ufixed<8,0,AP_TRN,AP_WRAP,2>", Format{Width: 8, SatBits: 2},
			"ap_ufixed<8,0,AP_TRN,AP_WRAP,2>"},
		{"ap_fixed<8,3,AP_RND_CONV,AP_SAT>",
			Format{Signed: true, Width: 8, Int: 3, Quant: RndConv, Overflow: Sat},
			"ap_fixed<8,3,AP_RND_CONV,AP_SAT>"},
		{" fixed < 8 , 3 , rnd_conv , SAT > ",
			Format{Signed: true, Width: 8, Int: 3, Quant: RndConv, Overflow: Sat},
			"ap_fixed<8,3,AP_RND_CONV,AP_SAT>"},
		{"ap_fixed<8,3,AP_RND,AP_WRAP,0>", Format{Signed: true, Width: 8, Int: 3, Quant: Rnd},
			"ap_fixed<8,3,AP_RND>"},
		{"ufixed<4,-2,AP_TRN_ZERO>", Format{Width: 4, Int: -2, Quant: TrnZero},
			"ap_ufixed<4,-2,AP_TRN_ZERO>"},
		{"ap_fixed<18,20,AP_RND_INF,AP_WRAP_SM,3>",
			Format{Signed: true, Width: 18, Int: 20, Quant: RndInf, Overflow: WrapSM, SatBits: 3},
			"ap_fixed<18,20,AP_RND_INF,AP_WRAP_SM,3>"},
		{"ap_fixed<8,3,AP_TRN,AP_SAT_ZERO,5>",
			Format{Signed: true, Width: 8, Int: 3, Overflow: SatZero, SatBits: 5},
			"ap_fixed<8,3,AP_TRN,AP_SAT_ZERO,5>"},
		{"ap_int<16>", Fixed(16, 16), "ap_fixed<16,16>"},
		{"int<8>", Fixed(8, 8), "ap_fixed<8,8>"},
		{"ap_uint<63>", UFixed(63, 63), "ap_ufixed<63,63>"},
		{"uint<1>", UFixed(1, 1), "ap_ufixed<1,1>"},
		{"ap_fixed<64,-1024>", Fixed(64, -1024), "ap_fixed<64,-1024>"},
		{"AP_FIXED<4,1024>", Fixed(4, 1024), "ap_fixed<4,1024>"},
	} {
		f, err := ParseFormat(c.in)
		if err != nil || f != c.want {
			t.Errorf("ParseFormat(%q) = %#v, %v; want %#v", c.in, f, err, c.want)
			continue
		}
		if f.String() != c.str {
			t.Errorf("%#v.String() = %q, want %q", f, f.String(), c.str)
		}
		if g, err := ParseFormat(f.String()); err != nil || g != f {
			t.Errorf("ParseFormat(%q) = %v, %v; want %#v", f.String(), g, err, f)
		}
	}
}

func TestParseFormatErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"ap_fixed<0,3>", `format "ap_fixed<0,3>": width 0 is below 1`},
		{"ap_fixed<65,3>", `format "ap_fixed<65,3>": width 65 is above 64`},
		{"ap_uint<64>", `format "ap_uint<64>": unsigned width 64 is above 63 ` +
			`(the raw word must fit an int64)`},
		{"ap_fixed<8,3,AP_FOO>",
			`format "ap_fixed<8,3,AP_FOO>": unknown quantization mode "AP_FOO"`},
		{"ap_fixed<8,3,AP_RND,SAT_MAX>",
			`format "ap_fixed<8,3,AP_RND,SAT_MAX>": unknown overflow mode "SAT_MAX"`},
		{"ap_ufixed<8,3,AP_RND,AP_WRAP_SM>", `format "ap_ufixed<8,3,AP_RND,AP_WRAP_SM>": ` +
			`AP_WRAP_SM needs a signed format (ap_fixed, not ap_ufixed)`},
		{"ap_fixed<8,3,AP_RND,AP_WRAP,9>",
			`format "ap_fixed<8,3,AP_RND,AP_WRAP,9>": saturation bits 9 outside [0, 8]`},
		{"ap_fixed<8,3,AP_RND,AP_WRAP,-1>",
			`format "ap_fixed<8,3,AP_RND,AP_WRAP,-1>": saturation bits -1 outside [0, 8]`},
		{"ap_fixed<8,2000>", `format "ap_fixed<8,2000>": integer bits 2000 outside [-1024, 1024]`},
		{"ap_fixed<8,x>", `format "ap_fixed<8,x>": integer bits "x" is not an integer`},
		{"ap_fixed<,3>", `format "ap_fixed<,3>": width "" is not an integer`},
		{"ap_fixed<99999999999,3>",
			`format "ap_fixed<99999999999,3>": width 99999999999 is out of range`},
		{"ap_fixed<8>", `format "ap_fixed<8>": ap_fixed takes 2 to 5 parameters, not 1`},
		{"ap_int<8,3>", `format "ap_int<8,3>": ap_int takes 1 parameter, not 2`},
		{"ap_fixed<8,3,AP_RND,AP_WRAP,0,1>",
			`format "ap_fixed<8,3,AP_RND,AP_WRAP,0,1>": ap_fixed takes 2 to 5 parameters, not 6`},
		{"foo<8,3>", `format "foo<8,3>": unknown type "foo": want ap_fixed<W,I[,Q[,O[,N]]]>, ` +
			`ap_ufixed<...>, ap_int<W> or ap_uint<W>`},
		{"garbage", `format "garbage": want ap_fixed<W,I[,Q[,O[,N]]]>, ap_ufixed<...>, ` +
			`ap_int<W> or ap_uint<W>`},
		{"ap_fixed<8,3", `format "ap_fixed<8,3": want ap_fixed<W,I[,Q[,O[,N]]]>, ` +
			`ap_ufixed<...>, ap_int<W> or ap_uint<W>`},
		{"", `format "": want ap_fixed<W,I[,Q[,O[,N]]]>, ap_ufixed<...>, ap_int<W> or ap_uint<W>`},
	} {
		_, err := ParseFormat(c.in)
		if err == nil || err.Error() != c.want {
			t.Errorf("ParseFormat(%q) error:\n got %v\nwant %s", c.in, err, c.want)
		}
	}
}

func TestValidate(t *testing.T) {
	err := Format{}.Validate()
	if err == nil || err.Error() != "format ap_ufixed<0,0>: width 0 is below 1" {
		t.Errorf("zero Format: %v", err)
	}
	if err := (Format{Signed: true, Width: 8, Quant: 9}).Validate(); err == nil ||
		err.Error() != "format ap_fixed<8,0,Quant(9)>: unknown quantization mode 9" {
		t.Errorf("bad mode: %v", err)
	}
	if err := Fixed(64, 64).Validate(); err != nil {
		t.Errorf("ap_fixed<64,64>: %v", err)
	}
}

func TestModeNames(t *testing.T) {
	for q := Trn; q <= RndConv; q++ {
		if g, err := ParseQuant(q.String()); err != nil || g != q {
			t.Errorf("ParseQuant(%q) = %v, %v", q.String(), g, err)
		}
	}
	for o := Wrap; o <= WrapSM; o++ {
		if g, err := ParseOverflow(o.String()); err != nil || g != o {
			t.Errorf("ParseOverflow(%q) = %v, %v", o.String(), g, err)
		}
	}
	if RndMinInf.String() != "AP_RND_MIN_INF" || SatSym.String() != "AP_SAT_SYM" ||
		WrapSM.String() != "AP_WRAP_SM" || Trn.String() != "AP_TRN" {
		t.Errorf("mode names")
	}
	if q, err := ParseQuant("rnd_zero"); err != nil || q != RndZero {
		t.Errorf("ParseQuant(rnd_zero) = %v, %v", q, err)
	}
	if _, err := ParseOverflow("AP_SAT_"); err == nil {
		t.Errorf("ParseOverflow(AP_SAT_) did not fail")
	}
	if s := (Inexact | Saturated).String(); s != "inexact|saturated" {
		t.Errorf("Status string %q", s)
	}
	if s := Status(0).String(); s != "exact" {
		t.Errorf("Status string %q", s)
	}
	if !Wrapped.Overflowed() || Inexact.Overflowed() {
		t.Errorf("Overflowed")
	}
}

// TestValidateAgreesWithConversions checks that the conversions accept
// exactly the formats Validate accepts (they check validity their own,
// cheaper way).
func TestValidateAgreesWithConversions(t *testing.T) {
	for _, signed := range []bool{false, true} {
		for _, w := range []int{-1, 0, 1, 2, 63, 64, 65} {
			for _, i := range []int{-1025, -1024, 0, 1024, 1025} {
				for _, q := range []Quant{Trn, RndConv, RndConv + 1} {
					for _, o := range []Overflow{Wrap, SatSym, WrapSM, WrapSM + 1} {
						for _, n := range []int{-1, 0, w, w + 1} {
							f := Format{Signed: signed, Width: w, Int: i, Quant: q,
								Overflow: o, SatBits: n}
							valid := f.Validate() == nil
							if accepted := !panics(func() { f.Quantize(1) }); accepted != valid {
								t.Errorf("%#v: Validate says %v, Quantize %v", f, valid, accepted)
							}
						}
					}
				}
			}
		}
	}
}

// panics reports whether f panics.
func panics(f func()) (p bool) {
	defer func() { p = recover() != nil }()
	f()
	return false
}
