package quantize

import (
	"math"
	"reflect"
	"testing"

	"kd2fpga/fixedpoint"
	"kd2fpga/models"
)

// TestNarrowTableIsExact checks the rule for narrow inputs: a sigmoid on
// ap_fixed<8,3> is indexed by all 8 bits, so for every input the output is
// the true sigmoid rounded once into the result format.
func TestNarrowTableIsExact(t *testing.T) {
	in := fixedpoint.Fixed(8, 3)
	res := fixedpoint.Format{Width: 12, Int: 1, Quant: fixedpoint.RndConv}
	m := mlp(in, 1, &models.Layer{Name: "s", Kind: models.Sigmoid,
		Precision: models.Precision{Result: spec(res)}})
	p, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	if tb := p.Ops[0].Table; tb.Index != in || len(tb.Entries) != 256 || tb.Entry != res {
		t.Fatalf("index %v, %d entries, entry %v", tb.Index, len(tb.Entries), tb.Entry)
	}
	for raw := in.MinRaw(); raw <= in.MaxRaw(); raw++ {
		want, _ := res.Quantize(1 / (1 + math.Exp(-in.Float(raw))))
		if got := runOne(p, []int64{raw}); got[0] != want {
			t.Fatalf("sigmoid(%v): raw %d, want %d", in.Float(raw), got[0], want)
		}
	}
}

// TestWideTableIndex checks the default index of a wide input and an
// explicit table_index.
func TestWideTableIndex(t *testing.T) {
	in := fixedpoint.Fixed(16, 6)
	m := mlp(in, 1, &models.Layer{Name: "t", Kind: models.Tanh})
	p, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	tb := p.Ops[0].Table
	if tb.Index != TanhIndex || len(tb.Entries) != 1024 || tb.Entry != DefaultFormat {
		t.Fatalf("index %v, %d entries, entry %v", tb.Index, len(tb.Entries), tb.Entry)
	}
	// the index ap_fixed<10,3,AP_RND_CONV,AP_SAT> has 7 fractional bits:
	// 20.0 saturates to 4 - 1/128; 0.3 = 307/1024 rounds to 38/128.
	last, _ := DefaultFormat.Quantize(math.Tanh(4 - 1.0/128))
	mid, _ := DefaultFormat.Quantize(math.Tanh(38.0 / 128))
	if got := runOne(p, []int64{20 * 1024}); got[0] != last {
		t.Errorf("tanh(20): raw %d, want %d", got[0], last)
	}
	if got := runOne(p, []int64{307}); got[0] != mid {
		t.Errorf("tanh(0.3): raw %d, want %d", got[0], mid)
	}

	idx := fixedpoint.Format{Signed: true, Width: 12, Int: 2, Overflow: fixedpoint.Sat}
	m.Layers[0].Precision.TableIndex = spec(idx)
	if p, err = Build(m); err != nil {
		t.Fatal(err)
	}
	if tb := p.Ops[0].Table; tb.Index != idx || len(tb.Entries) != 4096 {
		t.Errorf("explicit index: %v, %d entries", tb.Index, len(tb.Entries))
	}
}

