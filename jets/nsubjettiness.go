package jets

import (
	"fmt"
	"math"
)

// A constituent is a non-padding particle of a jet with its cached
// transverse momentum and direction.
type constituent struct {
	p             fourVec
	pt, eta, phi  float64
	originalIndex int
}

// constituents appends to dst the non-padding rows of p4 and returns the
// extended slice.
func constituents(p4 []float64, dst []constituent) []constituent {
	for i := 0; i < len(p4)/4; i++ {
		if q := at(p4, i); !q.isZero() {
			dst = append(dst, constituent{q, q.pt(), q.eta(), q.phi(), i})
		}
	}
	return dst
}

// An axis is a direction in the (eta, phi) plane, with the four-momentum
// of the subjet it comes from when it has one.
type axis struct {
	eta, phi float64
	p        fourVec
}

// NSubjettiness returns the N-subjettiness tau_n of the constituents in
// p4 (a flat sequence of (E, px, py, pz) rows, padding rows skipped) with
// angular exponent 1 and characteristic radius r:
//
//	tau_n = sum_i pT_i min_k dR(i, k) / (r sum_i pT_i)
//
// where k runs over n axes and dR is the distance in the (eta, phi) plane.
// The axes are the n exclusive-kt subjets (E-scheme recombination), then
// moved toward the minimum of tau_n: each is tried on the hardest particle
// of its region, then up to ten Weiszfeld steps follow while each lowers
// tau_n by more than a part in a million. The axes are thus a good
// approximation of the minimising ones, not a guaranteed minimum. tau_n
// is zero for a jet of at most n constituents.
// NSubjettiness panics if n < 1.
func NSubjettiness(p4 []float64, n int, r float64) float64 {
	if n < 1 {
		panic(fmt.Sprintf("jets: NSubjettiness: n = %d, want n >= 1", n))
	}
	cs := constituents(p4, nil)
	var nk nsubWork
	return nk.taus(cs, n, r)[n-1]
}

// Tau21 returns tau_2 / tau_1 of the constituents in p4, or zero when
// tau_1 is zero (one constituent). The ratio does not depend on the
// characteristic radius.
func Tau21(p4 []float64) float64 {
	var nk nsubWork
	t := nk.taus(constituents(p4, nil), 2, 1)
	return ratio(t[1], t[0])
}

// Tau32 returns tau_3 / tau_2 of the constituents in p4, or zero when
// tau_2 is zero (at most two constituents). Boosted top jets, with three
// prongs, have small values; QCD jets have values near one.
func Tau32(p4 []float64) float64 {
	var nk nsubWork
	t := nk.taus(constituents(p4, nil), 3, 1)
	return ratio(t[2], t[1])
}

// ratio returns a / b, or zero when b is zero.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// nsubWork holds the scratch buffers of the kt clustering.
type nsubWork struct {
	p     []fourVec
	pt2   []float64
	eta   []float64
	phi   []float64
	alive []bool
	nn    []int
	nnd   []float64
	axes  [][]axis
}

// taus returns tau_1 ... tau_maxN of cs with characteristic radius r.
func (w *nsubWork) taus(cs []constituent, maxN int, r float64) []float64 {
	out := make([]float64, maxN)
	if len(cs) == 0 {
		return out
	}
	var sumPt float64
	for _, c := range cs {
		sumPt += c.pt
	}
	w.cluster(cs, maxN)
	for n := 1; n <= maxN; n++ {
		if len(cs) <= n {
			continue // every constituent its own axis
		}
		out[n-1] = refine(cs, w.axes[n-1]) / (r * sumPt)
	}
	return out
}

