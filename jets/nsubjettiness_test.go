package jets

import (
	"math"
	"testing"
)

func TestNSubjettinessTwoParticles(t *testing.T) {
	// two equal particles a distance d apart: one axis anywhere between
	// them gives sum pT dR = pT d, so tau1 = d / (2 R)
	d, r := 0.3, 0.8
	s := handJets(2, [][3]float64{{100, 0.1, 1}, {100, 0.1 + d, 1}})
	if got, want := NSubjettiness(s.Jet(0), 1, r), d/(2*r); math.Abs(got-want) > 1e-6 {
		t.Errorf("tau1 = %v, want %v", got, want)
	}
	if got := NSubjettiness(s.Jet(0), 2, r); got != 0 {
		t.Errorf("tau2 of two particles = %v, want 0", got)
	}
	if got := Tau21(s.Jet(0)); got != 0 {
		t.Errorf("tau21 of two particles = %v, want 0", got)
	}
}

func TestNSubjettinessProngs(t *testing.T) {
	// three pencil prongs: three axes fit exactly, two cannot
	prong := func(pt, eta, phi float64) [][3]float64 {
		return [][3]float64{{pt / 2, eta, phi}, {pt / 3, eta, phi}, {pt / 6, eta, phi}}
	}
	var ps [][3]float64
	ps = append(ps, prong(200, 0, 0)...)
	ps = append(ps, prong(150, 0.4, 0.1)...)
	ps = append(ps, prong(100, -0.1, 0.45)...)
	s := handJets(16, ps)
	p4 := s.Jet(0)
	tau2, tau3 := NSubjettiness(p4, 2, 0.8), NSubjettiness(p4, 3, 0.8)
	if tau3 > 1e-9 || tau2 < 0.01 {
		t.Errorf("three prongs: tau2 = %v, tau3 = %v; want tau3 = 0 < tau2", tau2, tau3)
	}
	if got := Tau32(p4); got > 1e-9 {
		t.Errorf("tau32 = %v, want 0", got)
	}

	// with two prongs only, tau2 vanishes and tau1 does not
	s = handJets(16, append(prong(200, 0, 0), prong(150, 0.4, 0.1)...))
	if got := Tau21(s.Jet(0)); got > 1e-9 {
		t.Errorf("two prongs: tau21 = %v, want 0", got)
	}

	// the best single axis of two prongs lies on the harder one (the
	// geometric median of two weighted points), so tau1 = pT_2 d / (R sum pT)
	d := math.Hypot(0.4, 0.1)
	got, want := NSubjettiness(s.Jet(0), 1, 0.8), 150*d/(0.8*350)
	if math.Abs(got-want) > 1e-3*want {
		t.Errorf("two prongs: tau1 = %v, want %v", got, want)
	}
}

func TestNSubjettinessPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NSubjettiness(n = 0) did not panic")
		}
	}()
	NSubjettiness(make([]float64, 8), 0, 0.8)
}
