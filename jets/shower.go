package jets

import (
	"math"
	"math/rand/v2"
)

// Constants of the parton shower and of the hadronization. They are
// physics choices of the toy, not knobs: docs/jets.md explains them.
const (
	// showerCutoff is the smallest transverse momentum (GeV) of an
	// emission relative to its emitter, where the shower hands over to
	// hadronization.
	showerCutoff = 1.0
	// lambdaQCD (GeV) sets the one-loop running coupling with five
	// flavours, frozen below showerCutoff.
	lambdaQCD = 0.09
	// showerStartAngle is the largest emission angle (in the eta-phi
	// plane) of a parton that is not a W decay product.
	showerStartAngle = 1.0
	// colourQuark and colourGluon are the colour factors C_F and C_A.
	colourQuark = 4.0 / 3
	colourGluon = 3.0

	// hadronCut (GeV) ends a fragmentation chain: the energy left below
	// it becomes the last hadron.
	hadronCut = 1.5
	// fragQuark and fragGluon are the exponents b of the fragmentation
	// function b (1 - z)^(b-1); the mean number of hadrons grows as
	// b ln(E / hadronCut).
	fragQuark = 1.5
	fragGluon = 2.0
	// hadronKt (GeV) is the Gaussian width of each transverse momentum
	// component of a hadron relative to its parton.
	hadronKt = 0.3
)

// alphaS returns the one-loop strong coupling at scale kt (GeV) with five
// flavours, frozen below showerCutoff.
func alphaS(kt float64) float64 {
	const b0 = (33 - 2*5) / (12 * math.Pi)
	kt = max(kt, showerCutoff)
	return 1 / (b0 * math.Log(kt*kt/(lambdaQCD*lambdaQCD)))
}

// A vec3 is a three-momentum (px, py, pz) in GeV.
type vec3 [3]float64

func (p vec3) sub(q vec3) vec3 { return vec3{p[0] - q[0], p[1] - q[1], p[2] - q[2]} }
func (p vec3) abs() float64    { return math.Sqrt(p[0]*p[0] + p[1]*p[1] + p[2]*p[2]) }

// fourVec returns the massless four-momentum with three-momentum p.
func (p vec3) fourVec() fourVec { return fourVec{p.abs(), p[0], p[1], p[2]} }

// ptEtaPhi returns the transverse momentum, pseudorapidity and azimuth.
func (p vec3) ptEtaPhi() (pt, eta, phi float64) {
	pt = math.Hypot(p[0], p[1])
	return pt, math.Asinh(p[2] / pt), math.Atan2(p[1], p[0])
}

// masslessVec3 returns the three-momentum of transverse momentum pt at
// pseudorapidity eta and azimuth phi.
func masslessVec3(pt, eta, phi float64) vec3 {
	s, c := math.Sincos(phi)
	return vec3{pt * c, pt * s, pt * math.Sinh(eta)}
}

// A parton is a quark or gluon of the shower.
type parton struct {
	p     vec3
	gluon bool
}

// shower appends to out the final partons of the angular-ordered
// shower of a parton with three-momentum p whose emissions lie below the
// angle rmax from it, and returns the extended slice.
//
// Emissions follow the soft-collinear density
// (2 alpha_s(kt) C / pi) (dR / R) (dz / z), z < 1/2 the momentum fraction of
// the emitted gluon and kt = z pT R > showerCutoff. They are found by the
// veto algorithm from a constant overestimate in ln R and ln z. Each
// emission places a gluon at distance R from the emitter in the eta-phi
// plane and takes its three-momentum from the emitter (the emitter
// recoils), so the shower conserves three-momentum exactly; energies are
// those of massless partons. The gluon showers below R (angular
// ordering), the emitter goes on below R too.
func shower(rng *rand.Rand, p vec3, gluon bool, rmax float64, out []parton) []parton {
	colour := colourQuark
	if gluon {
		colour = colourGluon
	}
	amax := alphaS(showerCutoff)

	for {
		pt, eta, phi := p.ptEtaPhi()

		// find the next emission angle below rmax, or none
		r, z := rmax, 0.0
		for {
			width := math.Log(pt * r / (2 * showerCutoff)) // range of ln(1/z) at r
			if width <= 0 {
				return append(out, parton{p, gluon})
			}
			rate := 2 * amax * colour / math.Pi * width
			r *= math.Exp(-rng.ExpFloat64() / rate)
			z = 0.5 * math.Exp(-width*rng.Float64())
			kt := z * pt * r
			if kt < showerCutoff || rng.Float64()*amax > alphaS(kt) {
				continue
			}
			break
		}

		// emit a gluon at distance r and recoil the emitter
		s, c := math.Sincos(2 * math.Pi * rng.Float64())
		g := masslessVec3(z*pt, eta+r*c, phi+r*s)
		p = p.sub(g)
		out = shower(rng, g, true, r, out)
		rmax = r
	}
}

