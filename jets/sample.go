package jets

import (
	"fmt"
	"math"
)

// A Sample is a set of jets in the layout of the top-tagging reference
// dataset: MaxParticles constituents per jet, each (E, px, py, pz) in GeV,
// hardest first, zero-padded. A constituent whose four components are all
// zero is padding.
type Sample struct {
	// N is the number of jets, MaxParticles the constituents per jet.
	N, MaxParticles int
	// P4 holds the constituents row-major as [N][MaxParticles][4].
	P4 []float64
	// Labels holds 1 for a top jet and 0 for a QCD jet.
	Labels []int
	// Counts holds the number of non-padding constituents of each jet.
	Counts []int
}

// Jet returns the constituents of jet i, 4 MaxParticles values that share
// storage with s.P4.
func (s *Sample) Jet(i int) []float64 {
	m := 4 * s.MaxParticles
	return s.P4[i*m : (i+1)*m : (i+1)*m]
}

// Check reports the first inconsistency of s: slice lengths that do not
// match N and MaxParticles, a value that is not finite, a label that is
// not 0 or 1, or a count that differs from the number of non-padding
// constituents.
func (s *Sample) Check() error {
	switch {
	case s.N < 0 || s.MaxParticles <= 0:
		return fmt.Errorf("jets: sample: N = %d, MaxParticles = %d", s.N, s.MaxParticles)
	case len(s.P4) != 4*s.N*s.MaxParticles:
		return fmt.Errorf("jets: sample: len(P4) = %d, want 4 N MaxParticles = %d",
			len(s.P4), 4*s.N*s.MaxParticles)
	case len(s.Labels) != s.N:
		return fmt.Errorf("jets: sample: len(Labels) = %d, want N = %d", len(s.Labels), s.N)
	case len(s.Counts) != s.N:
		return fmt.Errorf("jets: sample: len(Counts) = %d, want N = %d", len(s.Counts), s.N)
	}
	for i := range s.N {
		if l := s.Labels[i]; l != 0 && l != 1 {
			return fmt.Errorf("jets: sample: jet %d: label %d, want 0 or 1", i, l)
		}
		row := s.Jet(i)
		for k, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("jets: sample: jet %d, constituent %d: %v", i, k/4, v)
			}
		}
		if _, n := jetSum(row); n != s.Counts[i] {
			return fmt.Errorf("jets: sample: jet %d: count %d, but %d constituents",
				i, s.Counts[i], n)
		}
	}
	return nil
}

// Boost returns a copy of s in which every constituent is boosted along
// the x axis with speed beta (in units of c), as in the method's
// robustness study:
//
//	E' = gamma (E - beta px),  px' = gamma (px - beta E),  py' = py,  pz' = pz
//
// with gamma = 1 / sqrt(1 - beta^2). Invariant masses are unchanged,
// padding stays zero, and beta = 0 returns an identical copy. Boost fails
// unless -1 < beta < 1.
func (s *Sample) Boost(beta float64) (*Sample, error) {
	if !(beta > -1 && beta < 1) {
		return nil, fmt.Errorf("jets: boost: beta = %v: must be in (-1, 1)", beta)
	}
	b := &Sample{
		N:            s.N,
		MaxParticles: s.MaxParticles,
		P4:           make([]float64, len(s.P4)),
		Labels:       append([]int(nil), s.Labels...),
		Counts:       append([]int(nil), s.Counts...),
	}
	gamma := 1 / math.Sqrt(1-beta*beta)
	for i := 0; i < len(s.P4); i += 4 {
		e, px := s.P4[i], s.P4[i+1]
		b.P4[i] = gamma * (e - beta*px)
		b.P4[i+1] = gamma * (px - beta*e)
		b.P4[i+2] = s.P4[i+2]
		b.P4[i+3] = s.P4[i+3]
	}
	return b, nil
}
