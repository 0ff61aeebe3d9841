package quantize

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"kd2fpga/fixedpoint"
	"kd2fpga/models"
)

// spec returns a uniform precision.
func spec(f fixedpoint.Format) models.Spec { return models.Spec{Set: true, Format: f} }

// at returns a source position in the model file m.hcl.
func at(line, col int) hcl.Range {
	return hcl.Range{Filename: "m.hcl", Start: hcl.Pos{Line: line, Column: col}}
}

// sat returns f with AP_SAT.
func sat(f fixedpoint.Format) fixedpoint.Format {
	f.Overflow = fixedpoint.Sat
	return f
}

// mlp returns a flat model: input x of n features in format in, then the
// given layers, each reading the one before.
func mlp(in fixedpoint.Format, n int, layers ...*models.Layer) *models.Model {
	m := &models.Model{Name: "m", Input: models.Input{Name: "x", Shape: []int{n}, Type: spec(in)}}
	prev := "x"
	for _, l := range layers {
		l.Input = prev
		prev = l.Name
	}
	m.Layers = layers
	m.Output = prev
	return m
}

// runOne runs p on one sample of raw input words.
func runOne(p *Plan, in []int64) []int64 {
	out := make([]int64, p.Output().Len())
	p.Run(in, out, nil)
	return out
}

// TestBuildErrors checks that model mistakes are reported together, one
// per line, each with the layer's position.
func TestBuildErrors(t *testing.T) {
	f8 := fixedpoint.Fixed(8, 2)
	w := [][]float64{{0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 9.5}}
	fc1 := &models.Layer{Name: "fc1", Kind: models.Dense, Units: 4, Weight: w, Pos: at(12, 3),
		Precision: models.Precision{Weight: spec(f8)}}
	fc2 := &models.Layer{Name: "fc2", Kind: models.Dense, Units: 2, Pos: at(20, 3),
		Weight: [][]float64{{1, 1, 1, 1}, {1, 1, 1, 1}}, Bias: []float64{-3, 0},
		Precision: models.Precision{Bias: spec(f8)}}
	_, err := Build(mlp(fixedpoint.Fixed(16, 6), 4, fc1, fc2))
	want := `m.hcl:12,3: layer "fc1": weight [3][3] = 9.5 does not fit ap_fixed<8,2> ` +
		`(range [-2, 1.98])` + "\n" +
		`m.hcl:20,3: layer "fc2": bias [0] = -3 does not fit ap_fixed<8,2> (range [-2, 1.98])`
	if err == nil || err.Error() != want {
		t.Fatalf("got error\n%v\nwant\n%s", err, want)
	}

	cases := []struct {
		name string
		m    *models.Model
		want string
	}{
		// |w| = 1e6 is raw 1.024e9 (10 fractional bits), max|x| = 2^29 is
		// raw 2^59: the bound 2 * 1.024e9 * 2^59 needs 31 + 59 bits, plus
		// the sign.
		{"accumulator past 64 bits", mlp(fixedpoint.Fixed(60, 30), 2,
			&models.Layer{Name: "wide", Kind: models.Dense, Units: 1, Pos: at(3, 1),
				Weight:    [][]float64{{1e6, -1e6}},
				Precision: models.Precision{Weight: spec(fixedpoint.Fixed(40, 30))}}),
			`m.hcl:3,1: layer "wide": an exact accumulator needs up to 91 bits (1 of 1 outputs), ` +
				`more than 64; declare an accum precision`},
		{"per-element count", mlp(fixedpoint.Fixed(8, 4), 2,
			&models.Layer{Name: "r", Kind: models.ReLU, Pos: at(5, 2), Precision: models.Precision{
				Result: models.Spec{Set: true, Elems: []fixedpoint.Format{f8, f8, f8}}}}),
			`m.hcl:5,2: layer "r": result has 3 formats for 2 elements`},
		{"auto result", mlp(fixedpoint.Fixed(8, 4), 2,
			&models.Layer{Name: "r", Kind: models.ReLU, Pos: at(5, 2), Precision: models.Precision{
				Result: models.Spec{Set: true, Auto: true}}}),
			`m.hcl:5,2: layer "r": result cannot be auto (only accum can)`},
		{"wide table index", mlp(fixedpoint.Fixed(8, 4), 2,
			&models.Layer{Name: "s", Kind: models.Sigmoid, Pos: at(7, 2), Precision: models.Precision{
				TableIndex: spec(fixedpoint.Fixed(20, 4))}}),
			`m.hcl:7,2: layer "s": table_index ap_fixed<20,4> is wider than 16 bits`},
	}
	for _, c := range cases {
		if _, err := Build(c.m); err == nil || err.Error() != c.want {
			t.Errorf("%s: got error\n%v\nwant\n%s", c.name, err, c.want)
		}
	}
}

