package jets

import (
	"math"
	"strings"
	"testing"
)

func TestInvariantsHandJet(t *testing.T) {
	// two massless particles: their pair is the whole jet, so y_01 = 1,
	// and in the rest frame they share the energy equally; the third slot
	// is padding
	s := handJets(4, [][3]float64{{300, 0.1, 0.2}, {100, -0.2, 0.1}})
	x, shape, err := FeatureSpec{Invariants: 3}.Extract(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(shape) != 2 || shape[0] != 1 || shape[1] != InvariantWidth(3) {
		t.Fatalf("shape %v, want [1 %d]", shape, InvariantWidth(3))
	}
	// x0, x1, x2, y01, y02, y12
	want := []float64{0.5, 0.5, 0, 1, 0, 0}
	for i, w := range want {
		if math.Abs(x[i]-w) > 1e-12 {
			t.Errorf("value %d = %v, want %v (all: %v)", i, x[i], w, x)
		}
	}
}

func TestInvariantsSumAndOrder(t *testing.T) {
	s := physics(t)
	k := 8
	x, _, err := FeatureSpec{Invariants: k}.Extract(s)
	if err != nil {
		t.Fatal(err)
	}
	w := InvariantWidth(k)
	for i := range s.N {
		row := x[i*w : (i+1)*w]
		for a := 1; a < k; a++ {
			if row[a] > row[a-1] {
				t.Fatalf("jet %d: shares %v not in decreasing order", i, row[:k])
			}
		}
		// the pairs of the k leading constituents cannot hold more than
		// the whole jet's squared mass: sum_i<j y_ij = 1 over all pairs
		sum := 0.0
		for _, y := range row[k:] {
			if y < -1e-12 {
				t.Fatalf("jet %d: negative pair mass %v", i, y)
			}
			sum += y
		}
		if sum > 1+1e-9 {
			t.Fatalf("jet %d: the leading pairs sum to %v > 1", i, sum)
		}
	}

	// with every constituent included, the shares sum to 1 and so do the
	// pair masses (massless constituents: J.J = sum_i<j 2 p_i.p_j)
	small := handJets(5, [][3]float64{{200, 0.1, 0.2}, {150, -0.2, 0.1}, {90, 0.3, -0.25},
		{40, 0, 0}})
	x, _, err = FeatureSpec{Invariants: 5}.Extract(small)
	if err != nil {
		t.Fatal(err)
	}
	shares, pairs := 0.0, 0.0
	for _, v := range x[:5] {
		shares += v
	}
	for _, v := range x[5:] {
		pairs += v
	}
	if math.Abs(shares-1) > 1e-12 || math.Abs(pairs-1) > 1e-12 {
		t.Errorf("shares sum to %v, pairs to %v; want 1 and 1", shares, pairs)
	}
}

func TestInvariantsUnderBoost(t *testing.T) {
	s := physics(t)
	spec := FeatureSpec{Invariants: 12, HighLevel: []HighLevelFeature{HighLevelMass}}
	x0, _, err := spec.Extract(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, beta := range []float64{0.5, 0.95, -0.8} {
		b, err := s.Boost(beta)
		if err != nil {
			t.Fatal(err)
		}
		x1, _, err := spec.Extract(b)
		if err != nil {
			t.Fatal(err)
		}
		for i := range x0 {
			if d := math.Abs(x1[i] - x0[i]); d > 1e-7*math.Max(1, math.Abs(x0[i])) {
				t.Fatalf("beta %v: value %d (jet %d) is %v after the boost, %v before",
					beta, i, i/spec.Width(), x1[i], x0[i])
			}
		}
		// the students' features do change (a control of the boost)
		p0, _, _ := StudentSpec(4).Extract(s)
		p1, _, _ := StudentSpec(4).Extract(b)
		changed := 0
		for i := range p0 {
			if math.Abs(p1[i]-p0[i]) > 1e-3 {
				changed++
			}
		}
		if changed < len(p0)/4 {
			t.Errorf("beta %v: only %d of %d student features changed under the boost",
				beta, changed, len(p0))
		}
	}
}

func TestInvariantsRange(t *testing.T) {
	for _, k := range []int{-1, MaxInvariants + 1} {
		err := FeatureSpec{Invariants: k}.Validate()
		if err == nil || !strings.Contains(err.Error(), "invariants") {
			t.Errorf("invariants = %d: error %v", k, err)
		}
	}
	if w := (FeatureSpec{Particles: 2, PerParticle: []ParticleFeature{ParticlePtRel},
		HighLevel: []HighLevelFeature{HighLevelMass}, Invariants: 4}).Width(); w != 2+1+10 {
		t.Errorf("width %d, want 13", w)
	}
}