// hadronize appends to out the massless hadrons of a parton and returns
// the extended slice.
//
// A fragmentation chain takes from the energy W still available a
// fraction z drawn from b (1 - z)^(b-1) (b = fragQuark or fragGluon) until
// less than hadronCut is left, which becomes the last hadron. Each hadron
// gets a Gaussian transverse momentum of width hadronKt (capped at its
// longitudinal momentum) around the parton direction; the mean transverse
// momentum is subtracted, so the hadrons sum to the parton's
// three-momentum exactly.
func hadronize(rng *rand.Rand, pa parton, out []fourVec) []fourVec {
	e := pa.p.abs()
	if e == 0 {
		return out
	}
	b := fragQuark
	if pa.gluon {
		b = fragGluon
	}

	// longitudinal fractions and transverse kicks
	first := len(out)
	var sumX, sumY float64
	for w := e; w > 0; {
		l := w
		if w > hadronCut {
			l = w * (1 - math.Pow(rng.Float64(), 1/b))
		}
		w -= l
		if w < hadronCut*1e-9 {
			l, w = l+w, 0
		}
		kx, ky := hadronKt*rng.NormFloat64(), hadronKt*rng.NormFloat64()
		if k := math.Hypot(kx, ky); k > l {
			kx, ky = kx*l/k, ky*l/k
		}
		sumX, sumY = sumX+kx, sumY+ky
		out = append(out, fourVec{0, l, kx, ky}) // longitudinal, kx, ky for now
	}

	// rotate into the lab around the parton direction
	n := vec3{pa.p[0] / e, pa.p[1] / e, pa.p[2] / e}
	u, v := perpendicular(n)
	k := float64(len(out) - first)
	for i := first; i < len(out); i++ {
		l, kx, ky := out[i][1], out[i][2]-sumX/k, out[i][3]-sumY/k
		q := vec3{
			l*n[0] + kx*u[0] + ky*v[0],
			l*n[1] + kx*u[1] + ky*v[1],
			l*n[2] + kx*u[2] + ky*v[2],
		}
		out[i] = q.fourVec()
	}
	return out
}

// perpendicular returns two unit vectors that make a right-handed
// orthonormal basis with the unit vector n.
func perpendicular(n vec3) (u, v vec3) {
	// cross n with the axis it is least aligned with
	a := vec3{1, 0, 0}
	if math.Abs(n[0]) > 0.6 {
		a = vec3{0, 1, 0}
	}
	u = vec3{n[1]*a[2] - n[2]*a[1], n[2]*a[0] - n[0]*a[2], n[0]*a[1] - n[1]*a[0]}
	s := u.abs()
	u = vec3{u[0] / s, u[1] / s, u[2] / s}
	v = vec3{n[1]*u[2] - n[2]*u[1], n[2]*u[0] - n[0]*u[2], n[0]*u[1] - n[1]*u[0]}
	return u, v
}

// breitWigner draws a mass from a Breit-Wigner of peak m and width w,
// truncated to m +- 10 GeV.
func breitWigner(rng *rand.Rand, m, w float64) float64 {
	if w == 0 {
		return m
	}
	for {
		x := m + w/2*math.Tan(math.Pi*(rng.Float64()-0.5))
		if math.Abs(x-m) <= 10 {
			return x
		}
	}
}

// isotropic returns a four-momentum of energy e and magnitude k pointing
// in a uniformly random direction.
func isotropic(rng *rand.Rand, e, k float64) fourVec {
	cos := 2*rng.Float64() - 1
	sin := math.Sqrt(1 - cos*cos)
	s, c := math.Sincos(2 * math.Pi * rng.Float64())
	return fourVec{e, k * sin * c, k * sin * s, k * cos}
}

