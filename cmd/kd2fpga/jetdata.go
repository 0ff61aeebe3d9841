package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"kd2fpga/distill"
	"kd2fpga/jets"
	"kd2fpga/models"
)

// readJets reads a sample of jets in the reference-dataset layout.
func readJets(path string) (*jets.Sample, error) {
	s, err := jets.ReadNPZ(path)
	if err != nil {
		return nil, err
	}
	if s.N == 0 {
		return nil, fmt.Errorf("%s: no jets", path)
	}
	return s, nil
}

// teacherLogits returns the teacher's logits of the jets of s: the float
// outputs of the teacher model at path, or the rows of the .npy file at
// logits, [N, classes].
func teacherLogits(path, logits string, s *jets.Sample, classes int) ([]float64, error) {
	if logits != "" {
		x, shape, err := models.ReadNPY(logits)
		if err != nil {
			return nil, err
		}
		if len(shape) != 2 || shape[0] != s.N || shape[1] != classes {
			return nil, fmt.Errorf("%s: teacher logits of shape %v, want [%d %d] (one row "+
				"per training jet)", logits, shape, s.N, classes)
		}
		for i, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s: teacher logit [%d %d] is %v", logits, i/classes,
					i%classes, v)
			}
		}
		return x, nil
	}
	t, err := models.Load(path)
	if err != nil {
		return nil, err
	}
	if last := t.Layers[len(t.Layers)-1]; last.Kind == models.Softmax {
		return nil, fmt.Errorf("teacher %s: ends in a softmax; distillation needs its logits "+
			"(remove the softmax layer)", path)
	}
	d, err := distill.JetData(t, s)
	if err != nil {
		return nil, fmt.Errorf("teacher %s: %w", path, err)
	}
	out, width, _, err := distill.Predict(t, d.X, d.N(), false, 0)
	if err != nil {
		return nil, fmt.Errorf("teacher %s: %w", path, err)
	}
	if width != classes {
		return nil, fmt.Errorf("teacher %s: %d outputs, the student has %d classes", path,
			width, classes)
	}
	return out, nil
}

// epochRecord is one epoch of training.json.
type epochRecord struct {
	Epoch    int      `json:"epoch"`
	Steps    int      `json:"steps"`
	Loss     float64  `json:"loss"`
	LR       float64  `json:"lr"`
	Accuracy *float64 `json:"val_accuracy,omitempty"`
	AUC      *float64 `json:"val_auc,omitempty"`
	R30      *number  `json:"val_rejection_30,omitempty"`
	R50      *number  `json:"val_rejection_50,omitempty"`
}

// writeHistory writes the training history as JSON (no times, so that
// the file depends only on the training).
func writeHistory(path string, history []distill.Epoch) error {
	recs := make([]epochRecord, len(history))
	for i, e := range history {
		recs[i] = epochRecord{Epoch: e.Epoch, Steps: e.Steps, Loss: e.Loss, LR: e.LR}
		if v := e.Val; v != nil {
			recs[i].Accuracy, recs[i].AUC = &v.Accuracy, &v.AUC
			if len(v.Rejection) == 2 {
				r30, r50 := number(v.Rejection[0]), number(v.Rejection[1])
				recs[i].R30, recs[i].R50 = &r30, &r50
			}
		}
	}
	b, err := json.MarshalIndent(recs, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Clean(path), append(b, '\n'), 0o644)
}
