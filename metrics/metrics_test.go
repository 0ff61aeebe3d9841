package metrics

import (
	"math"
	"reflect"
	"testing"
)

// TestROCHandComputed checks a curve and its area worked out by hand.
func TestROCHandComputed(t *testing.T) {
	// positives 0.9 and 0.7, negatives 0.8 and 0.6: of the four pairs,
	// three are ordered right, AUC = 3/4.
	r, err := NewROC([]float64{0.9, 0.8, 0.7, 0.6}, []bool{true, false, true, false})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.TPR, []float64{0, 0.5, 0.5, 1, 1}) ||
		!reflect.DeepEqual(r.FPR, []float64{0, 0, 0.5, 0.5, 1}) {
		t.Errorf("curve TPR %v FPR %v", r.TPR, r.FPR)
	}
	if got := r.AUC(); got != 0.75 {
		t.Errorf("AUC %v, want 0.75", got)
	}
	// at 50% efficiency the first point (0, 0.5) has no background: the
	// rejection is infinite; at 75% the curve runs from (0.5, 0.5) to
	// (0.5, 1): FPR 0.5, rejection 2.
	if got := r.Rejection(0.5); !math.IsInf(got, 1) {
		t.Errorf("rejection at 50%%: %v, want +Inf", got)
	}
	if got := r.Rejection(0.75); got != 2 {
		t.Errorf("rejection at 75%%: %v, want 2", got)
	}
}

// TestROCTies checks that tied scores count half a pair and make one
// diagonal step.
func TestROCTies(t *testing.T) {
	// scores 1, 0.5 (positive), 0.5 (negative), 0: pairs 1>0.5, 1>0,
	// 0.5=0.5 (half), 0.5>0: AUC 3.5/4.
	r, err := NewROC([]float64{1, 0.5, 0.5, 0}, []bool{true, true, false, false})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.AUC(); got != 0.875 {
		t.Errorf("AUC %v, want 0.875", got)
	}
	if !reflect.DeepEqual(r.TPR, []float64{0, 0.5, 1, 1}) ||
		!reflect.DeepEqual(r.FPR, []float64{0, 0, 0.5, 1}) {
		t.Errorf("curve TPR %v FPR %v", r.TPR, r.FPR)
	}
	// on the diagonal step from (0, 0.5) to (0.5, 1), TPR 0.75 is halfway.
	if got := r.FPRAt(0.75); got != 0.25 {
		t.Errorf("FPR at 75%%: %v, want 0.25", got)
	}
	// all scores equal: a coin.
	r, _ = NewROC([]float64{3, 3, 3, 3}, []bool{true, false, true, false})
	if got := r.AUC(); got != 0.5 {
		t.Errorf("all tied: AUC %v, want 0.5", got)
	}
}

// TestRejectionInterpolates checks the linear interpolation on a curve of
// ten samples.
func TestRejectionInterpolates(t *testing.T) {
	// 5 positives, 5 negatives, scores descending: + - + + - + - + - -.
	// The points (FPR, TPR) after each sample are (0,.2) (.2,.2) (.2,.4)
	// (.2,.6) (.4,.6) (.4,.8) (.6,.8) (.6,1) (.8,1) (1,1). TPR 0.3 lies
	// between (.2,.2) and (.2,.4): FPR 0.2, rejection 5; TPR 0.5 between
	// (.2,.4) and (.2,.6): 5 again; TPR 0.7 between (.4,.6) and (.4,.8):
	// 2.5; TPR 1 is first reached at (.6,1): 1/0.6.
	labels := []bool{true, false, true, true, false, true, false, true, false, false}
	scores := make([]float64, 10)
	for i := range scores {
		scores[i] = float64(10 - i)
	}
	r, err := NewROC(scores, labels)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ eff, want float64 }{{0.3, 5}, {0.5, 5}, {0.7, 2.5}, {1, 1 / 0.6}} {
		if got := r.Rejection(c.eff); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("rejection at %v: %v, want %v", c.eff, got, c.want)
		}
	}
	// pairs ordered right: each positive beats the negatives after it:
	// 5 + 4 + 4 + 3 + 2 = 18 of 25.
	if got := r.AUC(); got != 18.0/25 {
		t.Errorf("AUC %v, want 0.72", got)
	}
}

// TestSummarize checks the binary and multi-class summaries.
func TestSummarize(t *testing.T) {
	// a two-output softmax: class 1 probabilities 0.9, 0.8, 0.3, 0.1 for
	// labels 1, 0, 1, 0: predictions 1, 1, 0, 0 (accuracy 1/2); pairs
	// 0.9>0.8, 0.9>0.1, 0.3<0.8, 0.3>0.1: AUC 3/4.
	out := []float64{0.1, 0.9, 0.2, 0.8, 0.7, 0.3, 0.9, 0.1}
	s, err := Summarize(out, 2, Probabilities, []int{1, 0, 1, 0})
	if err != nil {
		t.Fatal(err)
	}
	if s.Accuracy != 0.5 || s.AUC != 0.75 || len(s.Rejection) != 2 {
		t.Errorf("summary %+v", s)
	}
	// the same as logits (log-probabilities): the same curve.
	logits := make([]float64, len(out))
	for i, p := range out {
		logits[i] = math.Log(p)
	}
	if s2, _ := Summarize(logits, 2, Logits, []int{1, 0, 1, 0}); s2.AUC != 0.75 || s2.Accuracy != 0.5 {
		t.Errorf("logit summary %+v", s2)
	}
	// a single sigmoid.
	if s3, _ := Summarize([]float64{0.9, 0.8, 0.3, 0.1}, 1, Sigmoid, []int{1, 0, 1,
		0}); s3.AUC != 0.75 || s3.Accuracy != 0.5 {
		t.Errorf("sigmoid summary %+v", s3)
	}

	// three classes, three samples each predicted right: accuracy 1 and
	// every one-vs-rest AUC 1.
	three := []float64{
		0.8, 0.1, 0.1,
		0.1, 0.7, 0.2,
		0.2, 0.2, 0.6,
	}
	s, err = Summarize(three, 3, Probabilities, []int{0, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if s.Accuracy != 1 || s.AUC != 1 || s.Rejection != nil || s.Classes != 3 {
		t.Errorf("three classes %+v", s)
	}
	// swap the last two labels: class 0 keeps AUC 1; class 1's positive
	// (sample 2, score 0.2) beats sample 0 (0.1), loses to sample 1
	// (0.7): 1/2. Class 2's positive (sample 1, 0.2) beats sample 0
	// (0.1), loses to sample 2 (0.6): 1/2. Macro (1 + 1/2 + 1/2)/3 = 2/3;
	// accuracy 1/3.
	s, _ = Summarize(three, 3, Probabilities, []int{0, 2, 1})
	if math.Abs(s.AUC-2.0/3) > 1e-15 || math.Abs(s.Accuracy-1.0/3) > 1e-15 {
		t.Errorf("swapped labels %+v", s)
	}

	if _, err := Summarize([]float64{0.1, 0.9}, 2, Probabilities, []int{1}); err != ErrOneClass {
		t.Errorf("one class: %v", err)
	}
	if _, err := Summarize([]float64{0.1, 0.9}, 2, Probabilities, []int{2}); err == nil {
		t.Errorf("label 2 of two classes accepted")
	}
}
