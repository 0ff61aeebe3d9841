package jets

import (
	"cmp"
	"errors"
	"slices"
)

// MaxInvariants is the largest number of constituents FeatureSpec
// accepts for its Lorentz invariants (their pairs grow as K^2/2).
const MaxInvariants = 64

// InvariantWidth returns the number of values the invariants of k
// constituents take: k rest-frame energy fractions and k(k-1)/2 pair
// masses.
func InvariantWidth(k int) int { return k + k*(k-1)/2 }

// minkowski returns the Minkowski product p.q with metric (+, -, -, -).
func minkowski(p, q fourVec) float64 {
	return p[0]*q[0] - p[1]*q[1] - p[2]*q[2] - p[3]*q[3]
}

// invariants writes the Lorentz invariants of the k leading constituents
// of the jet j (the sum of ex.cs) into row, which holds InvariantWidth(k)
// values:
//
//   - x_i = p_i.J / J.J for i < k: the constituent's share of the jet's
//     energy in the jet's rest frame (they sum to 1 over all
//     constituents). The constituents are ordered by x_i, largest first,
//     an order that no Lorentz transformation changes;
//   - y_ij = 2 p_i.p_j / J.J for i < j < k, in the order (0,1), (0,2),
//     ..., (0,k-1), (1,2), ...: the pair's squared mass over the jet's
//     for massless constituents.
//
// Every value is a ratio of Minkowski products, so a boost or a rotation
// of the whole jet leaves them unchanged up to rounding. Missing
// constituents give zeros. A jet whose squared mass is not positive has
// no rest frame and is an error.
func (ex *extractor) invariants(j fourVec, k int, row []float64) error {
	m2 := minkowski(j, j)
	if !(m2 > 0) {
		return errors.New("jet mass is zero: no rest frame for the Lorentz invariants")
	}

	// order by the rest-frame energy share, ties by the stored order
	ex.inv = append(ex.inv[:0], ex.cs...)
	share := func(c constituent) float64 { return minkowski(c.p, j) / m2 }
	slices.SortStableFunc(ex.inv, func(a, b constituent) int {
		if c := cmp.Compare(share(b), share(a)); c != 0 {
			return c
		}
		return cmp.Compare(a.originalIndex, b.originalIndex)
	})
	lead := ex.inv[:min(k, len(ex.inv))]

	clear(row[:InvariantWidth(k)])
	for i, c := range lead {
		row[i] = share(c)
	}
	pairs := row[k:]
	n := 0
	for a := 0; a < k; a++ {
		for b := a + 1; b < k; b++ {
			if b < len(lead) {
				pairs[n] = 2 * minkowski(lead[a].p, lead[b].p) / m2
			}
			n++
		}
	}
	return nil
}