// TestVerifyFindsBrokenPlans corrupts a valid plan in several ways and
// wants Verify to notice each.
func TestVerifyFindsBrokenPlans(t *testing.T) {
	build := func() *Plan {
		g := &modelGen{r: rand.New(rand.NewPCG(8, 8))}
		m := jetMLP(g.r, models.Spec{Set: true, Auto: true})
		p, err := Build(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := Verify(p); err != nil {
			t.Fatalf("a built plan fails Verify: %v", err)
		}
		return p
	}
	breaks := map[string]func(p *Plan){
		"weight out of range": func(p *Plan) { p.Ops[0].Dense.W[0][0] = 1 << 20 },
		"weight rows":         func(p *Plan) { p.Ops[0].Dense.W = p.Ops[0].Dense.W[1:] },
		"input index":         func(p *Plan) { p.Ops[1].In = 5 },
		"format too wide":     func(p *Plan) { p.Ops[1].Out.Formats[0].Width = 80 },
		"table size": func(p *Plan) {
			p.Ops[7].Softmax.Exp.Entries = p.Ops[7].Softmax.Exp.Entries[1:]
		},
		"two parts":       func(p *Plan) { p.Ops[1].Table = &TableOp{} },
		"shape":           func(p *Plan) { p.Ops[2].Out.Shape = []int{3} },
		"kind":            func(p *Plan) { p.Ops[1].Kind = 42 },
		"softmax formats": func(p *Plan) { p.Ops[7].Softmax.Diff.Int++ },
	}
	for name, breakIt := range breaks {
		p := build()
		breakIt(p)
		if err := Verify(p); err == nil {
			t.Errorf("%s: Verify found nothing", name)
		}
	}
}

// TestDenseHandComputed checks a dense layer against values worked out by
// hand from docs/numerics.md.
func TestDenseHandComputed(t *testing.T) {
	// x = [1.75, 1.75] and w = [1.75, 1.75] in ap_fixed<4,2> (2 fractional
	// bits), b = 0.5. Each product is 3.0625 (ap_fixed<8,4>), cast to the
	// accumulator ap_fixed<5,3,AP_TRN,AP_SAT>: 3.0 (raw 12). The exact sum
	// 12 + 12 + 2 = 26 (6.5) saturates to 3.75 (raw 15); the result
	// ap_fixed<4,2> wraps 15 to -1 (-0.25).
	f := fixedpoint.Fixed(4, 2)
	acc := sat(fixedpoint.Fixed(5, 3))
	fc := &models.Layer{Name: "fc", Kind: models.Dense, Units: 1,
		Weight: [][]float64{{1.75, 1.75}}, Bias: []float64{0.5},
		Precision: models.Precision{Weight: spec(f), Bias: spec(f), Accum: spec(acc), Result: spec(f)}}
	p, err := Build(mlp(f, 2, fc))
	if err != nil {
		t.Fatal(err)
	}
	if got := runOne(p, []int64{7, 7}); got[0] != -1 {
		t.Errorf("saturating accumulator: got raw %d, want -1", got[0])
	}
	st := NewStats(p)
	p.Run([]int64{7, 7}, make([]int64, 1), st)
	if a := st.Ops[0].Accum; a.Casts != 4 || a.Inexact != 2 || a.Saturated != 1 || a.Wrapped != 0 {
		t.Errorf("accumulator casts %+v, want 4 casts, 2 inexact, 1 saturated", a)
	}
	if r := st.Ops[0].Result; r.Wrapped != 1 {
		t.Errorf("result casts %+v, want 1 wrapped", r)
	}

	// with an automatic accumulator: 4 fractional bits (the products');
	// the bound |0.5| + 2*1.75*2 = 7.5 is raw 120 < 2^7, so ap_fixed<8,4>.
	// The exact sum 6.625 then wraps in the result: raw 26 -> -6 (-1.5).
	fc.Precision.Accum = models.Spec{Set: true, Auto: true}
	p, err = Build(mlp(f, 2, fc))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Ops[0].Dense.Accum[0]; got != fixedpoint.Fixed(8, 4) {
		t.Errorf("automatic accumulator %v, want ap_fixed<8,4>", got)
	}
	if got := runOne(p, []int64{7, 7}); got[0] != -6 {
		t.Errorf("automatic accumulator: got raw %d, want -6", got[0])
	}
}

// TestOverflowCountsNameTheLayer runs a model built to saturate in its
// second layer's accumulator and nowhere else.
func TestOverflowCountsNameTheLayer(t *testing.T) {
	// x = 1 (ap_fixed<8,4>) in 4 features; fc1 (weights 0.5, automatic
	// accumulator) gives 2.0 per output; fc2 (weights 1) adds four 2.0
	// products in ap_fixed<8,3,AP_TRN,AP_SAT>: each fits (max 3.97), the
	// sum 8.0 saturates, once per output per sample.
	f := fixedpoint.Fixed(8, 4)
	half := [][]float64{{.5, .5, .5, .5}, {.5, .5, .5, .5}, {.5, .5, .5, .5}, {.5, .5, .5, .5}}
	ones := [][]float64{{1, 1, 1, 1}, {1, 1, 1, 1}}
	m := mlp(f, 4,
		&models.Layer{Name: "fc1", Kind: models.Dense, Units: 4, Weight: half},
		&models.Layer{Name: "fc2", Kind: models.Dense, Units: 2, Weight: ones,
			Precision: models.Precision{Accum: spec(sat(fixedpoint.Fixed(8, 3)))}},
		&models.Layer{Name: "out", Kind: models.ReLU})
	m.Precision = models.Precision{Result: spec(f), Weight: spec(f)}
	p, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	const n = 7
	x := make([]float64, n*4)
	for i := range x {
		x[i] = 1
	}
	res, err := p.Emulate(x, n, Options{Stats: true, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, os := range res.Stats.Ops {
		want := int64(0)
		if os.Name == "fc2" {
			want = n * 2
		}
		if os.Accum.Saturated != want || os.Accum.Wrapped != 0 || os.Result.Overflows() != 0 {
			t.Errorf("op %q: accum %+v result %+v, want %d saturated accumulators", os.Name,
				os.Accum, os.Result, want)
		}
	}
	// 3.96875 (raw 127, 5 fractional bits) truncated to ap_fixed<8,4>: 3.9375.
	if res.Y[0] != 3.9375 || res.Stats.Ops[1].Sum.Max != 8 {
		t.Errorf("output %v (want 3.9375), largest exact sum %v (want 8)", res.Y[0], res.Stats.Ops[1].Sum.Max)
	}
}

// TestModelDefaults checks the precision resolution: layer, then model,
// then DefaultFormat; the input type falls back to the model's result.
func TestModelDefaults(t *testing.T) {
	f := fixedpoint.Fixed(10, 3)
	fc := &models.Layer{Name: "fc", Kind: models.Dense, Units: 2, Weight: [][]float64{{1, 0}, {0, 1}},
		Bias: []float64{0, 0}, Precision: models.Precision{Weight: spec(f)}}
	m := mlp(fixedpoint.Fixed(16, 6), 2, fc)
	m.Input.Type = models.Spec{}
	m.Precision.Result = spec(fixedpoint.Fixed(12, 4))
	p, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	d := p.Ops[0].Dense
	if d.WFormat[0][0] != f || d.BFormat[0] != DefaultFormat ||
		p.Ops[0].Out.Formats[0] != fixedpoint.Fixed(12, 4) ||
		p.Input.Formats[0] != fixedpoint.Fixed(12, 4) {
		t.Errorf("weight %v bias %v result %v input %v", d.WFormat[0][0], d.BFormat[0],
			p.Ops[0].Out.Formats[0], p.Input.Formats[0])
	}
	// the identity weights pass the input through: 1.5 -> raw 1.5*2^8.
	if got := runOne(p, []int64{1.5 * 256, -2 * 256}); !reflect.DeepEqual(got, []int64{384, -512}) {
		t.Errorf("identity layer: %v", got)
	}
}

// TestLayersAfterOutputAreDropped checks that only the layers up to the
// model output become ops.
func TestLayersAfterOutputAreDropped(t *testing.T) {
	m := mlp(fixedpoint.Fixed(8, 4), 2, &models.Layer{Name: "a", Kind: models.ReLU},
		&models.Layer{Name: "b", Kind: models.Linear})
	m.Output = "a"
	p, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Ops) != 1 || p.Ops[0].Name != "a" {
		t.Errorf("ops %v", p.Ops)
	}
	if !strings.Contains(describe(p), "relu a") {
		t.Errorf("plan %s", describe(p))
	}
}

// TestLeakySlope checks the default slope format and a leaky ReLU worked
// out by hand.
func TestLeakySlope(t *testing.T) {
	// 0.01 < 2^-6: ap_fixed<18,-5> (max 2^-6 - 2^-23) is the narrowest
	// integer part that holds it; raw round(0.01 * 2^23) = 83886.
	m := mlp(fixedpoint.Fixed(16, 6), 1, &models.Layer{Name: "lr", Kind: models.LeakyReLU, Slope: 0.01})
	p, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	l := p.Ops[0].Leaky
	want := fixedpoint.Format{Signed: true, Width: 18, Int: -5, Quant: fixedpoint.RndConv,
		Overflow: fixedpoint.Sat}
	if l.SlopeFormat != want || l.Slope != 83886 {
		t.Fatalf("slope %d in %v, want 83886 in %v", l.Slope, l.SlopeFormat, want)
	}
	// x = -1 (raw -1024): 83886 * -1024 * 2^-33 = -0.0099999905, times
	// 2^10 is -10.24, truncated to -11.
	if got := runOne(p, []int64{-1024}); got[0] != -11 {
		t.Errorf("leaky_relu(-1): raw %d, want -11", got[0])
	}
	if got := runOne(p, []int64{700}); got[0] != 700 {
		t.Errorf("leaky_relu(0.68): raw %d, want 700", got[0])
	}
}
