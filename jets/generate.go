package jets

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// Selection constants of the generator.
const (
	// maxTries bounds the attempts at one jet before Generate gives up.
	maxTries = 1000
	// maxConeIterations bounds the stable-cone iteration of one attempt.
	maxConeIterations = 20
	// hardPtLow and hardPtHigh widen the window of the hard-process pT
	// relative to [PtMin, PtMax]: the jet loses a few percent out of the
	// cone and gains a little underlying event, and the widened window
	// feeds the selection near both edges.
	hardPtLow, hardPtHigh = 0.97, 1.06
	// labelStream is the stream of the label shuffle.
	labelStream = 0x6a657473 // "jets"
)

// Generate makes cfg.N jets, a fraction cfg.TopFraction of them top jets,
// as described in the package documentation and docs/jets.md. The result
// depends only on cfg, not on the number of workers or the machine: jet i
// draws from its own random stream derived from cfg.Seed and i.
//
// Each jet is regenerated from its own stream until it passes the
// selection: a stable cone (every stored constituent within cfg.Radius of
// the sum of the stored constituents), cfg.PtMin < pT < cfg.PtMax,
// |eta| < cfg.EtaMax and, for a top jet, the top quark and its three decay
// quarks within cfg.Radius of the jet axis, as in the reference dataset.
// Generate fails when a jet needs more than 1000 attempts, which only an
// unphysical configuration causes.
func Generate(cfg Config) (*Sample, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Sample{
		N:            cfg.N,
		MaxParticles: cfg.MaxParticles,
		P4:           make([]float64, cfg.N*cfg.MaxParticles*4),
		Labels:       shuffledLabels(cfg),
		Counts:       make([]int, cfg.N),
	}

	// hand out chunks of jets to the workers
	workers := cfg.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	const chunk = 64
	var next atomic.Int64
	errs := make([]error, cfg.N)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := generator{cfg: &cfg}
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= cfg.N {
					return
				}
				for i := lo; i < min(lo+chunk, cfg.N); i++ {
					errs[i] = g.jet(s, i)
				}
			}
		}()
	}
	wg.Wait()

	// report the first failure by jet index, whatever the scheduling
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// shuffledLabels returns exactly round(TopFraction N) ones among N labels,
// shuffled with a stream of the master seed.
func shuffledLabels(cfg Config) []int {
	labels := make([]int, cfg.N)
	tops := int(math.Round(cfg.TopFraction * float64(cfg.N)))
	for i := range tops {
		labels[i] = 1
	}
	rng := rand.New(rand.NewPCG(splitMix(cfg.Seed), splitMix(labelStream)))
	rng.Shuffle(len(labels), func(i, j int) { labels[i], labels[j] = labels[j], labels[i] })
	return labels
}

// splitMix returns the SplitMix64 mix of x, which spreads nearby seeds
// apart.
func splitMix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// A generator holds one worker's scratch buffers.
type generator struct {
	cfg       *Config
	partons   []parton
	particles []fourVec
	inCone    []int
	previous  []int
}

// jet fills jet i of s from the jet's own random stream.
func (g *generator) jet(s *Sample, i int) error {
	c := g.cfg
	rng := rand.New(rand.NewPCG(splitMix(c.Seed), splitMix(uint64(i)+1)))
	top := s.Labels[i] == 1
	for range maxTries {
		if g.attempt(rng, top) {
			g.store(s, i)
			return nil
		}
	}
	kind := "QCD"
	if top {
		kind = "top"
	}
	return fmt.Errorf("jets: jet %d: no %s jet passed the selection in %d attempts "+
		"(pT %g to %g GeV, |eta| < %g, R = %g)", i, kind, maxTries, c.PtMin, c.PtMax,
		c.EtaMax, c.Radius)
}

