package jets

import (
	"errors"
	"fmt"
	"math"
)

// Config sets what Generate makes. Start from DefaultConfig, which
// follows the public top-tagging reference dataset, and change fields.
type Config struct {
	// N is the number of jets.
	N int
	// Seed is the master seed; jet i draws from a stream derived from
	// Seed and i.
	Seed uint64
	// Workers is the number of goroutines; zero means GOMAXPROCS. The
	// sample does not depend on it.
	Workers int

	// PtMin and PtMax bound the jet pT in GeV, EtaMax the jet |eta|.
	PtMin, PtMax, EtaMax float64
	// Radius is the jet radius in the (eta, phi) plane.
	Radius float64
	// MaxParticles is the number of constituents stored per jet; the
	// softest beyond it are dropped, fewer are zero-padded.
	MaxParticles int
	// TopFraction is the fraction of top jets, rounded to a whole number
	// of jets; the labels are shuffled with the master seed.
	TopFraction float64
	// GluonFraction is the fraction of QCD jets started by a gluon
	// rather than a light quark.
	GluonFraction float64

	// TopMass, TopWidth, WMass and WWidth (GeV) set the Breit-Wigner
	// line shapes of the top quark and the W boson; BMass is the b-quark
	// mass used in the decay kinematics.
	TopMass, TopWidth, WMass, WWidth, BMass float64

	// UnderlyingEvent is the mean number of soft underlying-event
	// particles spread uniformly over the jet area, UnderlyingEventPt
	// their mean pT in GeV (exponential spectrum).
	UnderlyingEvent, UnderlyingEventPt float64

	// EnergyStochastic (GeV^1/2) and EnergyConstant set the relative
	// energy resolution sqrt(a^2/E + b^2) of each particle;
	// AngularResolution is the Gaussian smearing of eta and of phi.
	EnergyStochastic, EnergyConstant, AngularResolution float64
	// ParticlePtMin is the detector threshold in GeV: softer particles
	// are not seen.
	ParticlePtMin float64
}

// DefaultConfig returns the configuration of the reference dataset's
// selection (pT 550 to 650 GeV, |eta| < 2, R = 0.8, 200 constituents) with
// an even class balance, 10,000 jets and seed 1.
func DefaultConfig() Config {
	return Config{
		N:            10000,
		Seed:         1,
		PtMin:        550,
		PtMax:        650,
		EtaMax:       2,
		Radius:       0.8,
		MaxParticles: 200,
		TopFraction:  0.5,

		GluonFraction: 0.4,

		TopMass:  173,
		TopWidth: 1.4,
		WMass:    80.4,
		WWidth:   2.1,
		BMass:    4.8,

		UnderlyingEvent:   6,
		UnderlyingEventPt: 1,

		EnergyStochastic:  0.5,
		EnergyConstant:    0.03,
		AngularResolution: 0.005,
		ParticlePtMin:     0.4,
	}
}

// Validate reports every field of c that Generate cannot use, joined in
// one error.
func (c Config) Validate() error {
	var errs []error
	bad := func(field string, v any, why string) {
		errs = append(errs, fmt.Errorf("jets: config: %s = %v: %s", field, v, why))
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

	// sizes
	if c.N <= 0 {
		bad("N", c.N, "must be positive")
	}
	if c.Workers < 0 {
		bad("Workers", c.Workers, "must not be negative")
	}
	if c.MaxParticles <= 0 {
		bad("MaxParticles", c.MaxParticles, "must be positive")
	}

	// selection
	if !finite(c.PtMin) || c.PtMin <= 0 {
		bad("PtMin", c.PtMin, "must be positive")
	}
	if !finite(c.PtMax) || !(c.PtMax > c.PtMin) {
		bad("PtMax", c.PtMax, "must exceed PtMin")
	}
	if !finite(c.EtaMax) || c.EtaMax <= 0 || c.EtaMax > 5 {
		bad("EtaMax", c.EtaMax, "must be in (0, 5]")
	}
	if !finite(c.Radius) || c.Radius <= 0 || c.Radius > 1.5 {
		bad("Radius", c.Radius, "must be in (0, 1.5]")
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"TopFraction", c.TopFraction}, {"GluonFraction", c.GluonFraction}} {
		if !(f.v >= 0 && f.v <= 1) {
			bad(f.name, f.v, "must be in [0, 1]")
		}
	}

	// physics
	if !finite(c.TopMass) || !finite(c.WMass) || !finite(c.BMass) ||
		c.BMass < 0 || c.WMass <= 0 || c.TopMass <= c.WMass+c.BMass+20 {
		errs = append(errs, fmt.Errorf("jets: config: masses top %v, W %v, b %v: "+
			"need top > W + b + 20 GeV and W > 0", c.TopMass, c.WMass, c.BMass))
	}
	for _, f := range []struct {
		name string
		v    float64
	}{
		{"TopWidth", c.TopWidth}, {"WWidth", c.WWidth},
		{"UnderlyingEvent", c.UnderlyingEvent}, {"UnderlyingEventPt", c.UnderlyingEventPt},
		{"EnergyStochastic", c.EnergyStochastic}, {"EnergyConstant", c.EnergyConstant},
		{"AngularResolution", c.AngularResolution}, {"ParticlePtMin", c.ParticlePtMin},
	} {
		if !finite(f.v) || f.v < 0 {
			bad(f.name, f.v, "must be finite and not negative")
		}
	}
	if c.UnderlyingEvent > 100 {
		bad("UnderlyingEvent", c.UnderlyingEvent, "must be at most 100")
	}
	return errors.Join(errs...)
}
