package metrics

import (
	"math"
	"sort"
)

// ROC is a receiver operating characteristic curve: point k says that
// calling positive every sample whose score is at least Threshold[k]
// accepts the fraction TPR[k] of the positives (signal efficiency) and
// FPR[k] of the negatives (background efficiency). Point 0 is (0, 0) with
// an infinite threshold; samples with equal scores enter together, so
// ties give one diagonal step, and the last point is (1, 1).
type ROC struct {
	FPR, TPR, Threshold []float64

	// twiceU is twice the Mann-Whitney U statistic: the number of
	// (positive, negative) pairs ordered correctly, ties counting half.
	twiceU    int64
	pos, negs int64
}

// NewROC computes the ROC curve of scores against labels (true for the
// positive class). It returns ErrOneClass when either class is absent and
// an error for a NaN score.
func NewROC(scores []float64, positive []bool) (*ROC, error) {
	order := make([]int, len(scores))
	var pos, negs int64
	for i, s := range scores {
		if math.IsNaN(s) {
			return nil, errNaN(i)
		}
		order[i] = i
		if positive[i] {
			pos++
		} else {
			negs++
		}
	}
	if pos == 0 || negs == 0 {
		return nil, ErrOneClass
	}
	sort.SliceStable(order, func(a, b int) bool { return scores[order[a]] > scores[order[b]] })

	r := &ROC{FPR: []float64{0}, TPR: []float64{0}, Threshold: []float64{math.Inf(1)}, pos: pos, negs: negs}
	var tp, fp int64
	for k := 0; k < len(order); {
		// one group of equal scores.
		s := scores[order[k]]
		var gtp, gfp int64
		for ; k < len(order) && scores[order[k]] == s; k++ {
			if positive[order[k]] {
				gtp++
			} else {
				gfp++
			}
		}
		// each positive of the group beats the negatives below it and
		// ties with the group's own negatives.
		r.twiceU += gtp * (2*(negs-fp) - gfp)
		tp, fp = tp+gtp, fp+gfp
		r.TPR = append(r.TPR, float64(tp)/float64(pos))
		r.FPR = append(r.FPR, float64(fp)/float64(negs))
		r.Threshold = append(r.Threshold, s)
	}
	return r, nil
}

// AUC returns the area under the curve: the probability that a random
// positive scores above a random negative, ties counting half. It is
// computed from integer pair counts, so it is exact up to the final
// division, and equals the trapezoidal area of the curve.
func (r *ROC) AUC() float64 {
	return float64(r.twiceU) / (2 * float64(r.pos) * float64(r.negs))
}

// FPRAt returns the background efficiency at signal efficiency eff, on the
// curve interpolated linearly between its points (the straight segments
// are reached by accepting a random share of the samples at a threshold):
// at the first point whose TPR reaches eff, or between it and the point
// before.
func (r *ROC) FPRAt(eff float64) float64 {
	k := sort.SearchFloat64s(r.TPR, eff)
	if k >= len(r.TPR) {
		return 1
	}
	if r.TPR[k] == eff || k == 0 {
		return r.FPR[k]
	}
	t0, t1, f0, f1 := r.TPR[k-1], r.TPR[k], r.FPR[k-1], r.FPR[k]
	return f0 + (eff-t0)*(f1-f0)/(t1-t0)
}

// Rejection returns the background rejection 1/FPR at signal efficiency
// eff (see FPRAt). It is +Inf when no negative passes at that efficiency,
// which happens on small or well-separated samples: the rejection is then
// larger than the number of negatives, and should be reported as a bound.
func (r *ROC) Rejection(eff float64) float64 {
	f := r.FPRAt(eff)
	if f == 0 {
		return math.Inf(1)
	}
	return 1 / f
}
