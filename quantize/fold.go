package quantize

import (
	"math"

	"kd2fpga/models"
)

// Fold records one batch normalization folded into a dense layer.
type Fold struct {
	BatchNorm string // the batch norm layer, gone from the folded model
	Dense     string // the dense layer that absorbed it
	// Behind is true when the batch norm followed the dense layer (its
	// scale multiplies the dense's rows), false when it preceded it (its
	// scale multiplies the dense's columns).
	Behind bool
}

// FoldBatchNorm returns a copy of m in which every batch normalization
// that is adjacent to a dense layer is folded into it, and the list of
// folds. With a = gamma/sqrt(var+eps) and c = beta - a*mean:
//
//   - a batch norm that is the only reader of a dense layer scales its
//     rows: W'[j][i] = a[j]*W[j][i], b'[j] = a[j]*b[j] + c[j];
//   - otherwise, a batch norm whose only reader is a dense layer scales
//     that layer's columns: W'[j][i] = W[j][i]*a[i],
//     b'[j] = b[j] + sum_i W[j][i]*c[i].
//
// Both are exact in real arithmetic. Nothing is folded across another
// layer: across a pooling layer a sum would multiply c by the number of
// particles, so such a batch norm stays, and Build turns it into an
// elementwise OpScale. The layers of m are not modified.
//
// A folded-behind dense layer keeps its name and takes the batch norm's
// result precision when the batch norm declares one.
func FoldBatchNorm(m *models.Model) (*models.Model, []Fold, error) {
	var ps problems
	for _, l := range m.Layers {
		if l.Kind != models.BatchNorm {
			continue
		}
		for i := range l.Gamma {
			if !(l.Var[i]+l.Eps > 0) {
				ps.add(l.Pos, l.Name, "variance + eps of feature %d is %g, not positive",
					i, l.Var[i]+l.Eps)
				break
			}
		}
	}
	if err := ps.err(); err != nil {
		return nil, nil, err
	}

	out := *m
	out.Layers = append([]*models.Layer(nil), m.Layers...)
	var folds []Fold
	for k := 0; k < len(out.Layers); k++ {
		bn := out.Layers[k]
		if bn.Kind != models.BatchNorm {
			continue
		}
		a, c := batchNormAffine(bn)

		// behind: the batch norm reads a dense layer nobody else reads.
		if d := layerIndex(&out, bn.Input); d >= 0 && out.Layers[d].Kind == models.Dense &&
			readers(&out, bn.Input) == 1 && out.Output != bn.Input {
			dense := cloneDense(out.Layers[d])
			for j := range dense.Weight {
				for i := range dense.Weight[j] {
					dense.Weight[j][i] *= a[j]
				}
				dense.Bias[j] = a[j]*dense.Bias[j] + c[j]
			}
			if bn.Precision.Result.Set {
				dense.Precision.Result = bn.Precision.Result
			}
			out.Layers[d] = dense
			removeLayer(&out, k, dense.Name)
			folds = append(folds, Fold{BatchNorm: bn.Name, Dense: dense.Name, Behind: true})
			k--
			continue
		}

		// ahead: the batch norm is read by one dense layer only.
		if readers(&out, bn.Name) != 1 || out.Output == bn.Name {
			continue
		}
		r := -1
		for i, l := range out.Layers {
			if l.Input == bn.Name {
				r = i
			}
		}
		if out.Layers[r].Kind != models.Dense {
			continue
		}
		dense := cloneDense(out.Layers[r])
		for j := range dense.Weight {
			for i := range dense.Weight[j] {
				dense.Bias[j] += dense.Weight[j][i] * c[i]
				dense.Weight[j][i] *= a[i]
			}
		}
		out.Layers[r] = dense
		removeLayer(&out, k, bn.Input)
		folds = append(folds, Fold{BatchNorm: bn.Name, Dense: dense.Name})
		k--
	}
	return &out, folds, nil
}

// batchNormAffine returns the scale a and offset c with which the batch
// norm l computes y = a*x + c.
func batchNormAffine(l *models.Layer) (a, c []float64) {
	a = make([]float64, len(l.Gamma))
	c = make([]float64, len(l.Gamma))
	for i := range a {
		a[i] = l.Gamma[i] / math.Sqrt(l.Var[i]+l.Eps)
		c[i] = l.Beta[i] - a[i]*l.Mean[i]
	}
	return a, c
}

// cloneDense copies a dense layer with its own weight and bias arrays (a
// bias of zeros when it had none), so that folding leaves the original.
func cloneDense(l *models.Layer) *models.Layer {
	d := *l
	d.Weight = make([][]float64, len(l.Weight))
	for j, row := range l.Weight {
		d.Weight[j] = append([]float64(nil), row...)
	}
	d.Bias = make([]float64, d.Units)
	copy(d.Bias, l.Bias)
	return &d
}

// layerIndex returns the index of the layer called name, or -1.
func layerIndex(m *models.Model, name string) int {
	for i, l := range m.Layers {
		if l.Name == name {
			return i
		}
	}
	return -1
}

// readers counts the layers that read the layer or input called name.
func readers(m *models.Model, name string) int {
	n := 0
	for _, l := range m.Layers {
		if l.Input == name {
			n++
		}
	}
	return n
}

// removeLayer deletes layer k and makes its readers (and the model output,
// if it was the output) read replacement instead.
func removeLayer(m *models.Model, k int, replacement string) {
	gone := m.Layers[k].Name
	m.Layers = append(m.Layers[:k:k], m.Layers[k+1:]...)
	for i, l := range m.Layers {
		if l.Input == gone {
			c := *l
			c.Input = replacement
			m.Layers[i] = &c
		}
	}
	if m.Output == gone {
		m.Output = replacement
	}
}
