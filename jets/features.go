package jets

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
)

// A ParticleFeature names an input computed for each constituent,
// relative to the jet, the sum of all the non-padding constituents.
type ParticleFeature string

// The per-constituent features. The first four are the inputs of the
// method's students.
const (
	ParticlePtRel ParticleFeature = "pt_rel" // pT / pT_jet
	ParticleDEta  ParticleFeature = "deta"   // eta - eta_jet
	ParticleDPhi  ParticleFeature = "dphi"   // phi - phi_jet wrapped to [-pi, pi)
	ParticleMass  ParticleFeature = "mass"   // constituent mass in GeV
	ParticleLogPt ParticleFeature = "log_pt" // ln(pT / 1 GeV)
	ParticleERel  ParticleFeature = "e_rel"  // E / E_jet
	ParticleLogE  ParticleFeature = "log_e"  // ln(E / 1 GeV)
	ParticleDR    ParticleFeature = "dr"     // sqrt(deta^2 + dphi^2)
)

// A HighLevelFeature names an input computed once per jet.
type HighLevelFeature string

// The jet-level features.
const (
	HighLevelMass = HighLevelFeature("mass")           // jet mass in GeV
	HighLevelPt   = HighLevelFeature("pt")             // jet pT in GeV
	HighLevelEta  = HighLevelFeature("eta")            // jet pseudorapidity
	HighLevelN    = HighLevelFeature("n_constituents") // non-padding constituents
	HighLevelTau1 = HighLevelFeature("tau1")           // NSubjettiness(1, R)
	HighLevelTau2 = HighLevelFeature("tau2")           // NSubjettiness(2, R)
	HighLevelTau3 = HighLevelFeature("tau3")           // NSubjettiness(3, R)
	HighLevelT21  = HighLevelFeature("tau21")          // Tau21
	HighLevelT32  = HighLevelFeature("tau32")          // Tau32
)

// ParticleFeatures returns every per-constituent feature Extract knows.
func ParticleFeatures() []ParticleFeature {
	return []ParticleFeature{ParticlePtRel, ParticleDEta, ParticleDPhi, ParticleMass,
		ParticleLogPt, ParticleERel, ParticleLogE, ParticleDR}
}

// HighLevelFeatures returns every jet-level feature Extract knows.
func HighLevelFeatures() []HighLevelFeature {
	return []HighLevelFeature{HighLevelMass, HighLevelPt, HighLevelEta, HighLevelN,
		HighLevelTau1, HighLevelTau2, HighLevelTau3, HighLevelT21, HighLevelT32}
}

// A FeatureSpec says which inputs a student reads: PerParticle features
// of the Particles hardest constituents, and HighLevel features of the
// jet.
type FeatureSpec struct {
	// Particles is the number of constituents, hardest first, whose
	// features are extracted; jets with fewer are zero-padded.
	Particles int
	// PerParticle lists the features of each constituent, in order. It
	// must include pt_rel or e_rel, which are positive for every real
	// constituent, so that a row of zeros always means padding.
	PerParticle []ParticleFeature
	// HighLevel lists the jet-level features, in order.
	HighLevel []HighLevelFeature
	// Radius is the characteristic radius of tau1, tau2 and tau3; zero
	// means 0.8. The ratios tau21 and tau32 do not depend on it.
	Radius float64
	// Invariants is the number K of constituents whose Lorentz
	// invariants are extracted (see Invariants); 0 for none. They come
	// after the high-level features.
	Invariants int
}

// StudentSpec returns the inputs of the method's students: pT / pT_jet,
// eta - eta_jet, phi - phi_jet and the mass of the given number of hardest
// constituents (128 for the MLP student, all 200 for the Deep Set).
func StudentSpec(particles int) FeatureSpec {
	return FeatureSpec{
		Particles:   particles,
		PerParticle: []ParticleFeature{ParticlePtRel, ParticleDEta, ParticleDPhi, ParticleMass},
	}
}

