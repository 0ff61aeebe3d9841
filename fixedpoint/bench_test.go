package fixedpoint

import (
	"math/rand"
	"testing"
)

// The benchmarks carry the speed figures of the emulator's inner loops.

// BenchmarkCast converts 32-bit words into a 16-bit format that rounds
// and saturates, the costly kind of cast.
func BenchmarkCast(b *testing.B) {
	src := Fixed(32, 12)
	dst := Format{Signed: true, Width: 16, Int: 6, Quant: RndConv, Overflow: Sat}
	c := NewCaster(src, dst)
	rng := rand.New(rand.NewSource(1))
	raws := make([]int64, 1024)
	for i := range raws {
		raws[i] = src.FromBits(rng.Uint64())
	}
	b.ResetTimer()
	var sink int64
	for i := 0; i < b.N; i++ {
		r, _ := c.Cast(raws[i%len(raws)])
		sink += r
	}
	_ = sink
}

// BenchmarkQuantize converts doubles into a 16-bit format that rounds
// and saturates.
func BenchmarkQuantize(b *testing.B) {
	f := Format{Signed: true, Width: 16, Int: 6, Quant: Rnd, Overflow: Sat}
	rng := rand.New(rand.NewSource(1))
	xs := make([]float64, 1024)
	for i := range xs {
		xs[i] = rng.NormFloat64() * 20
	}
	b.ResetTimer()
	var sink int64
	for i := 0; i < b.N; i++ {
		r, _ := f.Quantize(xs[i%len(xs)])
		sink += r
	}
	_ = sink
}

// BenchmarkMulAccumulate computes one output of a dense layer as hls4ml's
// latency strategy does: 64 products of ap_fixed<8,2> weights and
// ap_fixed<16,6> inputs, each cast to the accumulator ap_fixed<24,12>,
// summed in the accumulator (each sum cast back to it), then cast to the
// result ap_fixed<16,6,AP_RND,AP_SAT>. One op is one whole output.
func BenchmarkMulAccumulate(b *testing.B) {
	wf, xf := Fixed(8, 2), Fixed(16, 6)
	acc := Fixed(24, 12)
	res := Format{Signed: true, Width: 16, Int: 6, Quant: Rnd, Overflow: Sat}
	toAcc := NewCaster(MulFormat(wf, xf), acc)
	sumToAcc := NewCaster(AddFormat(acc, acc), acc)
	toRes := NewCaster(acc, res)
	if !sumToAcc.CanOverflow() || toAcc.Exact() {
		b.Fatal("the benchmark should round and wrap")
	}

	rng := rand.New(rand.NewSource(1))
	ws, xs := make([]int64, 64), make([]int64, 64)
	for i := range ws {
		ws[i] = wf.FromBits(rng.Uint64())
		xs[i] = xf.FromBits(rng.Uint64())
	}
	b.ResetTimer()
	var sink int64
	for i := 0; i < b.N; i++ {
		var sum int64
		for k := range ws {
			p, _ := toAcc.Cast(ws[k] * xs[k])
			sum, _ = sumToAcc.Cast(sum + p)
		}
		r, _ := toRes.Cast(sum)
		sink += r
	}
	_ = sink
}
