package quantize

import (
	"slices"

	"kd2fpga/fixedpoint"
	"kd2fpga/models"
)

// lowerLayers turns the layers of the folded model into the ops of a new
// plan: it fixes each op's kind, input and shape, and allocates its
// constants. Formats, weights and tables are left to the later passes.
// Layers after the model output are dropped: nothing reads them.
func lowerLayers(b *builder) error {
	m := b.m
	var ps problems
	p := &Plan{
		Name:  m.Name,
		Model: b.orig,
		Input: Tensor{Shape: slices.Clone(m.Input.Shape)},
	}
	p.Input.Formats = make([]fixedpoint.Format, p.Input.Features())

	// where each name's value comes from: -1 for the input, else an op.
	index := map[string]int{m.Input.Name: -1}
	for _, l := range m.Layers {
		in, ok := index[l.Input]
		if !ok {
			ps.add(l.Pos, l.Name, "input %q is not an earlier layer or the model input", l.Input)
			continue
		}
		src := p.Input
		if in >= 0 {
			src = p.Ops[in].Out
		}
		op := &Op{Name: l.Name, In: in, Pos: l.Pos, Source: l.Name, Reuse: l.Reuse}
		if op.Reuse == 0 {
			op.Reuse = max(m.Target.Reuse, 1)
		}
		for _, f := range b.folds {
			if f.Dense == l.Name {
				op.Folded = append(op.Folded, f.BatchNorm)
				if f.Behind {
					op.Source = f.BatchNorm
				}
			}
		}
		s := opSource{layer: l}
		if !lowerLayer(op, &s, src, &ps) {
			continue
		}
		op.Out.Formats = make([]fixedpoint.Format, op.Out.Features())
		index[l.Name] = len(p.Ops)
		p.Ops = append(p.Ops, op)
		b.src = append(b.src, s)
		if l.Name == m.Output {
			break
		}
	}
	if err := ps.err(); err != nil {
		return err
	}
	if len(p.Ops) == 0 {
		ps.add(m.Input.Pos, "", "model %q has no layers", m.Name)
		return ps.err()
	}
	b.p = p
	return nil
}

// lowerLayer fills op (and the float constants in s) for the layer s.layer
// reading a tensor like src. It reports false after recording a problem.
func lowerLayer(op *Op, s *opSource, src Tensor, ps *problems) bool {
	l := s.layer
	shapeOf := func(features int) []int {
		if src.Particles() > 0 {
			return []int{src.Particles(), features}
		}
		return []int{features}
	}
	nin := src.Features()
	switch l.Kind {
	case models.Dense:
		if l.Units < 1 || len(l.Weight) != l.Units || len(l.Weight[0]) != nin {
			ps.add(l.Pos, l.Name, "weight shape does not match %d inputs and %d units", nin, l.Units)
			return false
		}
		op.Kind = OpDense
		op.Out.Shape = shapeOf(l.Units)
		op.Dense = newDenseOp(nin, l.Units, nin, l.Bias != nil)
		s.w, s.b = l.Weight, l.Bias

	case models.BatchNorm:
		if len(l.Gamma) != nin {
			ps.add(l.Pos, l.Name, "has %d features, its input %d", len(l.Gamma), nin)
			return false
		}
		op.Kind = OpScale
		op.Out.Shape = shapeOf(nin)
		op.Dense = newDenseOp(nin, nin, 1, true)
		a, c := batchNormAffine(l)
		s.w = make([][]float64, nin)
		for i := range a {
			s.w[i] = []float64{a[i]}
		}
		s.b = c

	case models.ReLU, models.LeakyReLU, models.Linear, models.Sigmoid, models.Tanh:
		op.Kind = map[models.Kind]OpKind{
			models.ReLU: OpReLU, models.LeakyReLU: OpLeakyReLU, models.Linear: OpLinear,
			models.Sigmoid: OpTable, models.Tanh: OpTable,
		}[l.Kind]
		op.Out.Shape = shapeOf(nin)
		switch op.Kind {
		case OpLeakyReLU:
			op.Leaky = &LeakyOp{}
		case OpTable:
			op.Table = &TableOp{}
			op.Activate = l.Kind
		}

	case models.Softmax:
		op.Kind = OpSoftmax
		op.Out.Shape = shapeOf(nin)
		op.Softmax = &SoftmaxOp{}

	case models.Pool:
		if src.Particles() == 0 {
			ps.add(l.Pos, l.Name, "pooling needs a particle input [P, F]")
			return false
		}
		op.Kind = OpPool
		op.Out.Shape = []int{nin}
		op.Pool = &PoolOp{Op: l.Pool, WeightFeature: l.WeightFeature}
		switch l.Pool {
		case models.PoolSum, models.PoolMean, models.PoolWeightedSum:
			op.Pool.Accum = make([]fixedpoint.Format, nin)
		case models.PoolMax:
		default:
			ps.add(l.Pos, l.Name, "unknown pooling %q", l.Pool)
			return false
		}

	case models.Flatten:
		op.Kind = OpFlatten
		op.Out.Shape = []int{src.Len()}

	default:
		ps.add(l.Pos, l.Name, "unknown layer kind %q", l.Kind)
		return false
	}
	return true
}

// newDenseOp allocates a dense op of units outputs with cols weights per
// row (in for a dense op, 1 for a scale op).
func newDenseOp(in, units, cols int, bias bool) *DenseOp {
	d := &DenseOp{In: in, Units: units,
		W:       make([][]int64, units),
		WFormat: make([][]fixedpoint.Format, units),
		Accum:   make([]fixedpoint.Format, units),
	}
	for j := range d.W {
		d.W[j] = make([]int64, cols)
		d.WFormat[j] = make([]fixedpoint.Format, cols)
	}
	if bias {
		d.B = make([]int64, units)
		d.BFormat = make([]fixedpoint.Format, units)
	}
	return d
}
