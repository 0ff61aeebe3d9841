package jets

import "math"

// A fourVec is a four-momentum (E, px, py, pz) in GeV.
type fourVec [4]float64

// add returns p + q.
func (p fourVec) add(q fourVec) fourVec {
	return fourVec{p[0] + q[0], p[1] + q[1], p[2] + q[2], p[3] + q[3]}
}

// pt returns the transverse momentum.
func (p fourVec) pt() float64 { return math.Hypot(p[1], p[2]) }

// pabs returns the magnitude of the three-momentum.
func (p fourVec) pabs() float64 { return math.Sqrt(p[1]*p[1] + p[2]*p[2] + p[3]*p[3]) }

// mass returns the invariant mass, zero when rounding makes the square
// negative.
func (p fourVec) mass() float64 {
	m2 := p[0]*p[0] - p[1]*p[1] - p[2]*p[2] - p[3]*p[3]
	if m2 <= 0 {
		return 0
	}
	return math.Sqrt(m2)
}

// eta returns the pseudorapidity of the three-momentum. A momentum along
// the beam gives plus or minus infinity.
func (p fourVec) eta() float64 {
	pt := p.pt()
	if pt == 0 {
		return math.Copysign(math.Inf(1), p[3])
	}
	return math.Asinh(p[3] / pt)
}

// phi returns the azimuth in [-pi, pi].
func (p fourVec) phi() float64 { return math.Atan2(p[2], p[1]) }

// isZero reports whether p is a padding row.
func (p fourVec) isZero() bool { return p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 0 }

// massless returns the massless four-momentum with transverse momentum pt
// at pseudorapidity eta and azimuth phi.
func massless(pt, eta, phi float64) fourVec {
	s, c := math.Sincos(phi)
	px, py, pz := pt*c, pt*s, pt*math.Sinh(eta)
	return fourVec{math.Sqrt(px*px + py*py + pz*pz), px, py, pz}
}

// withMass returns the four-momentum of mass m with transverse momentum
// pt at pseudorapidity eta and azimuth phi.
func withMass(pt, eta, phi, m float64) fourVec {
	s, c := math.Sincos(phi)
	px, py, pz := pt*c, pt*s, pt*math.Sinh(eta)
	return fourVec{math.Sqrt(px*px + py*py + pz*pz + m*m), px, py, pz}
}

// boostTo returns q, given in the rest frame of p, in the frame where p
// has its four-momentum. p must be massive.
func boostTo(q, p fourVec) fourVec {
	m := p.mass()
	bx, by, bz := p[1]/p[0], p[2]/p[0], p[3]/p[0]
	gamma := p[0] / m
	bp := bx*q[1] + by*q[2] + bz*q[3]
	b2 := bx*bx + by*by + bz*bz
	var k float64
	if b2 > 0 {
		k = (gamma-1)*bp/b2 + gamma*q[0]
	}
	return fourVec{
		gamma * (q[0] + bp),
		q[1] + k*bx,
		q[2] + k*by,
		q[3] + k*bz,
	}
}

// wrapPhi returns phi shifted by a multiple of 2 pi into [-pi, pi).
func wrapPhi(phi float64) float64 {
	if phi >= -math.Pi && phi < math.Pi {
		return phi
	}
	phi -= 2 * math.Pi * math.Floor((phi+math.Pi)/(2*math.Pi))
	if phi >= math.Pi { // rounding at the upper edge
		phi -= 2 * math.Pi
	}
	return phi
}

// deltaR2 returns the squared distance in the (eta, phi) plane.
func deltaR2(eta1, phi1, eta2, phi2 float64) float64 {
	de, dp := eta1-eta2, wrapPhi(phi1-phi2)
	return de*de + dp*dp
}

// at returns constituent i of a flat (E, px, py, pz) slice.
func at(p4 []float64, i int) fourVec {
	return fourVec{p4[4*i], p4[4*i+1], p4[4*i+2], p4[4*i+3]}
}

// jetSum returns the sum of the non-padding constituents of a flat
// (E, px, py, pz) slice and their number.
func jetSum(p4 []float64) (fourVec, int) {
	var sum fourVec
	n := 0
	for i := 0; i < len(p4)/4; i++ {
		if q := at(p4, i); !q.isZero() {
			sum = sum.add(q)
			n++
		}
	}
	return sum, n
}

// JetMass returns the invariant mass in GeV of the sum of the constituents
// in p4, a flat sequence of (E, px, py, pz) rows such as one jet of a
// Sample. Padding rows add nothing. A squared mass that rounding makes
// negative gives zero.
func JetMass(p4 []float64) float64 {
	sum, _ := jetSum(p4)
	return sum.mass()
}