// twoBody returns the momentum of either daughter, in the rest frame of
// a parent of mass m, of a decay into masses m1 and m2.
func twoBody(m, m1, m2 float64) float64 {
	a := (m*m - (m1+m2)*(m1+m2)) * (m*m - (m1-m2)*(m1-m2))
	return math.Sqrt(max(a, 0)) / (2 * m)
}

// topDecay returns the top four-momentum and the b, q and q' of its decay
// t -> b W, W -> q q', given the top's pT, eta and phi. Both decays are
// isotropic in the parent rest frame.
func topDecay(rng *rand.Rand, c *Config, pt, eta, phi float64) (top fourVec, q [3]fourVec) {
	mt := breitWigner(rng, c.TopMass, c.TopWidth)
	mw := breitWigner(rng, c.WMass, c.WWidth)
	top = withMass(pt, eta, phi, mt)

	// t -> b W in the top rest frame
	k := twoBody(mt, c.BMass, mw)
	b := isotropic(rng, math.Sqrt(k*k+c.BMass*c.BMass), k)
	w := fourVec{math.Sqrt(k*k + mw*mw), -b[1], -b[2], -b[3]}

	// W -> q q' in the W rest frame, then into the top rest frame
	q1 := isotropic(rng, mw/2, mw/2)
	q2 := fourVec{mw / 2, -q1[1], -q1[2], -q1[3]}
	q1, q2 = boostTo(q1, w), boostTo(q2, w)

	// everything into the lab
	return top, [3]fourVec{boostTo(b, top), boostTo(q1, top), boostTo(q2, top)}
}

// reshuffle gives the hadrons of the three prongs of a top decay the
// four-momentum of the top, which the showers, conserving only
// three-momentum, leave with a little too much energy. It reports false
// when the prongs are too heavy to fit (their masses sum to more than the
// top mass).
//
// In the rest frame of all the hadrons, each prong (hadrons
// [prongs[k][0], prongs[k][1]) of hs) keeps its mass and direction and
// has its momentum scaled by one common factor so that the energies add up
// to the top mass; the prongs are then boosted to the top's momentum. This
// is the momentum reshuffling a parton shower applies to a decay.
func reshuffle(hs []fourVec, prongs [3][2]int, top fourVec) bool {
	// prong momenta in the rest frame of the hadrons
	var all fourVec
	for _, h := range hs[prongs[0][0]:prongs[2][1]] {
		all = all.add(h)
	}
	toRest := fourVec{all[0], -all[1], -all[2], -all[3]}
	var q [3]fourVec
	var m, p [3]float64
	for k, r := range prongs {
		for _, h := range hs[r[0]:r[1]] {
			q[k] = q[k].add(boostTo(h, toRest))
		}
		m[k], p[k] = q[k].mass(), q[k].pabs()
	}
	mt := top.mass()
	if m[0]+m[1]+m[2] >= mt {
		return false
	}

	// the common momentum scale, by bisection on the energy sum
	energy := func(s float64) float64 {
		var e float64
		for k := range 3 {
			e += math.Hypot(s*p[k], m[k])
		}
		return e
	}
	lo, hi := 0.0, 1.0
	for energy(hi) < mt {
		hi *= 2
	}
	for range 60 {
		if mid := (lo + hi) / 2; energy(mid) < mt {
			lo = mid
		} else {
			hi = mid
		}
	}
	s := (lo + hi) / 2

	// rescale each prong along its direction and boost to the top
	for k, r := range prongs {
		light := m[k] < 1e-6*q[k][0]
		target := fourVec{math.Hypot(s*p[k], m[k]), s * q[k][1], s * q[k][2], s * q[k][3]}
		fromProng := fourVec{q[k][0], -q[k][1], -q[k][2], -q[k][3]}
		for i := r[0]; i < r[1]; i++ {
			h := boostTo(hs[i], toRest)
			if light {
				h = fourVec{s * h[0], s * h[1], s * h[2], s * h[3]}
			} else {
				h = boostTo(boostTo(h, fromProng), target)
			}
			hs[i] = boostTo(h, top)
		}
	}
	return true
}
