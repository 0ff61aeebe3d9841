package distill

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"kd2fpga/fixedpoint"
	"kd2fpga/jets"
	"kd2fpga/models"
)

// Arch is the architecture of a student.
type Arch string

// The student architectures of the method, at any width.
const (
	// MLP flattens the particles' features and applies dense layers.
	MLP Arch = "mlp"
	// DeepSet applies one per-particle network (phi) to every particle,
	// pools over the particles, and applies a jet network (rho).
	DeepSet Arch = "deepset"
)

// Student describes a student network: its inputs, its shape and its
// precision. Batch normalization is left out: quantization-aware
// training runs the fixed-point plan, in which a batch norm is folded
// into a dense layer with statistics that training would change.
type Student struct {
	Name        string
	Description string
	Arch        Arch
	// Particles is the number of leading constituents read, Features
	// their per-particle features (jets package names). A Deep Set with
	// a weighted-sum pooling weights by Features[0], which must be
	// pt_rel or e_rel.
	Particles int
	Features  []string
	// Hidden are the widths of the MLP's hidden layers, or of the Deep
	// Set's per-particle network; Rho those of the Deep Set's jet
	// network before its output layer.
	Hidden, Rho []int
	// Pool is the Deep Set's pooling (default weighted_sum).
	Pool models.PoolOp
	// Activation is relu or leaky_relu (with Slope, default 0.01).
	Activation models.Kind
	Slope      float64
	Classes    int // default 2
	// The fixed-point types of the input, weights, biases and every
	// layer's result; accumulators are exact ("auto").
	Input, Weight, Bias, Result fixedpoint.Format
	Target                      models.Target
}

// DefaultTarget is the hardware target of the bundled students: the
// default part and clock, fully parallel (II = 1), and the latency
// budget of a Level-1 tagger.
func DefaultTarget() models.Target {
	return models.Target{Part: models.DefaultPart, ClockNs: models.DefaultClockNs,
		LatencyBudgetNs: 100, Reuse: 1, Strategy: models.DefaultStrategy,
		Particles: models.DefaultParticles}
}

// Model returns the student as a model with weights drawn from seed
// (He-uniform, zero biases), ready for Train.
func (s Student) Model(seed uint64) (*models.Model, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	classes := cmp.Or(s.Classes, 2)
	pool := models.PoolOp(cmp.Or(string(s.Pool), string(models.PoolWeightedSum)))
	g := &initializer{rng: rand.New(rand.NewPCG(seed, 0x73747564656e74))}
	nf := len(s.Features)

	m := newModel(s.Name, s.Description, s.Target, s.Weight, s.Bias, s.Result)
	m.Features = &models.Features{Particles: s.Particles, PerParticle: slices.Clone(s.Features)}
	m.Input = models.Input{Name: "particles", Shape: []int{s.Particles, nf},
		Type: models.Spec{Set: true, Format: s.Input}}

	act := func(name string) *models.Layer {
		l := &models.Layer{Name: name, Kind: s.Activation}
		if s.Activation == models.LeakyReLU {
			l.Slope = s.Slope
			if l.Slope == 0 {
				l.Slope = 0.01
			}
		}
		return l
	}
	width := nf
	stack := func(prefix string, widths []int) {
		for k, u := range widths {
			name := fmt.Sprintf("%s%d", prefix, k+1)
			m.Layers = append(m.Layers, g.dense(name, width, u), act(name+"_act"))
			width = u
		}
	}
	switch s.Arch {
	case MLP:
		m.Layers = append(m.Layers, &models.Layer{Name: "flatten", Kind: models.Flatten})
		width = s.Particles * nf
		stack("fc", s.Hidden)
		m.Layers = append(m.Layers, g.dense("out", width, classes))
	case DeepSet:
		stack("phi", s.Hidden)
		l := &models.Layer{Name: "pool", Kind: models.Pool, Pool: pool}
		m.Layers = append(m.Layers, l)
		stack("rho", s.Rho)
		m.Layers = append(m.Layers, g.dense("out", width, classes))
	}
	return m.Chain(), nil
}

// check reports the first problem of s.
func (s Student) check() error {
	switch {
	case s.Name == "":
		return fmt.Errorf("distill: student: no name")
	case s.Arch != MLP && s.Arch != DeepSet:
		return fmt.Errorf("distill: student %q: architecture %q is not %q or %q",
			s.Name, s.Arch, MLP, DeepSet)
	case s.Particles < 1 || len(s.Features) == 0:
		return fmt.Errorf("distill: student %q: %d particles of %d features", s.Name,
			s.Particles, len(s.Features))
	case s.Activation != models.ReLU && s.Activation != models.LeakyReLU:
		return fmt.Errorf("distill: student %q: activation %q is not relu or leaky_relu",
			s.Name, s.Activation)
	case s.Arch == DeepSet && len(s.Hidden) == 0:
		return fmt.Errorf("distill: student %q: a Deep Set needs a per-particle network", s.Name)
	case s.Arch == MLP && len(s.Rho) > 0:
		return fmt.Errorf("distill: student %q: an MLP has no jet network (rho)", s.Name)
	}
	for _, w := range append(slices.Clone(s.Hidden), s.Rho...) {
		if w < 1 {
			return fmt.Errorf("distill: student %q: layer width %d", s.Name, w)
		}
	}
	spec := jets.FeatureSpec{Particles: s.Particles}
	for _, f := range s.Features {
		spec.PerParticle = append(spec.PerParticle, jets.ParticleFeature(f))
	}
	if err := spec.Validate(); err != nil {
		return fmt.Errorf("distill: student %q: %w", s.Name, err)
	}
	pool := models.PoolOp(cmp.Or(string(s.Pool), string(models.PoolWeightedSum)))
	if s.Arch == DeepSet && pool == models.PoolWeightedSum &&
		s.Features[0] != string(jets.ParticlePtRel) && s.Features[0] != string(jets.ParticleERel) {
		return fmt.Errorf("distill: student %q: a weighted sum pools by the first feature, "+
			"which must be pt_rel or e_rel, not %q", s.Name, s.Features[0])
	}
	for _, f := range []fixedpoint.Format{s.Input, s.Weight, s.Bias, s.Result} {
		if err := f.Validate(); err != nil {
			return fmt.Errorf("distill: student %q: %w", s.Name, err)
		}
	}
	return nil
}

// newModel returns an empty model with the given target and precisions
// (exact accumulators).
func newModel(name, desc string, t models.Target, weight, bias, result fixedpoint.Format) *models.Model {
	spec := func(f fixedpoint.Format) models.Spec { return models.Spec{Set: true, Format: f} }
	return &models.Model{
		Name: name, Description: desc, Layout: models.PyTorch, Target: t,
		Precision: models.Precision{Weight: spec(weight), Bias: spec(bias), Result: spec(result),
			Accum: models.Spec{Set: true, Auto: true}},
	}
}

// initializer draws initial weights.
type initializer struct{ rng *rand.Rand }

// dense returns a dense layer with He-uniform weights (suited to ReLU
// networks) and zero biases.
func (g *initializer) dense(name string, in, units int) *models.Layer {
	limit := math.Sqrt(6 / float64(in))
	w := make([][]float64, units)
	for j := range w {
		w[j] = make([]float64, in)
		for i := range w[j] {
			w[j][i] = (2*g.rng.Float64() - 1) * limit
		}
	}
	return &models.Layer{Name: name, Kind: models.Dense, Units: units, Weight: w,
		Bias: make([]float64, units)}
}
