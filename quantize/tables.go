package quantize

import (
	"math"

	"kd2fpga/fixedpoint"
	"kd2fpga/models"
)

// buildTables fills every lookup table of the plan. Entry k of a table is
// f(v) for the index value v = Index.Float(Index.MinRaw()+k), computed in
// float64, clamped to the entry format's range and rounded with its
// quantization mode (see tableEntry).
func buildTables(b *builder) error {
	for _, op := range b.p.Ops {
		switch op.Kind {
		case OpTable:
			f := math.Tanh
			if op.Activate == models.Sigmoid {
				f = sigmoid
			}
			fillTable(op.Table, f)

		case OpSoftmax:
			fillTable(&op.Softmax.Exp, func(d float64) float64 { return math.Exp(-d) })
			fillTable(&op.Softmax.Inv, func(s float64) float64 { return 1 / s })

		case OpPool:
			pl := op.Pool
			if pl.Op != models.PoolMean {
				continue
			}
			pl.Recip = make([]int64, b.inputOf(op).Particles()+1)
			for c := 1; c < len(pl.Recip); c++ {
				pl.Recip[c] = tableEntry(1/float64(c), pl.RecipFormat)
			}
		}
	}
	return nil
}

// inputOf returns the tensor op reads.
func (b *builder) inputOf(op *Op) Tensor {
	if op.In < 0 {
		return b.p.Input
	}
	return b.p.Ops[op.In].Out
}

// fillTable sets the entries of t to f over every value of its index.
func fillTable(t *TableOp, f func(float64) float64) {
	n := int64(1) << t.Index.Width
	t.Entries = make([]int64, n)
	for k := range n {
		t.Entries[k] = tableEntry(f(t.Index.Float(t.Index.MinRaw()+k)), t.Entry)
	}
}

// tableEntry returns the raw word of x in format f for a table: x is
// clamped to f's range (so an infinite 1/0 or an exp beyond the range
// gives the nearest end, whatever f's overflow mode) and then quantized
// with f's quantization mode.
func tableEntry(x float64, f fixedpoint.Format) int64 {
	x = max(min(x, f.Max()), f.Min())
	raw, _ := f.Quantize(x)
	return raw
}

// sigmoid is the logistic function 1/(1+e^-x).
func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
