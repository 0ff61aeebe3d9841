package metrics

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// ErrOneClass is returned when the labels hold no positive or no
// negative sample, so that no ROC curve exists.
var ErrOneClass = errors.New("metrics: the labels hold only one class")

// Kind says what a model's outputs are, which decides how they become a
// class and a score.
type Kind int

const (
	// Probabilities are softmax outputs, one per class.
	Probabilities Kind = iota
	// Sigmoid is a single output, the probability of class 1.
	Sigmoid
	// Logits are raw outputs, one per class, or a single logit of class 1.
	Logits
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case Probabilities:
		return "probabilities"
	case Sigmoid:
		return "sigmoid"
	case Logits:
		return "logits"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Classes returns the number of classes of outputs of the given width:
// two for a single output, the width otherwise.
func Classes(width int) int { return max(width, 2) }

// Predict returns the predicted class of each of the len(out)/width
// samples of out (row-major): the first largest output, or, for a single
// output, class 1 when the probability is at least 1/2 (Sigmoid) or the
// logit at least 0 (Logits).
func Predict(out []float64, width int, kind Kind) []int {
	n := len(out) / width
	pred := make([]int, n)
	for i := range n {
		row := out[i*width : (i+1)*width]
		switch {
		case width > 1:
			pred[i] = Argmax(row)
		case kind == Sigmoid && row[0] >= 0.5, kind != Sigmoid && row[0] >= 0:
			pred[i] = 1
		}
	}
	return pred
}

// Argmax returns the index of the first largest element of row.
func Argmax(row []float64) int {
	best := 0
	for i, v := range row {
		if v > row[best] {
			best = i
		}
	}
	return best
}

// Scores returns, per sample, a score that grows with the likelihood of
// class c: the output itself for probabilities (and a single sigmoid or
// logit, c = 1); for logits of several classes, the logit difference
// z_1 - z_0 when there are two, else the softmax probability of c.
func Scores(out []float64, width int, kind Kind, c int) []float64 {
	n := len(out) / width
	s := make([]float64, n)
	for i := range n {
		row := out[i*width : (i+1)*width]
		switch {
		case width == 1:
			s[i] = row[0]
		case kind != Logits:
			s[i] = row[c]
		case width == 2:
			s[i] = row[c] - row[1-c]
		default:
			mx := slices.Max(row)
			sum := 0.0
			for _, v := range row {
				sum += math.Exp(v - mx)
			}
			s[i] = math.Exp(row[c]-mx) / sum
		}
	}
	return s
}

// Accuracy returns the fraction of predictions equal to the labels.
func Accuracy(pred, labels []int) float64 {
	right := 0
	for i, p := range pred {
		if p == labels[i] {
			right++
		}
	}
	return float64(right) / float64(len(pred))
}

// Agreement returns the fraction of samples two sets of predictions agree
// on.
func Agreement(a, b []int) float64 { return Accuracy(a, b) }
