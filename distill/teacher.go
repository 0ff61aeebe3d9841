package distill

import (
	"fmt"
	"math"
	"math/rand/v2"

	"kd2fpga/fixedpoint"
	"kd2fpga/models"
)

// Teacher describes the Lorentz-invariant teacher: a float network on
// the Minkowski products of a jet's leading constituents (the jets
// package's invariants: each constituent's share of the energy in the
// jet's rest frame and every pair's squared mass over the jet's) and the
// jet mass. Every input is invariant under boosts and rotations of the
// whole jet, so the teacher's output is too, by construction.
type Teacher struct {
	Name        string
	Description string
	// Invariants is the number of leading constituents (in rest-frame
	// energy order) whose invariants are read.
	Invariants int
	// Hidden are the widths of the ReLU layers.
	Hidden  []int
	Classes int // default 2
}

// teacherFormat is the fixed-point type of the teacher model. The
// teacher is meant to run in float64; its types are wide enough that
// its fixed-point emulation, should anyone run it, stays close.
var (
	teacherFormat = fixedpoint.Fixed(24, 10)
	teacherAccum  = fixedpoint.Fixed(48, 20)
)

// InputWidth returns the number of inputs: the invariants and the mass.
func (t Teacher) InputWidth() int {
	return t.Invariants + t.Invariants*(t.Invariants-1)/2 + 1
}

// Model returns the teacher with weights drawn from seed and a first,
// fixed batch normalization that standardizes every input with the mean
// and variance of x (the training inputs, [n, InputWidth()]), ready for
// Train without quantization.
func (t Teacher) Model(seed uint64, x []float64, n int) (*models.Model, error) {
	w := t.InputWidth()
	switch {
	case t.Name == "":
		return nil, fmt.Errorf("distill: teacher: no name")
	case t.Invariants < 2:
		return nil, fmt.Errorf("distill: teacher %q: %d invariants, need at least 2", t.Name,
			t.Invariants)
	case n < 2 || len(x) != n*w:
		return nil, fmt.Errorf("distill: teacher %q: %d input values for %d samples of %d",
			t.Name, len(x), n, w)
	}
	for _, u := range t.Hidden {
		if u < 1 {
			return nil, fmt.Errorf("distill: teacher %q: layer width %d", t.Name, u)
		}
	}

	m := newModel(t.Name, t.Description, DefaultTarget(), teacherFormat, teacherFormat, teacherFormat)
	m.Target.LatencyBudgetNs = 0
	m.Precision.Accum = models.Spec{Set: true, Format: teacherAccum}
	m.Features = &models.Features{HighLevel: []string{"mass"}, Invariants: t.Invariants}
	m.Input = models.Input{Name: "invariants", Shape: []int{w},
		Type: models.Spec{Set: true, Format: teacherFormat}}

	// the standardization: the inputs' mean and variance
	norm := &models.Layer{Name: "standardize", Kind: models.BatchNorm, Eps: 1e-12,
		Gamma: make([]float64, w), Beta: make([]float64, w), Mean: make([]float64, w),
		Var: make([]float64, w)}
	for f := range w {
		mean, sq := 0.0, 0.0
		for s := range n {
			mean += x[s*w+f]
		}
		mean /= float64(n)
		for s := range n {
			d := x[s*w+f] - mean
			sq += d * d
		}
		norm.Gamma[f], norm.Mean[f] = 1, mean
		norm.Var[f] = math.Max(sq/float64(n-1), 1e-12)
	}
	m.Layers = append(m.Layers, norm)

	g := &initializer{rng: rand.New(rand.NewPCG(seed, 0x7465616368))}
	width := w
	for k, u := range t.Hidden {
		name := fmt.Sprintf("fc%d", k+1)
		m.Layers = append(m.Layers, g.dense(name, width, u),
			&models.Layer{Name: name + "_act", Kind: models.ReLU})
		width = u
	}
	classes := t.Classes
	if classes == 0 {
		classes = 2
	}
	m.Layers = append(m.Layers, g.dense("out", width, classes))
	return m.Chain(), nil
}
