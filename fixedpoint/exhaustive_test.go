package fixedpoint

import (
	"fmt"
	"math/big"
	"testing"
)

// allModes returns f with every quantization mode, every overflow mode
// the format allows, and every saturation bit count of the wrapping modes.
func allModes(f Format) []Format {
	var fs []Format
	for q := Trn; q <= RndConv; q++ {
		for o := Wrap; o <= WrapSM; o++ {
			if o == WrapSM && !f.Signed {
				continue
			}
			nmax := 0
			if o == Wrap || o == WrapSM {
				nmax = f.Width
			}
			for n := 0; n <= nmax; n++ {
				g := f
				g.Quant, g.Overflow, g.SatBits = q, o, n
				fs = append(fs, g)
			}
		}
	}
	return fs
}

// smallFormats returns the formats of every width in ws and integer bits
// in is, signed and unsigned, with the default modes.
func smallFormats(ws, is []int) []Format {
	var fs []Format
	for _, w := range ws {
		for _, i := range is {
			fs = append(fs, Fixed(w, i), UFixed(w, i))
		}
	}
	return fs
}

// exhaustiveGrid returns the widths and integer bits of the exhaustive
// tests; -short takes a smaller grid.
func exhaustiveGrid() (ws, is []int) {
	if testing.Short() {
		return []int{1, 2, 3}, []int{-1, 0, 1, 3}
	}
	return []int{1, 2, 3, 4}, []int{-2, -1, 0, 1, 2, 3, 4, 5}
}

// refResult is the reference's answer for one value in one format.
type refResult struct {
	raw int64
	st  Status
}

// TestExhaustiveCast converts every word of every small format into every
// small format with every mode, with Caster, Format.Cast, Quantize (the
// source value as a float64) and, for a sample, Value.Cast, and compares
// each with the big.Rat reference.
func TestExhaustiveCast(t *testing.T) {
	ws, is := exhaustiveGrid()
	srcs := smallFormats(ws, is)

	// the distinct source values, each with the words that hold it
	type source struct {
		x      *big.Rat
		signed bool
		words  []Value // one per source format holding the value
	}
	var values []*source
	index := map[string]*source{}
	for _, f := range srcs {
		for raw := f.MinRaw(); raw <= f.MaxRaw(); raw++ {
			var v Value
			v.SetRaw(f, raw)
			key := fmt.Sprint(f.Signed, v.Rat())
			s := index[key]
			if s == nil {
				s = &source{x: v.Rat(), signed: f.Signed}
				index[key] = s
				values = append(values, s)
			}
			s.words = append(s.words, Value{})
			s.words[len(s.words)-1].Set(&v)
		}
	}

	targets := 0
	for _, base := range srcs {
		targets += len(allModes(base))
	}
	t.Logf("%d source values (in %d formats) into %d target formats", len(values),
		len(srcs), targets)

	// one parallel subtest per target width, integer bits and signedness
	for _, base := range srcs {
		t.Run(base.String(), func(t *testing.T) {
			t.Parallel()
			for k, dst := range allModes(base) {
				for _, s := range values {
					rawRef, stRef := refConvert(s.x, dst, s.signed)
					want := refResult{rawRef.Int64(), stRef}
					for i := range s.words {
						checkCastWord(t, &s.words[i], dst, want, (k+i)%5 == 0)
					}

					// a double is signed, which matters only for
					// negative values
					x := s.words[0].Float64() // exact: few bits
					if got, st := dst.Quantize(x); (refResult{got, st}) != want {
						t.Fatalf("%v.Quantize(%v) = %d %v, reference %d %v",
							dst, x, got, st, want.raw, want.st)
					}
				}
			}
		})
	}
}

// checkCastWord converts the word w into dst with Caster and Format.Cast,
// and with Value.Cast when withValue is set, and compares them with want.
func checkCastWord(t *testing.T, w *Value, dst Format, want refResult, withValue bool) {
	t.Helper()
	src := w.Format()
	raw, _ := w.RawInt64()
	c := NewCaster(src, dst)
	got, st := c.Cast(raw)
	if (refResult{got, st}) != want {
		t.Fatalf("Caster %v -> %v, raw %d (%s): %d %v, reference %d %v",
			src, dst, raw, w.Text(), got, st, want.raw, want.st)
	}
	if got2, st2 := dst.Cast(raw, src); got2 != got || st2 != st {
		t.Fatalf("Format.Cast %v -> %v, raw %d: %d %v, Caster %d %v",
			src, dst, raw, got2, st2, got, st)
	}
	if withValue {
		var z Value
		st3 := z.Cast(w, dst)
		if got3, _ := z.RawInt64(); got3 != got || st3 != st {
			t.Fatalf("Value.Cast %v -> %v, raw %d: %d %v, Caster %d %v",
				src, dst, raw, got3, st3, got, st)
		}
	}
}

// TestExhaustiveArith applies every operator of Value to every pair of
// words of small formats and compares the result, and its format, with
// exact rational arithmetic.
func TestExhaustiveArith(t *testing.T) {
	var words []*Value
	for _, f := range smallFormats([]int{1, 2, 3}, []int{-1, 0, 2, 4}) {
		for raw := f.MinRaw(); raw <= f.MaxRaw(); raw++ {
			words = append(words, new(Value).SetRaw(f, raw))
		}
	}
	var z Value
	for _, x := range words {
		for _, y := range words {
			a, b := x.Rat(), y.Rat()
			fx, fy := x.Format(), y.Format()
			check := func(op string, f Format, want *big.Rat) {
				if z.Format() != f || z.Rat().Cmp(want) != 0 {
					t.Fatalf("%v (%s) %s %v (%s) = %s in %v, want %s in %v",
						fx, x.Text(), op, fy, y.Text(), z.Text(), z.Format(), want.RatString(), f)
				}
			}
			z.Mul(x, y)
			check("*", MulFormat(fx, fy), new(big.Rat).Mul(a, b))
			z.Add(x, y)
			check("+", AddFormat(fx, fy), new(big.Rat).Add(a, b))
			z.Sub(x, y)
			check("-", SubFormat(fx, fy), new(big.Rat).Sub(a, b))
			if y.Sign() != 0 {
				z.Quo(x, y)
				f := DivFormat(fx, fy)
				check("/", f, refQuo(a, b, f))
			}
			if x.Cmp(y) != a.Cmp(b) {
				t.Fatalf("Cmp(%s, %s) = %d", x.Text(), y.Text(), x.Cmp(y))
			}
		}
		z.Neg(x)
		if z.Format() != NegFormat(x.Format()) || z.Rat().Cmp(new(big.Rat).Neg(x.Rat())) != 0 {
			t.Fatalf("-(%s) = %s in %v", x.Text(), z.Text(), z.Format())
		}
		for n := -5; n <= 5; n++ {
			z.Shl(x, n)
			if z.Format() != x.Format() || z.Rat().Cmp(refShift(x, n, true)) != 0 {
				t.Fatalf("%s << %d = %s in %v", x.Text(), n, z.Text(), z.Format())
			}
		}
	}
	t.Logf("%d words, %d pairs", len(words), len(words)*len(words))
}