// Validate reports every problem of fs, joined in one error: unknown or
// repeated names, a particle count that does not match the per-particle
// list, per-particle features without pt_rel or e_rel, or no features at
// all.
func (fs FeatureSpec) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("jets: features: "+format, args...))
	}

	// names
	particleFeatures, highLevelFeatures := ParticleFeatures(), HighLevelFeatures()
	seenP := map[ParticleFeature]bool{}
	for i, f := range fs.PerParticle {
		switch {
		case !slices.Contains(particleFeatures, f):
			bad("per-particle feature %d: unknown %q (known: %v)", i, f, particleFeatures)
		case seenP[f]:
			bad("per-particle feature %d: %q repeated", i, f)
		}
		seenP[f] = true
	}
	seenH := map[HighLevelFeature]bool{}
	for i, f := range fs.HighLevel {
		switch {
		case !slices.Contains(highLevelFeatures, f):
			bad("high-level feature %d: unknown %q (known: %v)", i, f, highLevelFeatures)
		case seenH[f]:
			bad("high-level feature %d: %q repeated", i, f)
		}
		seenH[f] = true
	}

	// shape
	switch {
	case len(fs.PerParticle) == 0 && len(fs.HighLevel) == 0 && fs.Invariants == 0:
		bad("no features")
	case fs.Invariants < 0 || fs.Invariants > MaxInvariants:
		bad("invariants = %d: must be in 0..%d", fs.Invariants, MaxInvariants)
	case fs.Particles < 0:
		bad("particles = %d: must not be negative", fs.Particles)
	case len(fs.PerParticle) > 0 && fs.Particles == 0:
		bad("%d per-particle features but particles = 0", len(fs.PerParticle))
	case len(fs.PerParticle) == 0 && fs.Particles > 0:
		bad("particles = %d but no per-particle features", fs.Particles)
	}
	if len(fs.PerParticle) > 0 && !seenP[ParticlePtRel] && !seenP[ParticleERel] {
		bad("per-particle features %v: need %q or %q to tell particles from padding",
			fs.PerParticle, ParticlePtRel, ParticleERel)
	}
	if math.IsNaN(fs.Radius) || math.IsInf(fs.Radius, 0) || fs.Radius < 0 {
		bad("radius = %v: must be finite and not negative", fs.Radius)
	}
	return errors.Join(errs...)
}

// Width returns the number of values per jet: Particles times the
// per-particle features, plus the high-level features, plus the
// InvariantWidth of the invariants.
func (fs FeatureSpec) Width() int {
	return fs.Particles*len(fs.PerParticle) + len(fs.HighLevel) + InvariantWidth(fs.Invariants)
}

