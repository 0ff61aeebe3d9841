package jets

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestGenerateSelection(t *testing.T) {
	s := physics(t)
	cfg := DefaultConfig()
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	tops := 0
	for _, l := range s.Labels {
		tops += l
	}
	if want := s.N / 2; tops != want {
		t.Errorf("%d top jets of %d, want %d", tops, s.N, want)
	}

	for i := range s.N {
		row := s.Jet(i)
		jet, n := jetSum(row)
		if n < 1 || n > cfg.MaxParticles || n != s.Counts[i] {
			t.Fatalf("jet %d: %d constituents, count %d", i, n, s.Counts[i])
		}

		// the jet window of the reference dataset
		if pt := jet.pt(); !(pt > cfg.PtMin && pt < cfg.PtMax) {
			t.Errorf("jet %d: pT %v outside (%v, %v)", i, pt, cfg.PtMin, cfg.PtMax)
		}
		if eta := jet.eta(); !(math.Abs(eta) < cfg.EtaMax) {
			t.Errorf("jet %d: eta %v outside (-%v, %v)", i, eta, cfg.EtaMax, cfg.EtaMax)
		}

		// constituents: physical, inside the cone, hardest first, padding last
		for k := range cfg.MaxParticles {
			p := at(row, k)
			if k >= n {
				if !p.isZero() {
					t.Fatalf("jet %d: constituent %d after %d real ones: %v", i, k, n, p)
				}
				continue
			}
			if !(p[0] > 0) || p[0] < p.pabs()*(1-1e-12) {
				t.Fatalf("jet %d, constituent %d: E %v below |p| %v", i, k, p[0], p.pabs())
			}
			if d := math.Sqrt(deltaR2(p.eta(), p.phi(), jet.eta(), jet.phi())); d >= cfg.Radius {
				t.Fatalf("jet %d, constituent %d: dR %v from the jet axis", i, k, d)
			}
			if k > 0 && p.pt() > at(row, k-1).pt() {
				t.Fatalf("jet %d: constituent %d harder than %d", i, k, k-1)
			}
		}
	}
}

func TestGenerateDeterministic(t *testing.T) {
	cfg := DefaultConfig()
	cfg.N, cfg.Seed = 300, 7
	write := func(c Config) []byte {
		t.Helper()
		s, err := Generate(c)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "jets.npz")
		if err := WriteNPZ(path, s); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	// the same seed gives the same bytes whatever the number of workers
	one, four := cfg, cfg
	one.Workers, four.Workers = 1, 4
	a, b := write(one), write(four)
	if !bytes.Equal(a, b) {
		t.Error("1 and 4 workers give different files for the same seed")
	}
	other := cfg
	other.Seed = 8
	if bytes.Equal(a, write(other)) {
		t.Error("seeds 7 and 8 give the same file")
	}
}

func TestGenerateTopFraction(t *testing.T) {
	for _, tc := range []struct {
		frac float64
		want int
	}{{0, 0}, {1, 40}, {0.25, 10}} {
		cfg := DefaultConfig()
		cfg.N, cfg.TopFraction = 40, tc.frac
		s, err := Generate(cfg)
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for _, l := range s.Labels {
			got += l
		}
		if got != tc.want {
			t.Errorf("TopFraction %v: %d top jets of 40, want %d", tc.frac, got, tc.want)
		}
	}
}

func TestGenerateConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		field string
		edit  func(*Config)
	}{
		{"N", func(c *Config) { c.N = 0 }},
		{"Workers", func(c *Config) { c.Workers = -1 }},
		{"MaxParticles", func(c *Config) { c.MaxParticles = 0 }},
		{"PtMin", func(c *Config) { c.PtMin = -5 }},
		{"PtMax", func(c *Config) { c.PtMax = 500 }},
		{"EtaMax", func(c *Config) { c.EtaMax = math.NaN() }},
		{"Radius", func(c *Config) { c.Radius = 0 }},
		{"TopFraction", func(c *Config) { c.TopFraction = 1.5 }},
		{"GluonFraction", func(c *Config) { c.GluonFraction = -0.1 }},
		{"masses", func(c *Config) { c.TopMass = 90 }},
		{"UnderlyingEvent", func(c *Config) { c.UnderlyingEvent = 1000 }},
		{"AngularResolution", func(c *Config) { c.AngularResolution = math.Inf(1) }},
	} {
		cfg := DefaultConfig()
		tc.edit(&cfg)
		_, err := Generate(cfg)
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: error %v, want one naming the field", tc.field, err)
		}
	}

	// every mistake is reported at once
	cfg := DefaultConfig()
	cfg.N, cfg.Radius = -1, -1
	if err := cfg.Validate(); err == nil ||
		!strings.Contains(err.Error(), "N = -1") || !strings.Contains(err.Error(), "Radius") {
		t.Errorf("two mistakes: error %v, want both", err)
	}
}