// TestSoftmaxHandComputed works a two-input softmax through by hand.
func TestSoftmaxHandComputed(t *testing.T) {
	// x = [1, 0] in ap_fixed<16,6>. The difference format is
	// ap_ufixed<16,6>, wider than 10 bits: index ap_ufixed<10,4> (6
	// fractional bits), and d = [0, 1] are exact. Entries in
	// ap_ufixed<18,1> (17 fractional bits): e = [2^17, round(e^-1 2^17)
	// = 48219]. s = 179291 (1.36788) indexes ap_ufixed<10,2> (N = 2,
	// 8 fractional bits): 350.18 rounds to 350, 1/1.3671875 = 0.731429
	// rounds to r = 95870. y = e*r truncated to 10 fractional bits:
	// floor(2^17*95870 / 2^24) = 748, floor(48219*95870 / 2^24) = 275.
	m := mlp(fixedpoint.Fixed(16, 6), 2, &models.Layer{Name: "sm", Kind: models.Softmax})
	p, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	sm := p.Ops[0].Softmax
	if sm.Exp.Index != (fixedpoint.Format{Width: 10, Int: 4, Quant: fixedpoint.RndConv,
		Overflow: fixedpoint.Sat}) ||
		sm.Inv.Index != (fixedpoint.Format{Width: 10, Int: 2, Quant: fixedpoint.RndConv,
			Overflow: fixedpoint.Sat}) {
		t.Errorf("indexes %v %v", sm.Exp.Index, sm.Inv.Index)
	}
	if got := runOne(p, []int64{1024, 0}); !reflect.DeepEqual(got, []int64{748, 275}) {
		t.Errorf("softmax([1, 0]) = %v, want [748 275]", got)
	}
	// equal inputs: e = 1 each, s = 2 is exact, r = 1/2, y = 0.5 exactly.
	if got := runOne(p, []int64{-3000, -3000}); !reflect.DeepEqual(got, []int64{512, 512}) {
		t.Errorf("softmax of equal inputs = %v, want [512 512]", got)
	}
}

// TestPoolHandComputed checks each pooling on three particles of which
// the middle one is padding (all its words zero).
func TestPoolHandComputed(t *testing.T) {
	// particles [1, 2], padding, [3, -1] in ap_fixed<8,4> (4 fractional
	// bits); results in ap_fixed<9,5>, also 4 fractional bits.
	in := []int64{16, 32, 0, 0, 48, -16}
	cases := []struct {
		op     models.PoolOp
		want   []int64
		noReal []int64 // every particle padding
	}{
		{models.PoolSum, []int64{64, 16}, []int64{0, 0}},           // [4, 1]
		{models.PoolMean, []int64{32, 8}, []int64{0, 0}},           // [2, 0.5]: Recip[2] = 1/2 exactly
		{models.PoolMax, []int64{48, 32}, []int64{0, 0}},           // [3, 2]
		{models.PoolWeightedSum, []int64{160, -16}, []int64{0, 0}}, // 1*[1,2] + 3*[3,-1] = [10, -1]
	}
	for _, c := range cases {
		m := &models.Model{Name: "m", Input: models.Input{Name: "x", Shape: []int{3, 2},
			Type: spec(fixedpoint.Fixed(8, 4))},
			Layers: []*models.Layer{{Name: "pool", Kind: models.Pool, Input: "x", Pool: c.op,
				Precision: models.Precision{Result: spec(fixedpoint.Fixed(9, 5))}}},
			Output: "pool"}
		p, err := Build(m)
		if err != nil {
			t.Fatal(err)
		}
		if got := runOne(p, in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s pooling: %v, want %v", c.op, got, c.want)
		}
		if got := runOne(p, make([]int64, 6)); !reflect.DeepEqual(got, c.noReal) {
			t.Errorf("%s pooling of padding only: %v, want %v", c.op, got, c.noReal)
		}
	}

	// a mean over three real particles multiplies by Recip[3] =
	// round(2^17/3) = 43691 (ap_ufixed<18,1>): a sum of 3.0 gives
	// 3*43691/2^17 = 1.0000076, truncated to 1.0 (raw 16).
	m := &models.Model{Name: "m", Input: models.Input{Name: "x", Shape: []int{3, 1},
		Type: spec(fixedpoint.Fixed(8, 4))},
		Layers: []*models.Layer{{Name: "pool", Kind: models.Pool, Input: "x", Pool: models.PoolMean}},
		Output: "pool"}
	p, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	if r := p.Ops[0].Pool.Recip; r[3] != 43691 || r[0] != 0 || r[1] != 1<<17 {
		t.Errorf("reciprocals %v", r)
	}
	if got := runOne(p, []int64{16, 16, 16}); got[0] != 1<<10 {
		t.Errorf("mean of three ones: raw %d, want %d", got[0], 1<<10)
	}
}