// attempt generates one candidate jet into g.particles and g.inCone and
// reports whether it passes the selection.
func (g *generator) attempt(rng *rand.Rand, top bool) bool {
	c := g.cfg

	// the hard process and its parton showers
	pt := c.PtMin*hardPtLow + rng.Float64()*(c.PtMax*hardPtHigh-c.PtMin*hardPtLow)
	eta := c.EtaMax * (2*rng.Float64() - 1)
	phi := math.Pi * (2*rng.Float64() - 1)
	var t fourVec
	var quarks [3]fourVec
	g.partons = g.partons[:0]
	g.particles = g.particles[:0]
	if top {
		t, quarks = topDecay(rng, c, pt, eta, phi)
		eta, phi = t.eta(), t.phi()
		rw := math.Sqrt(deltaR2(quarks[1].eta(), quarks[1].phi(),
			quarks[2].eta(), quarks[2].phi()))
		var prongs [3][2]int
		for k, q := range quarks {
			rmax := showerStartAngle
			if k > 0 {
				rmax = rw // the W is a colour singlet
			}
			g.partons = shower(rng, vec3{q[1], q[2], q[3]}, false, rmax, g.partons[:0])
			prongs[k][0] = len(g.particles)
			for _, pa := range g.partons {
				g.particles = hadronize(rng, pa, g.particles)
			}
			prongs[k][1] = len(g.particles)
		}
		if !reshuffle(g.particles, prongs, t) {
			return false
		}
	} else {
		gluon := rng.Float64() < c.GluonFraction
		g.partons = shower(rng, masslessVec3(pt, eta, phi), gluon, showerStartAngle,
			g.partons)
		for _, pa := range g.partons {
			g.particles = hadronize(rng, pa, g.particles)
		}
	}

	// underlying event and detector
	for range poisson(rng, c.UnderlyingEvent) {
		r := c.Radius * math.Sqrt(rng.Float64())
		s, co := math.Sincos(2 * math.Pi * rng.Float64())
		g.particles = append(g.particles,
			massless(c.UnderlyingEventPt*rng.ExpFloat64(), eta+r*co, phi+r*s))
	}
	g.detect(rng)

	// the jet and its selection
	axis, ok := g.cone(eta, phi)
	if !ok || len(g.inCone) == 0 {
		return false
	}
	if jpt := axis.pt(); !(jpt > c.PtMin && jpt < c.PtMax) || !(math.Abs(axis.eta()) < c.EtaMax) {
		return false
	}
	if top {
		r2 := c.Radius * c.Radius
		ae, ap := axis.eta(), axis.phi()
		if deltaR2(eta, phi, ae, ap) >= r2 {
			return false
		}
		for _, q := range quarks {
			if deltaR2(q.eta(), q.phi(), ae, ap) >= r2 {
				return false
			}
		}
	}
	return true
}

// detect smears the energy and direction of every particle of
// g.particles, drops those below the threshold and sorts the rest by pT,
// hardest first.
func (g *generator) detect(rng *rand.Rand) {
	c := g.cfg
	kept := g.particles[:0]
	for _, p := range g.particles {
		// log-normal energy response of mean one, Gaussian angles
		sigma := math.Sqrt(c.EnergyStochastic*c.EnergyStochastic/p[0] +
			c.EnergyConstant*c.EnergyConstant)
		scale := math.Exp(sigma*rng.NormFloat64() - sigma*sigma/2)
		pt := p.pt() * scale
		eta := p.eta() + c.AngularResolution*rng.NormFloat64()
		phi := p.phi() + c.AngularResolution*rng.NormFloat64()
		if pt > c.ParticlePtMin {
			kept = append(kept, massless(pt, eta, phi))
		}
	}
	slices.SortFunc(kept, func(a, b fourVec) int { return cmp.Compare(b.pt(), a.pt()) })
	g.particles = kept
}

// cone finds the stable cone started at (eta, phi): the leading
// MaxParticles particles within Radius of an axis, where the axis is the
// sum of those particles. It leaves their indices in g.inCone and
// returns the axis, or false when the iteration does not settle.
func (g *generator) cone(eta, phi float64) (fourVec, bool) {
	c := g.cfg
	r2 := c.Radius * c.Radius
	g.previous = g.previous[:0]
	for range maxConeIterations {
		g.inCone = g.inCone[:0]
		var sum fourVec
		for j, p := range g.particles {
			if len(g.inCone) == c.MaxParticles {
				break
			}
			if deltaR2(p.eta(), p.phi(), eta, phi) < r2 {
				g.inCone = append(g.inCone, j)
				sum = sum.add(p)
			}
		}
		if slices.Equal(g.inCone, g.previous) {
			return sum, true
		}
		if sum.pt() == 0 {
			return sum, false
		}
		g.previous = append(g.previous[:0], g.inCone...)
		eta, phi = sum.eta(), sum.phi()
	}
	return fourVec{}, false
}

// store copies the selected constituents into jet i of s, hardest first.
func (g *generator) store(s *Sample, i int) {
	row := s.Jet(i)
	for k, j := range g.inCone {
		copy(row[4*k:4*k+4], g.particles[j][:])
	}
	s.Counts[i] = len(g.inCone)
}

// poisson draws from a Poisson distribution of mean mu <= 100 by
// multiplying uniforms.
func poisson(rng *rand.Rand, mu float64) int {
	limit, n := math.Exp(-mu), 0
	for p := rng.Float64(); p > limit; p *= rng.Float64() {
		n++
	}
	return n
}
