package quantize

import (
	"math"
	"math/rand/v2"
	"testing"

	"kd2fpga/fixedpoint"
)

// TestFastCastMatchesCaster compares fastCast with fixedpoint.Caster on
// random format pairs over random words of the range each was made for,
// wider than the source format at times (deferred wraps cast such sums).
func TestFastCastMatchesCaster(t *testing.T) {
	g := &modelGen{r: rand.New(rand.NewPCG(6, 6))}
	modes := map[castMode]int{}
	simple := 0
	for range 20000 {
		src, dst := g.format(g.r.IntN(4) != 0), g.format(g.r.IntN(4) != 0)
		lo, hi := src.MinRaw(), src.MaxRaw()
		if g.r.IntN(3) == 0 {
			lo, hi = lo*int64(1+g.r.IntN(100)), hi*int64(1+g.r.IntN(100))
		}
		fc := newFastCast(src, dst, lo, hi)
		modes[fc.mode]++
		if fc.simple {
			simple++
		}
		c := fixedpoint.NewCaster(src, dst)
		for k := range 30 {
			x := lo + g.r.Int64N(hi-lo+1)
			switch k {
			case 0:
				x = lo
			case 1:
				x = hi
			case 2:
				x = 0
			}
			want, _ := c.Cast(x)
			if got := fc.cast(x); got != want {
				t.Fatalf("%v -> %v of %d (range [%d, %d], mode %d/%d): fast %d, Caster %d",
					src, dst, x, lo, hi, fc.mode, fc.ovf, got, want)
			}
		}
	}
	if modes[castNone] == 0 || modes[castLeft] == 0 || modes[castRight] == 0 ||
		modes[castSlow] == 0 || simple == 0 {
		t.Errorf("not every form was tested: %v, %d simple", modes, simple)
	}
}

// TestFloatQuantizerMatchesQuantize compares the input quantizer's fast
// path with Format.Quantize on ties, tiny and huge values, NaN and
// infinities.
func TestFloatQuantizerMatchesQuantize(t *testing.T) {
	g := &modelGen{r: rand.New(rand.NewPCG(7, 7))}
	for range 5000 {
		f := g.format(g.r.IntN(4) != 0)
		q := newFloatQuantizer(f)
		lsb := math.Ldexp(1, -f.Frac())
		for k := range 40 {
			var x float64
			switch k % 8 {
			case 0: // an exact tie between two words
				x = (float64(g.r.Int64N(1<<12)-1<<11) + 0.5) * lsb
			case 1: // a representable value
				x = float64(g.r.Int64N(1<<12)-1<<11) * lsb
			case 2: // tiny, of either sign
				x = (g.r.Float64() - 0.5) * math.Ldexp(1, -1070+g.r.IntN(1000))
			case 3: // huge
				x = (g.r.Float64() - 0.5) * math.Ldexp(1, g.r.IntN(1020))
			case 4:
				x = []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1)}[g.r.IntN(5)]
			default:
				x = g.r.NormFloat64() * math.Ldexp(1, f.Int-1)
			}
			want, wst := f.Quantize(x)
			got, gst := q.quantize(x)
			if got != want || gst != wst {
				t.Fatalf("%v of %v (%x): fast %d %v, Quantize %d %v", f, x, math.Float64bits(x),
					got, gst, want, wst)
			}
		}
	}
}