func TestGenerateImpossibleSelection(t *testing.T) {
	// a 0.1 cone cannot hold the three quarks of a 600 GeV top
	cfg := DefaultConfig()
	cfg.N, cfg.TopFraction, cfg.Radius = 2, 1, 0.1
	if _, err := Generate(cfg); err == nil || !strings.Contains(err.Error(), "jet 0") {
		t.Errorf("error %v, want one naming jet 0", err)
	}
}

func TestTopDecayKinematics(t *testing.T) {
	cfg := DefaultConfig()
	rng := rand.New(rand.NewPCG(3, 4))
	for range 1000 {
		top, q := topDecay(rng, &cfg, 600, 1.2, -2)
		sum := q[0].add(q[1]).add(q[2])
		for k := range 4 {
			if math.Abs(sum[k]-top[k]) > 1e-9*top[0] {
				t.Fatalf("decay products sum to %v, top is %v", sum, top)
			}
		}
		if m := top.mass(); math.Abs(m-cfg.TopMass) > 10 {
			t.Fatalf("top mass %v, want 173 +- 10", m)
		}
		if m := q[1].add(q[2]).mass(); math.Abs(m-cfg.WMass) > 10 {
			t.Fatalf("W mass %v, want 80.4 +- 10", m)
		}
		if m := q[0].mass(); math.Abs(m-cfg.BMass) > 1e-3 {
			t.Fatalf("b mass %v, want 4.8", m)
		}
		if pt := top.pt(); math.Abs(pt-600) > 1e-9 {
			t.Fatalf("top pT %v, want 600", pt)
		}
	}
}

func TestShowerAndHadronsConserveMomentum(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, gluon := range []bool{false, true} {
		p := masslessVec3(600, 0.7, 2.9)
		partons := shower(rng, p, gluon, showerStartAngle, nil)
		var hadrons []fourVec
		for _, pa := range partons {
			hadrons = hadronize(rng, pa, hadrons)
		}
		var sp, sh vec3
		for _, pa := range partons {
			for k := range 3 {
				sp[k] += pa.p[k]
			}
		}
		for _, h := range hadrons {
			if math.Abs(h[0]-h.pabs()) > 1e-9*h[0] || h[0] <= 0 {
				t.Fatalf("hadron %v is not massless with positive energy", h)
			}
			for k := range 3 {
				sh[k] += h[k+1]
			}
		}
		for k := range 3 {
			if math.Abs(sp[k]-p[k]) > 1e-9*600 || math.Abs(sh[k]-p[k]) > 1e-9*600 {
				t.Errorf("gluon %v: parton %v, partons %v, hadrons %v", gluon, p, sp, sh)
			}
		}
		if len(partons) < 2 || len(hadrons) <= len(partons) {
			t.Errorf("gluon %v: %d partons and %d hadrons from a 600 GeV parton",
				gluon, len(partons), len(hadrons))
		}
	}
}

func TestReshuffleGivesTopMomentum(t *testing.T) {
	cfg := DefaultConfig()
	rng := rand.New(rand.NewPCG(7, 8))
	fitted := 0
	for range 200 {
		top, q := topDecay(rng, &cfg, 600, 0, 0)
		var hs []fourVec
		var prongs [3][2]int
		for k, quark := range q {
			partons := shower(rng, vec3{quark[1], quark[2], quark[3]}, false, 1, nil)
			prongs[k][0] = len(hs)
			for _, pa := range partons {
				hs = hadronize(rng, pa, hs)
			}
			prongs[k][1] = len(hs)
		}
		if !reshuffle(hs, prongs, top) {
			continue
		}
		fitted++
		var sum fourVec
		for _, h := range hs {
			sum = sum.add(h)
		}
		for k := range 4 {
			if math.Abs(sum[k]-top[k]) > 1e-8*top[0] {
				t.Fatalf("hadrons sum to %v, top is %v", sum, top)
			}
		}
	}
	if fitted < 150 {
		t.Errorf("only %d of 200 showered top decays fit the top mass", fitted)
	}
}

func TestLabelsShuffled(t *testing.T) {
	// the labels must not come in blocks: a train/test split by index
	// should see both classes
	s := physics(t)
	first := s.Labels[:s.N/4]
	if !slices.Contains(first, 0) || !slices.Contains(first, 1) {
		t.Error("the first quarter of the sample holds one class only")
	}
}

func BenchmarkGenerate(b *testing.B) {
	cfg := DefaultConfig()
	cfg.N = 1000
	for i := 0; b.Loop(); i++ {
		cfg.Seed = uint64(i)
		if _, err := Generate(cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*cfg.N), "ns/jet")
}
