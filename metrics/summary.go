package metrics

import (
	"fmt"
)

// Efficiencies are the signal efficiencies at which the top-tagging
// literature quotes the background rejection.
var Efficiencies = []float64{0.3, 0.5}

// Summary scores one set of outputs against labels.
type Summary struct {
	Samples  int
	Classes  int
	Accuracy float64
	// AUC is the ROC area of class 1 for a binary task, the macro
	// average of the one-vs-rest areas (over the classes that have both
	// positives and negatives) for more classes.
	AUC float64
	// Rejection[k] is 1/FPR at signal efficiency Efficiencies[k], binary
	// tasks only (nil otherwise); +Inf when no background passes.
	Rejection []float64
}

// Summarize scores outputs ([n, width], row-major) of the given kind
// against class labels (0 .. classes-1).
func Summarize(out []float64, width int, kind Kind, labels []int) (*Summary, error) {
	n := len(labels)
	if width < 1 || len(out) != n*width {
		return nil, fmt.Errorf("metrics: %d outputs for %d samples of width %d", len(out), n, width)
	}
	classes := Classes(width)
	for i, y := range labels {
		if y < 0 || y >= classes {
			return nil, fmt.Errorf("metrics: label %d of sample %d is not a class of %d", y, i, classes)
		}
	}
	s := &Summary{Samples: n, Classes: classes, Accuracy: Accuracy(Predict(out, width, kind), labels)}

	if classes == 2 {
		roc, err := NewROC(Scores(out, width, kind, 1), isClass(labels, 1))
		if err != nil {
			return nil, err
		}
		s.AUC = roc.AUC()
		for _, e := range Efficiencies {
			s.Rejection = append(s.Rejection, roc.Rejection(e))
		}
		return s, nil
	}

	// macro one-vs-rest.
	sum, used := 0.0, 0
	for c := range classes {
		roc, err := NewROC(Scores(out, width, kind, c), isClass(labels, c))
		if err == ErrOneClass {
			continue
		}
		if err != nil {
			return nil, err
		}
		sum += roc.AUC()
		used++
	}
	if used == 0 {
		return nil, ErrOneClass
	}
	s.AUC = sum / float64(used)
	return s, nil
}

// isClass returns, per label, whether it is class c.
func isClass(labels []int, c int) []bool {
	b := make([]bool, len(labels))
	for i, y := range labels {
		b[i] = y == c
	}
	return b
}

// errNaN reports a NaN score.
func errNaN(i int) error { return fmt.Errorf("metrics: score of sample %d is NaN", i) }
