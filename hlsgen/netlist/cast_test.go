package netlist

import (
	"math/rand/v2"
	"testing"

	"kd2fpga/fixedpoint"
)

// castNetlist builds a netlist of one input in src cast to dst.
func castNetlist(t testing.TB, src, dst fixedpoint.Format) *Netlist {
	n := &Netlist{Name: "cast"}
	b := newBuilder(n)
	lo, hi := src.MinRaw(), src.MaxRaw()
	in := b.add(&Node{Kind: KInput, Width: src.Width, Signed: src.Signed}, lo, hi)
	n.Inputs = []Input{{Node: in, Format: src}}
	y := b.cast(value{in, src.Frac()}, dst)
	if b.err != nil {
		t.Fatalf("cast %s -> %s: %v", src, dst, b.err)
	}
	n.Outputs = []Output{{Node: b.output(y, dst), Format: dst}}
	return n
}

// TestCastMatchesFixedpoint checks the cast logic against the fixed-point
// core on every word of many small source formats, for every
// quantization and overflow mode.
func TestCastMatchesFixedpoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	quants := []fixedpoint.Quant{fixedpoint.Trn, fixedpoint.TrnZero, fixedpoint.Rnd,
		fixedpoint.RndZero, fixedpoint.RndMinInf, fixedpoint.RndInf, fixedpoint.RndConv}
	overs := []fixedpoint.Overflow{fixedpoint.Wrap, fixedpoint.Sat, fixedpoint.SatZero,
		fixedpoint.SatSym, fixedpoint.WrapSM}
	for range 3000 {
		src := fixedpoint.Format{Signed: rng.IntN(3) > 0, Width: 1 + rng.IntN(9)}
		src.Int = src.Width - (rng.IntN(12) - 3)
		dst := fixedpoint.Format{Signed: rng.IntN(3) > 0, Width: 1 + rng.IntN(7)}
		dst.Int = dst.Width - (rng.IntN(12) - 3)
		dst.Quant = quants[rng.IntN(len(quants))]
		dst.Overflow = overs[rng.IntN(len(overs))]
		if dst.Overflow == fixedpoint.WrapSM && !dst.Signed {
			dst.Overflow = fixedpoint.Wrap
		}
		if dst.Overflow == fixedpoint.Wrap || dst.Overflow == fixedpoint.WrapSM {
			dst.SatBits = rng.IntN(dst.Width + 1)
		}
		n := castNetlist(t, src, dst)
		if err := Verify(n); err != nil {
			t.Fatalf("%s -> %s: %v", src, dst, err)
		}
		for raw := src.MinRaw(); raw <= src.MaxRaw(); raw++ {
			want, _ := dst.Cast(raw, src)
			got := Eval(n, []int64{raw})[0]
			if got != want {
				t.Fatalf("%s -> %s: raw %d gives %d, want %d", src, dst, raw, got, want)
			}
		}
	}
}
