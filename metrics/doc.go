// Package metrics scores classifier outputs the way the jet-tagging
// literature does: accuracy, the ROC curve and its area (AUC), and the
// background rejection 1/FPR at fixed signal efficiencies (30% and 50% in
// the top-tagging papers). It works on plain float64 outputs, so the float
// model and the fixed-point emulation are scored by the same code; the
// evaluate and profile commands use it.
//
// Binary tasks are scored from one number per sample: the probability of
// class 1 (a two-output softmax or a single sigmoid), or a logit
// difference for raw outputs; every monotonic transformation of the score
// gives the same ROC curve. Multi-class tasks report accuracy and the
// macro-averaged one-vs-rest AUC.
package metrics
