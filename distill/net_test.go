package distill

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"kd2fpga/fixedpoint"
	"kd2fpga/jets"
	"kd2fpga/models"
	"kd2fpga/quantize"
)

// testStudent returns a small student of the given architecture.
func testStudent(arch Arch, pool models.PoolOp, act models.Kind) Student {
	s := Student{Name: "s", Arch: arch, Particles: 4, Features: []string{"pt_rel", "deta", "dphi"},
		Hidden: []int{5, 4}, Pool: pool, Activation: act, Slope: 0.1,
		Input: mode(fixedpoint.Fixed(10, 1)), Weight: mode(fixedpoint.Fixed(8, 3)),
		Bias: mode(fixedpoint.Fixed(10, 4)), Result: mode(fixedpoint.Fixed(12, 4)),
		Target: DefaultTarget()}
	if arch == DeepSet {
		s.Rho = []int{3}
	}
	return s
}

// mode gives f rounding to even and saturation.
func mode(f fixedpoint.Format) fixedpoint.Format {
	f.Quant, f.Overflow = fixedpoint.RndConv, fixedpoint.Sat
	return f
}

// randomParticles returns n inputs of p particles x 3 features in the
// ranges of real jets (pt_rel in (0, 1), angles within 0.8), the last
// particles of some samples zero (padding).
func randomParticles(rng *rand.Rand, n, p int) []float64 {
	x := make([]float64, n*p*3)
	for s := range n {
		real := 1 + rng.IntN(p)
		for q := range real {
			row := x[(s*p+q)*3:]
			row[0] = 0.02 + 0.5*rng.Float64()
			row[1], row[2] = 0.8*(2*rng.Float64()-1), 0.8*(2*rng.Float64()-1)
		}
	}
	return x
}

// TestForwardFloatMatchesQuantizeFloat checks the trainer's float pass
// against the reference float inference of the quantize package.
func TestForwardFloatMatchesQuantizeFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range []Student{
		testStudent(MLP, "", models.ReLU),
		testStudent(DeepSet, models.PoolWeightedSum, models.LeakyReLU),
		testStudent(DeepSet, models.PoolMax, models.ReLU),
		testStudent(DeepSet, models.PoolMean, models.LeakyReLU),
		testStudent(DeepSet, models.PoolSum, models.ReLU),
	} {
		m, err := s.Model(3)
		if err != nil {
			t.Fatal(err)
		}
		n, err := newNet(cloneModel(m))
		if err != nil {
			t.Fatal(err)
		}
		x := randomParticles(rng, 50, 4)
		want := quantize.Float(m, x, 50)
		tp := n.newTape()
		for i := range 50 {
			n.forwardFloat(tp, x[i*12:(i+1)*12])
			got := tp.acts[len(n.layers)]
			for c := range got {
				if math.Abs(got[c]-want[i*2+c]) > 1e-12 {
					t.Fatalf("%s/%s: sample %d: %v, quantize.Float %v", s.Arch, s.Pool, i, got,
						want[i*2:i*2+2])
				}
			}
		}
	}
}

// lossOf returns the loss of sample x of the net in float64.
func lossOf(n *net, tp *tape, x []float64, label int, teacher []float64, ls Loss) float64 {
	n.forwardFloat(tp, x)
	dz := make([]float64, n.classes())
	return ls.eval(tp.acts[len(n.layers)], label, teacher, dz)
}

// TestGradients compares the backward pass of every layer kind with
// central finite differences of the loss, in float64.
func TestGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 5))
	students := []Student{
		testStudent(MLP, "", models.ReLU),
		testStudent(MLP, "", models.LeakyReLU),
		testStudent(DeepSet, models.PoolWeightedSum, models.LeakyReLU),
		testStudent(DeepSet, models.PoolSum, models.ReLU),
		testStudent(DeepSet, models.PoolMean, models.LeakyReLU),
		testStudent(DeepSet, models.PoolMax, models.LeakyReLU),
	}
	for _, s := range students {
		for _, ls := range []Loss{{}, {Lambda: 1, Temperature: 3}, {Lambda: 0.4, Temperature: 2}} {
			m, err := s.Model(7)
			if err != nil {
				t.Fatal(err)
			}
			// biases away from zero, so that the ReLUs see both signs
			for _, l := range m.Layers {
				for j := range l.Bias {
					l.Bias[j] = 0.3 * rng.NormFloat64()
				}
			}
			// sigmoid and tanh go into the MLPs in place of one activation
			if s.Arch == MLP {
				m.Layers[2].Kind = models.Sigmoid
				m.Layers[4].Kind = models.Tanh
			}
			checkGradients(t, m, rng, ls)
		}
	}
}