// cluster runs the exclusive-kt clustering of cs down to one subjet and
// leaves in w.axes[n-1] the directions of the n subjets, n = 1 ... maxN.
// It uses the nearest-neighbour property of the kt distance
// min(pT_i^2, pT_j^2) dR_ij^2: the closest pair contains a particle and
// its geometric nearest neighbour.
func (w *nsubWork) cluster(cs []constituent, maxN int) {
	m := len(cs)
	w.p, w.pt2 = resize(w.p, m), resize(w.pt2, m)
	w.eta, w.phi = resize(w.eta, m), resize(w.phi, m)
	w.alive, w.nn, w.nnd = resize(w.alive, m), resize(w.nn, m), resize(w.nnd, m)
	w.axes = resize(w.axes, maxN)
	for i, c := range cs {
		w.p[i], w.pt2[i], w.eta[i], w.phi[i], w.alive[i] = c.p, c.pt*c.pt, c.eta, c.phi, true
	}
	for i := range m {
		w.nearest(i)
	}

	// merge the closest pair until one subjet is left
	for count := m; count >= 1; count-- {
		if count <= maxN {
			w.axes[count-1] = w.axes[count-1][:0]
			for i := range m {
				if w.alive[i] {
					w.axes[count-1] = append(w.axes[count-1], axis{w.eta[i], w.phi[i], w.p[i]})
				}
			}
		}
		if count == 1 {
			break
		}
		best, bestD := -1, math.Inf(1)
		for i := range m {
			if w.alive[i] && w.nn[i] >= 0 {
				if d := min(w.pt2[i], w.pt2[w.nn[i]]) * w.nnd[i]; d < bestD {
					best, bestD = i, d
				}
			}
		}
		i, j := best, w.nn[best]
		w.p[i] = w.p[i].add(w.p[j])
		w.pt2[i] = w.p[i][1]*w.p[i][1] + w.p[i][2]*w.p[i][2]
		w.eta[i], w.phi[i] = w.p[i].eta(), w.p[i].phi()
		w.alive[j] = false

		// repair the nearest neighbours that involved i or j
		for k := range m {
			if !w.alive[k] || k == i {
				continue
			}
			if w.nn[k] == i || w.nn[k] == j {
				w.nearest(k)
			} else if d := deltaR2(w.eta[k], w.phi[k], w.eta[i], w.phi[i]); d < w.nnd[k] {
				w.nn[k], w.nnd[k] = i, d
			}
		}
		w.nearest(i)
	}
}

// nearest sets the geometric nearest neighbour of live subjet i.
func (w *nsubWork) nearest(i int) {
	w.nn[i], w.nnd[i] = -1, math.Inf(1)
	for k := range w.alive {
		if k == i || !w.alive[k] {
			continue
		}
		if d := deltaR2(w.eta[i], w.phi[i], w.eta[k], w.phi[k]); d < w.nnd[i] {
			w.nn[i], w.nnd[i] = k, d
		}
	}
}

// refine lowers sum_i pT_i min_k dR(i, k) by moving the axes, and
// returns that sum. First each axis in turn is tried on the hardest
// particle of its region, where the minimum often lies; then Weiszfeld
// steps, each replacing an axis by the average of its particles weighted
// by pT / dR, follow while they lower the sum by more than a part in a
// million (at most ten steps). Moves that do not lower the sum are undone.
func refine(cs []constituent, axes []axis) float64 {
	best := distanceSum(cs, axes)
	n := len(axes)
	trial := make([]axis, n)

	// each axis on the hardest particle of its region
	hardest := make([]int, n)
	for k := range hardest {
		hardest[k] = -1
	}
	for i, c := range cs {
		if k, _ := closest(c, axes); hardest[k] < 0 || c.pt > cs[hardest[k]].pt {
			hardest[k] = i
		}
	}
	for k, i := range hardest {
		if i < 0 {
			continue
		}
		copy(trial, axes)
		trial[k] = axis{eta: cs[i].eta, phi: cs[i].phi}
		if s := distanceSum(cs, trial); s < best {
			best = s
			copy(axes, trial)
		}
	}

	// Weiszfeld steps
	sums := make([]float64, 3*n) // weighted eta, weighted phi offset, weight
	for range 10 {
		clear(sums)
		for _, c := range cs {
			k, d := closest(c, axes)
			wt := c.pt / max(d, 1e-9)
			sums[3*k] += wt * c.eta
			sums[3*k+1] += wt * wrapPhi(c.phi-axes[k].phi)
			sums[3*k+2] += wt
		}
		copy(trial, axes)
		for k := range trial {
			if wt := sums[3*k+2]; wt > 0 {
				trial[k] = axis{eta: sums[3*k] / wt, phi: wrapPhi(axes[k].phi + sums[3*k+1]/wt)}
			}
		}
		s := distanceSum(cs, trial)
		if !(s < best*(1-1e-6)) {
			break
		}
		best = s
		copy(axes, trial)
	}
	return best
}

// closest returns the index of the axis nearest to c and its distance.
func closest(c constituent, axes []axis) (int, float64) {
	k, d2 := 0, math.Inf(1)
	for j, a := range axes {
		if d := deltaR2(c.eta, c.phi, a.eta, a.phi); d < d2 {
			k, d2 = j, d
		}
	}
	return k, math.Sqrt(d2)
}

// distanceSum returns sum_i pT_i min_k dR(i, k).
func distanceSum(cs []constituent, axes []axis) float64 {
	var s float64
	for _, c := range cs {
		_, d := closest(c, axes)
		s += c.pt * d
	}
	return s
}

// resize returns s with length n, reusing its storage when it can.
func resize[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}
