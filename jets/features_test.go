package jets

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// handJets builds a sample from explicit (pT, eta, phi) constituents,
// massless, padded to max rows.
func handJets(max int, jets ...[][3]float64) *Sample {
	s := &Sample{N: len(jets), MaxParticles: max, P4: make([]float64, 4*max*len(jets)),
		Labels: make([]int, len(jets)), Counts: make([]int, len(jets))}
	for i, j := range jets {
		for k, c := range j {
			p := massless(c[0], c[1], c[2])
			copy(s.Jet(i)[4*k:], p[:])
		}
		s.Counts[i] = len(j)
	}
	return s
}

func TestFeatureSpecValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec FeatureSpec
		want string // "" for valid
	}{
		{"student", StudentSpec(30), ""},
		{"high level", FeatureSpec{HighLevel: []HighLevelFeature{HighLevelMass}}, ""},
		{"empty", FeatureSpec{}, "no features"},
		{"unknown", FeatureSpec{Particles: 2,
			PerParticle: []ParticleFeature{ParticlePtRel, "charge"}}, `unknown "charge"`},
		{"repeated", FeatureSpec{HighLevel: []HighLevelFeature{HighLevelT32, HighLevelT32}},
			`"tau32" repeated`},
		{"no particles", FeatureSpec{PerParticle: []ParticleFeature{ParticlePtRel}},
			"particles = 0"},
		{"no per-particle", FeatureSpec{Particles: 3,
			HighLevel: []HighLevelFeature{HighLevelPt}}, "no per-particle"},
		{"no padding marker", FeatureSpec{Particles: 3,
			PerParticle: []ParticleFeature{ParticleDEta, ParticleDPhi}}, "pt_rel"},
		{"radius", FeatureSpec{HighLevel: []HighLevelFeature{HighLevelTau1}, Radius: -1},
			"radius"},
	} {
		err := tc.spec.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestExtractHandJet(t *testing.T) {
	// two massless particles of 300 and 100 GeV, given softest first,
	// placed symmetrically about phi = pi so dphi wraps
	d := 0.2
	s := handJets(4, [][3]float64{{100, 0.5, math.Pi - d}, {300, 0.5, -math.Pi + d}})
	spec := FeatureSpec{Particles: 3, PerParticle: []ParticleFeature{
		ParticlePtRel, ParticleDEta, ParticleDPhi, ParticleMass, ParticleLogPt}}
	x, shape, err := spec.Extract(s)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(shape, []int{1, 3, 5}) {
		t.Fatalf("shape %v, want [1 3 5]", shape)
	}

	// the jet: both at eta 0.5; the pT-weighted transverse sum points
	// between them, nearer the hard one, across phi = pi
	jet := massless(100, 0.5, math.Pi-d).add(massless(300, 0.5, -math.Pi+d))
	jpt, jphi := jet.pt(), jet.phi()
	want := []float64{
		300 / jpt, 0.5 - jet.eta(), wrapPhi(-math.Pi + d - jphi), 0, math.Log(300),
		100 / jpt, 0.5 - jet.eta(), wrapPhi(math.Pi - d - jphi), 0, math.Log(100),
		0, 0, 0, 0, 0,
	}
	for k := range want {
		if math.Abs(x[k]-want[k]) > 1e-9 {
			t.Errorf("feature %d: %v, want %v (all %v)", k, x[k], want[k], x)
		}
	}

	// the two dphi straddle zero although the phis straddle pi
	if !(x[2] < 0 && x[7] > 0 || x[2] > 0 && x[7] < 0) || math.Abs(x[2]) > 2*d {
		t.Errorf("dphi %v and %v: want small and of opposite signs", x[2], x[7])
	}
	// transverse momentum balance about the jet axis
	if got := x[0]*math.Sin(x[2]) + x[5]*math.Sin(x[7]); math.Abs(got) > 1e-12 {
		t.Errorf("sum pt_rel sin(dphi) = %v, want 0", got)
	}
}

func TestExtractPaddingAndBalance(t *testing.T) {
	s := physics(t)
	for _, beta := range []float64{0, 0.9} {
		b, err := s.Boost(beta)
		if err != nil {
			t.Fatal(err)
		}
		spec := StudentSpec(s.MaxParticles)
		x, shape, err := spec.Extract(b)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(shape, []int{s.N, s.MaxParticles, 4}) {
			t.Fatalf("shape %v", shape)
		}
		for i := range s.N {
			var cos, sin float64
			for k := range s.MaxParticles {
				f := x[(i*s.MaxParticles+k)*4 : (i*s.MaxParticles+k+1)*4]
				zero := f[0] == 0 && f[1] == 0 && f[2] == 0 && f[3] == 0
				if zero != (k >= s.Counts[i]) {
					t.Fatalf("beta %v, jet %d, row %d of %d: features %v", beta, i, k,
						s.Counts[i], f)
				}
				if k > 0 && f[0] > x[(i*s.MaxParticles+k-1)*4] {
					t.Fatalf("beta %v, jet %d: rows not ordered by pT", beta, i)
				}
				if f[3] > 1e-3 { // GeV, rounding of E^2 - p^2 at a few TeV
					t.Fatalf("beta %v: massless constituent with mass %v", beta, f[3])
				}
				cos += f[0] * math.Cos(f[2])
				sin += f[0] * math.Sin(f[2])
			}
			// the axis is the boosted jet's: the transverse momenta add up
			// to pT_jet along it and to zero across it
			if math.Abs(cos-1) > 1e-9 || math.Abs(sin) > 1e-9 {
				t.Fatalf("beta %v, jet %d: sum pt_rel cos(dphi) = %v, sin = %v",
					beta, i, cos, sin)
			}
		}
	}
}

func TestExtractConcatenation(t *testing.T) {
	s := physics(t)
	s = &Sample{N: 50, MaxParticles: s.MaxParticles, P4: s.P4[:50*4*s.MaxParticles],
		Labels: s.Labels[:50], Counts: s.Counts[:50]}
	per := StudentSpec(10)
	high := FeatureSpec{HighLevel: []HighLevelFeature{HighLevelMass, HighLevelN, HighLevelT32,
		HighLevelPt}}
	both := FeatureSpec{Particles: 10, PerParticle: per.PerParticle, HighLevel: high.HighLevel}
	xp, _, err := per.Extract(s)
	if err != nil {
		t.Fatal(err)
	}
	xh, sh, err := high.Extract(s)
	if err != nil {
		t.Fatal(err)
	}
	xb, sb, err := both.Extract(s)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sh, []int{50, 4}) || !slices.Equal(sb, []int{50, 44}) {
		t.Fatalf("shapes %v and %v, want [50 4] and [50 44]", sh, sb)
	}
	for i := range 50 {
		row := xb[i*44 : (i+1)*44]
		if !slices.Equal(row[:40], xp[i*40:(i+1)*40]) || !slices.Equal(row[40:], xh[i*4:(i+1)*4]) {
			t.Fatalf("jet %d: combined row is not per-particle then high-level", i)
		}
		// high-level values against their definitions
		if row[40] != JetMass(s.Jet(i)) || row[41] != float64(s.Counts[i]) ||
			math.Abs(row[42]-Tau32(s.Jet(i))) > 1e-12 {
			t.Fatalf("jet %d: high-level %v", i, row[40:])
		}
		if row[43] <= 550 || row[43] >= 650 {
			t.Fatalf("jet %d: pt feature %v", i, row[43])
		}
	}
}

func TestExtractErrors(t *testing.T) {
	s := handJets(3, [][3]float64{{10, 0, 0}}, nil)
	if _, _, err := StudentSpec(3).Extract(s); err == nil ||
		!strings.Contains(err.Error(), "jet 1") {
		t.Errorf("empty jet: error %v, want one naming jet 1", err)
	}
	if _, _, err := (FeatureSpec{}).Extract(s); err == nil {
		t.Error("an empty spec extracted")
	}
}
