package quantize

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"kd2fpga/fixedpoint"
	"kd2fpga/models"
)

// deepSet returns a small Deep Set in the shape of the published student:
// a per-particle network with batch norms after its activations, a
// pooling weighted by feature 0, then a batch norm and a dense head. Its
// batch norms cover every folding case:
//
//	bn1 follows the dense d1 directly: folded into d1's rows;
//	bn2 follows an activation and precedes d2: folded into d2's columns;
//	bn3 follows an activation and precedes the pooling: an OpScale;
//	bn4 follows the pooling and precedes d3: folded into d3's columns.
func deepSet(r *rand.Rand, f fixedpoint.Format, pool models.PoolOp) *models.Model {
	P, F := 6, 4
	s := spec(f)
	m := &models.Model{Name: "deepset", Input: models.Input{Name: "x", Shape: []int{P, F}, Type: s},
		Precision: models.Precision{Weight: s, Bias: s, Result: s}}
	dense := func(name string, in, units int) *models.Layer {
		l := &models.Layer{Name: name, Kind: models.Dense, Units: units,
			Weight: make([][]float64, units), Bias: make([]float64, units)}
		for j := range l.Weight {
			l.Weight[j] = make([]float64, in)
			for i := range l.Weight[j] {
				l.Weight[j][i] = r.NormFloat64() * 0.4
			}
			l.Bias[j] = r.NormFloat64() * 0.1
		}
		return l
	}
	bn := func(name string, n int) *models.Layer {
		l := &models.Layer{Name: name, Kind: models.BatchNorm, Eps: 1e-3}
		for range n {
			l.Gamma = append(l.Gamma, 0.5+r.Float64())
			l.Beta = append(l.Beta, r.NormFloat64()*0.2)
			l.Mean = append(l.Mean, r.NormFloat64()*0.2)
			l.Var = append(l.Var, 0.5+r.Float64())
		}
		return l
	}
	layers := []*models.Layer{
		dense("d1", F, 8), bn("bn1", 8),
		{Name: "act1", Kind: models.LeakyReLU, Slope: 0.01},
		bn("bn2", 8), dense("d2", 8, 8),
		{Name: "act2", Kind: models.ReLU},
		bn("bn3", 8),
		// the exact sums of 6 weighted products of ap_fixed<32,12> would
		// need 67 bits: an explicit accumulator.
		{Name: "pool", Kind: models.Pool, Pool: pool,
			Precision: models.Precision{Accum: spec(sat(fixedpoint.Fixed(56, 20)))}},
		bn("bn4", 8), dense("d3", 8, 2),
	}
	prev := "x"
	for _, l := range layers {
		l.Input = prev
		prev = l.Name
	}
	m.Layers, m.Output = layers, prev
	return m
}

// particles returns n random samples of P particles of 4 features, some
// of them padding.
func particles(r *rand.Rand, n, P int) []float64 {
	x := make([]float64, n*P*4)
	for p := range n * P {
		if r.IntN(4) == 0 {
			continue // padding
		}
		x[p*4] = r.Float64() // a pT fraction, the weighted sum's weight
		for f := 1; f < 4; f++ {
			x[p*4+f] = r.NormFloat64()
		}
	}
	return x
}

// TestFoldBatchNorm checks which batch norms fold where, and that folding
// does not change the float model's outputs.
func TestFoldBatchNorm(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	m := deepSet(r, fixedpoint.Fixed(32, 12), models.PoolWeightedSum)
	folded, folds, err := FoldBatchNorm(m)
	if err != nil {
		t.Fatal(err)
	}
	want := []Fold{{"bn1", "d1", true}, {"bn2", "d2", false}, {"bn4", "d3", false}}
	if !reflect.DeepEqual(folds, want) {
		t.Errorf("folds %+v, want %+v", folds, want)
	}
	if len(m.Layers) != 10 || m.Layers[1].Name != "bn1" ||
		m.Layers[0].Weight[0][0] == folded.Layers[0].Weight[0][0] {
		t.Errorf("FoldBatchNorm changed the original model")
	}

	x := particles(r, 50, 6)
	a, b := Float(m, x, 50), Float(folded, x, 50)
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-12*(1+math.Abs(a[i])) {
			t.Fatalf("output %d: %v unfolded, %v folded", i, a[i], b[i])
		}
	}

	p, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, op := range p.Ops {
		kinds = append(kinds, op.Name+":"+op.Kind.String())
	}
	wantOps := []string{"d1:dense", "act1:leaky_relu", "d2:dense", "act2:relu", "bn3:scale",
		"pool:pool", "d3:dense"}
	if !reflect.DeepEqual(kinds, wantOps) {
		t.Errorf("ops %v, want %v", kinds, wantOps)
	}
	if d1 := p.Ops[0]; d1.Source != "bn1" || !reflect.DeepEqual(d1.Folded, []string{"bn1"}) {
		t.Errorf("d1: source %q, folded %v", d1.Source, d1.Folded)
	}
}

// TestFloatAgreesWithWideFixed runs models in ap_fixed<32,12> (20
// fractional bits) and wants the emulator within a few units of 2^-20
// per layer of the float model.
func TestFloatAgreesWithWideFixed(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 10))
	wide := fixedpoint.Fixed(32, 12)
	for _, pool := range []models.PoolOp{models.PoolSum, models.PoolMean, models.PoolMax,
		models.PoolWeightedSum} {
		m := deepSet(r, wide, pool)
		compareFloat(t, string(pool), m, particles(r, 200, 6), 200, 1e-4)
	}

	// tables: sigmoid and tanh indexed by 16 bits, a softmax whose
	// exponential is indexed finely; its reciprocal's default index has
	// 10 bits, which bounds the agreement.
	idx := spec(fixedpoint.Format{Signed: true, Width: 16, Int: 5, Quant: fixedpoint.RndConv,
		Overflow: fixedpoint.Sat})
	m := mlp(wide, 4,
		&models.Layer{Name: "s", Kind: models.Sigmoid, Precision: models.Precision{TableIndex: idx}},
		&models.Layer{Name: "t", Kind: models.Tanh, Precision: models.Precision{TableIndex: idx}},
		&models.Layer{Name: "sm", Kind: models.Softmax, Precision: models.Precision{
			TableIndex: spec(fixedpoint.Format{Width: 16, Int: 4, Quant: fixedpoint.RndConv,
				Overflow: fixedpoint.Sat}),
			Table: spec(fixedpoint.Format{Width: 24, Int: 1, Quant: fixedpoint.RndConv})}})
	m.Precision = models.Precision{Result: spec(wide)}
	x := make([]float64, 200*4)
	for i := range x {
		x[i] = r.NormFloat64() * 3
	}
	compareFloat(t, "tables", m, x, 200, 5e-3)
}

// compareFloat wants the emulation of m within tol of its float run.
func compareFloat(t *testing.T, name string, m *models.Model, x []float64, n int, tol float64) {
	t.Helper()
	p, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Emulate(x, n, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := Float(m, x, n)
	worst, size := 0.0, 0.0
	for i := range want {
		worst = math.Max(worst, math.Abs(res.Y[i]-want[i]))
		size = math.Max(size, math.Abs(want[i]))
	}
	t.Logf("%s: outputs up to %.3g, fixed within %.3g of float", name, size, worst)
	if size < 0.1 {
		t.Errorf("%s: outputs up to %g only: the comparison says little", name, size)
	}
	if worst > tol || math.IsNaN(worst) {
		t.Errorf("%s: fixed and float differ by up to %g, more than %g", name, worst, tol)
	}
}