// checkGradients checks the gradient of every parameter of m on a few
// random samples.
func checkGradients(t *testing.T, m *models.Model, rng *rand.Rand, ls Loss) {
	t.Helper()
	n, err := newNet(m)
	if err != nil {
		t.Fatal(err)
	}
	tp := n.newTape()
	inLen := n.shapes[0].len()
	for range 3 {
		x := randomParticles(rng, 1, n.shapes[0].p)[:inLen]
		teacher := []float64{rng.NormFloat64(), rng.NormFloat64()}
		label := rng.IntN(2)

		g := make([]float64, len(n.theta))
		n.forwardFloat(tp, x)
		L := len(n.layers)
		ls.eval(tp.acts[L], label, teacher, tp.grads[L])
		n.backward(tp, n.floatWeights(), g, false)

		const h = 1e-6
		for i := range n.theta {
			old := n.theta[i]
			n.theta[i] = old + h
			up := lossOf(n, tp, x, label, teacher, ls)
			n.theta[i] = old - h
			down := lossOf(n, tp, x, label, teacher, ls)
			n.theta[i] = old
			num := (up - down) / (2 * h)
			if math.Abs(num-g[i]) > 1e-5*math.Max(1, math.Abs(num)) {
				t.Fatalf("%s (loss %+v): parameter %d: backward %v, finite differences %v",
					m.Name, ls, i, g[i], num)
			}
		}
	}
}

// TestQuantizedTrainingIsTheFirmware trains quantization-aware, saves and
// reloads the model, and checks that the golden emulator of the saved
// model computes exactly the logits of the training's own forward pass,
// and that the weights are stored quantized.
func TestQuantizedTrainingIsTheFirmware(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for _, arch := range []Arch{MLP, DeepSet} {
		s := testStudent(arch, models.PoolWeightedSum, models.LeakyReLU)
		m, err := s.Model(1)
		if err != nil {
			t.Fatal(err)
		}
		train := toyData(rng, 400, 4)
		cfg := Config{Epochs: 2, Batch: 32, Schedule: Schedule{LR: 5e-3}, Quantized: true, Seed: 1}
		trained, _, err := Train(m, train, nil, cfg)
		if err != nil {
			t.Fatal(err)
		}
		path := t.TempDir() + "/model.hcl"
		if err := models.Save(trained, path); err != nil {
			t.Fatal(err)
		}
		back, err := models.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		p, err := quantize.Build(back)
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.Emulate(train.X, train.N(), quantize.Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}

		// the training pass on the trained parameters
		n, err := newNet(cloneModel(trained))
		if err != nil {
			t.Fatal(err)
		}
		tp := n.newTape()
		inLen := n.shapes[0].len()
		for i := range train.N() {
			n.forwardPlan(p, tp, train.X[i*inLen:(i+1)*inLen])
			got := tp.acts[len(n.layers)]
			if !slices.Equal(got, res.Y[2*i:2*i+2]) {
				t.Fatalf("%s: sample %d: training forward %v, emulator %v", arch, i, got,
					res.Y[2*i:2*i+2])
			}
		}

		// the stored weights are the firmware's constants
		for k, op := range p.Ops {
			if op.Kind != quantize.OpDense {
				continue
			}
			l := back.Layers[k]
			for j := range op.Dense.Units {
				for i, r := range op.Dense.W[j] {
					if v := op.Dense.WFormat[j][i].Float(r); v != l.Weight[j][i] {
						t.Fatalf("%s: layer %s weight [%d][%d] = %v stored, %v in hardware",
							arch, l.Name, j, i, l.Weight[j][i], v)
					}
				}
			}
		}
	}
}

// toyData returns an easy toy task on particle inputs: the particles of
// class 1 sit at positive deta, those of class 0 at negative deta, with
// some overlap: the best possible accuracy is about 0.9.
func toyData(rng *rand.Rand, n, p int) *Data {
	d := &Data{X: randomParticles(rng, n, p), Labels: make([]int, n)}
	for s := range n {
		shift := -0.3
		if rng.IntN(2) == 1 {
			d.Labels[s], shift = 1, 0.3
		}
		for q := range p {
			if row := d.X[(s*p+q)*3:]; row[0] != 0 {
				row[1] = max(min(0.3*rng.NormFloat64()+shift, 0.99), -0.99)
			}
		}
	}
	return d
}