// Extract computes the features of every jet of s on the constituents as
// they are, so after a Boost the jet axis, the pT order and every feature
// come from the boosted event. It returns the values row-major with their
// shape:
//
//   - per-particle features only: [N, Particles, len(PerParticle)];
//   - high-level features only: [N, len(HighLevel)];
//   - anything else: [N, Width()], each row the flattened per-particle
//     block (constituent 0's features, then constituent 1's, ...)
//     followed by the high-level features and then the invariants.
//
// Constituents are ordered by pT, hardest first; the rows of missing
// constituents are all zero, and no real constituent gives an all-zero
// row. Extract fails on an invalid spec, a jet without constituents, or a
// constituent whose pT or energy is not positive.
func (fs FeatureSpec) Extract(s *Sample) (x []float64, shape []int, err error) {
	if err := fs.Validate(); err != nil {
		return nil, nil, err
	}
	width := fs.Width()
	x = make([]float64, s.N*width)
	if len(fs.HighLevel) == 0 && fs.Invariants == 0 {
		shape = []int{s.N, fs.Particles, len(fs.PerParticle)}
	} else {
		shape = []int{s.N, width}
	}

	// jets in parallel; each writes its own row
	workers := min(runtime.GOMAXPROCS(0), max(s.N/64, 1))
	errs := make([]error, s.N)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var ex extractor
			for i := w; i < s.N; i += workers {
				errs[i] = ex.jet(fs, s.Jet(i), x[i*width:(i+1)*width])
				if errs[i] != nil {
					errs[i] = fmt.Errorf("jets: features: jet %d: %w", i, errs[i])
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	return x, shape, nil
}

// An extractor holds one worker's scratch buffers.
type extractor struct {
	cs  []constituent
	inv []constituent // the constituents in rest-frame energy order
	nk  nsubWork
}

// jet writes the features of one jet into row.
func (ex *extractor) jet(fs FeatureSpec, p4 []float64, row []float64) error {
	// the jet is the sum of its constituents
	ex.cs = constituents(p4, ex.cs[:0])
	if len(ex.cs) == 0 {
		return errors.New("no constituents")
	}
	var j fourVec
	for _, c := range ex.cs {
		if c.pt == 0 || !(c.p[0] > 0) {
			return fmt.Errorf("constituent %d: pT %v, E %v: both must be positive",
				c.originalIndex, c.pt, c.p[0])
		}
		j = j.add(c.p)
	}
	jpt, jeta, jphi := j.pt(), j.eta(), j.phi()
	if jpt == 0 {
		return errors.New("jet pT is zero")
	}

	// per-particle block, hardest first
	slices.SortStableFunc(ex.cs, func(a, b constituent) int { return cmp.Compare(b.pt, a.pt) })
	nf := len(fs.PerParticle)
	for k, c := range ex.cs[:min(fs.Particles, len(ex.cs))] {
		deta, dphi := c.eta-jeta, wrapPhi(c.phi-jphi)
		for f, name := range fs.PerParticle {
			var v float64
			switch name {
			case ParticlePtRel:
				v = c.pt / jpt
			case ParticleDEta:
				v = deta
			case ParticleDPhi:
				v = dphi
			case ParticleMass:
				v = c.p.mass()
			case ParticleLogPt:
				v = math.Log(c.pt)
			case ParticleERel:
				v = c.p[0] / j[0]
			case ParticleLogE:
				v = math.Log(c.p[0])
			case ParticleDR:
				v = math.Hypot(deta, dphi)
			}
			row[k*nf+f] = v
		}
	}

	// high-level block, then the invariants
	if fs.Invariants > 0 {
		inv := row[fs.Particles*nf+len(fs.HighLevel):]
		if err := ex.invariants(j, fs.Invariants, inv); err != nil {
			return err
		}
	}
	if len(fs.HighLevel) == 0 {
		return nil
	}
	r := fs.Radius
	if r == 0 {
		r = 0.8
	}
	maxN := 0
	for _, name := range fs.HighLevel {
		switch name {
		case HighLevelTau1:
			maxN = max(maxN, 1)
		case HighLevelTau2, HighLevelT21:
			maxN = max(maxN, 2)
		case HighLevelTau3, HighLevelT32:
			maxN = max(maxN, 3)
		}
	}
	var tau []float64
	if maxN > 0 {
		tau = ex.nk.taus(ex.cs, maxN, r)
	}
	hl := row[fs.Particles*nf:]
	for f, name := range fs.HighLevel {
		var v float64
		switch name {
		case HighLevelMass:
			v = j.mass()
		case HighLevelPt:
			v = jpt
		case HighLevelEta:
			v = jeta
		case HighLevelN:
			v = float64(len(ex.cs))
		case HighLevelTau1:
			v = tau[0]
		case HighLevelTau2:
			v = tau[1]
		case HighLevelTau3:
			v = tau[2]
		case HighLevelT21:
			v = ratio(tau[1], tau[0])
		case HighLevelT32:
			v = ratio(tau[2], tau[1])
		}
		hl[f] = v
	}
	return nil
}