// TestTrainingLearns checks that training reaches a clearly better than
// chance accuracy on the toy task, quantized and not, with and without a
// teacher.
func TestTrainingLearns(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 11))
	train, val := toyData(rng, 3000, 4), toyData(rng, 1000, 4)
	// an oracle teacher: logits from the label
	train.Teacher = make([]float64, 2*train.N())
	for i, y := range train.Labels {
		train.Teacher[2*i+y] = 3
	}
	for _, q := range []bool{false, true} {
		for _, ls := range []Loss{{}, {Lambda: 1, Temperature: 2}} {
			m, err := testStudent(DeepSet, models.PoolWeightedSum, models.ReLU).Model(2)
			if err != nil {
				t.Fatal(err)
			}
			cfg := Config{Epochs: 8, Batch: 32, Schedule: Schedule{LR: 1e-2, Warmup: 50},
				Loss: ls, Quantized: q, Seed: 3}
			_, hist, err := Train(m, train, val, cfg)
			if err != nil {
				t.Fatal(err)
			}
			first, last := hist[0], hist[len(hist)-1]
			t.Logf("quantized %v, loss %+v: accuracy %.3f", q, ls, last.Val.Accuracy)
			if last.Val.Accuracy < 0.85 || last.Loss >= first.Loss {
				t.Errorf("quantized %v, loss %+v: accuracy %.3f, loss %.4f after %.4f",
					q, ls, last.Val.Accuracy, last.Loss, first.Loss)
			}
		}
	}
}

// TestTrainingIsDeterministic trains twice with different numbers of
// workers and wants the same weights, bit for bit.
func TestTrainingIsDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 13))
	train := toyData(rng, 500, 4)
	var weights [][]float64
	for _, workers := range []int{1, 3} {
		m, err := testStudent(MLP, "", models.LeakyReLU).Model(4)
		if err != nil {
			t.Fatal(err)
		}
		cfg := Config{Epochs: 2, Batch: 40, Schedule: Schedule{LR: 3e-3, Warmup: 5},
			Quantized: true, Seed: 5, Workers: workers}
		trained, _, err := Train(m, train, nil, cfg)
		if err != nil {
			t.Fatal(err)
		}
		var w []float64
		for _, l := range trained.Layers {
			for _, row := range l.Weight {
				w = append(w, row...)
			}
			w = append(w, l.Bias...)
		}
		weights = append(weights, w)
	}
	if !slices.Equal(weights[0], weights[1]) {
		t.Error("training with 1 and 3 workers gave different weights")
	}
}

// TestTeacherIsInvariant trains a small teacher and checks that boosting
// the jets does not change its outputs.
func TestTeacherIsInvariant(t *testing.T) {
	cfg := jets.DefaultConfig()
	cfg.N, cfg.Seed = 600, 77
	s, err := jets.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tc := Teacher{Name: "t", Invariants: 6, Hidden: []int{8}}
	spec := jets.FeatureSpec{Invariants: 6, HighLevel: []jets.HighLevelFeature{jets.HighLevelMass}}
	x, _, err := spec.Extract(s)
	if err != nil {
		t.Fatal(err)
	}
	m, err := tc.Model(1, x, s.N)
	if err != nil {
		t.Fatal(err)
	}
	d, err := JetData(m, s)
	if err != nil {
		t.Fatal(err)
	}
	m, _, err = Train(m, d, nil, Config{Epochs: 2, Batch: 32, Schedule: Schedule{LR: 1e-3}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	y0, _, _, err := Predict(m, d.X, d.N(), false, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, beta := range []float64{0.5, 0.95} {
		b, err := s.Boost(beta)
		if err != nil {
			t.Fatal(err)
		}
		db, err := JetData(m, b)
		if err != nil {
			t.Fatal(err)
		}
		y1, _, _, err := Predict(m, db.X, db.N(), false, 0)
		if err != nil {
			t.Fatal(err)
		}
		for i := range y0 {
			if math.Abs(y1[i]-y0[i]) > 1e-6*math.Max(1, math.Abs(y0[i])) {
				t.Fatalf("beta %v: output %d is %v, %v unboosted", beta, i, y1[i], y0[i])
			}
		}
	}
}
