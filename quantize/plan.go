package quantize

import (
	"strconv"
	"sync/atomic"

	"github.com/hashicorp/hcl/v2"

	"kd2fpga/fixedpoint"
	"kd2fpga/models"
)

// Plan is a model with every numeric decision made: integer weights,
// the format of every value, accumulator formats, table contents. The
// golden emulator runs a Plan, and every firmware back end prints one, so
// they cannot disagree. docs/numerics.md defines what each op computes.
type Plan struct {
	Name  string
	Model *models.Model // the model the plan was built from

	// Input is the network input. For a particle input [P, F], a particle
	// whose F raw input words are all zero is padding.
	Input Tensor
	Ops   []*Op

	// prog is the compiled emulator, made on the first Run.
	prog atomic.Pointer[program]
}

// Output returns the tensor the plan produces (the last op's).
func (p *Plan) Output() Tensor { return p.Ops[len(p.Ops)-1].Out }

// Tensor describes the values flowing between ops.
type Tensor struct {
	// Shape is [F] for a flat vector or [P, F] for a set of particles.
	Shape []int
	// Formats holds one format per feature (the last axis); a particle
	// tensor's particles all share them.
	Formats []fixedpoint.Format
}

// Particles returns P for a particle tensor and 0 for a flat one.
func (t Tensor) Particles() int {
	if len(t.Shape) == 2 {
		return t.Shape[0]
	}
	return 0
}

// Features returns the length of the last axis.
func (t Tensor) Features() int { return t.Shape[len(t.Shape)-1] }

// Len returns the number of elements.
func (t Tensor) Len() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// OpKind is the kind of a Plan operation.
type OpKind int

// The operations of a Plan. Batch normalization never appears: it is
// folded into a dense layer or becomes an elementwise Scale.
const (
	OpDense     OpKind = iota // y = castR(castA(sum castA(w*x) + castA(b)))
	OpScale                   // elementwise: y_i = castR(castA(castA(a_i*x_i) + castA(b_i)))
	OpReLU                    // y = castR(max(x, 0))
	OpLeakyReLU               // y = castR(x) if x >= 0 else castR(slope*x)
	OpLinear                  // y = castR(x)
	OpTable                   // y = Table[castIdx(x)] (sigmoid, tanh)
	OpSoftmax                 // see Softmax
	OpPool                    // reduce over particles, padding excluded
	OpFlatten                 // [P, F] -> [P*F], values unchanged
)

// Op is one operation of a Plan. Exactly the field matching Kind is set.
type Op struct {
	Name string // the model layer it comes from
	Kind OpKind
	// In is the index in Plan.Ops of the op whose output this op reads,
	// or -1 for the plan input.
	In  int
	Out Tensor

	Dense    *DenseOp    // OpDense and OpScale
	Leaky    *LeakyOp    // OpLeakyReLU
	Table    *TableOp    // OpTable
	Softmax  *SoftmaxOp  // OpSoftmax
	Pool     *PoolOp     // OpPool
	Reuse    int         // reuse factor of the op (1: fully parallel)
	Activate models.Kind // the model activation an OpTable computes

	// Pos is where the model layer is declared, for messages.
	Pos hcl.Range
	// Folded names the batch normalization layers folded into this op.
	Folded []string
	// Source is the model layer whose output this op's output stands
	// for: Name, or the batch normalization folded into it from behind.
	// Reports compare the op with that layer of the float model.
	Source string
}

// DenseOp is a constant matrix times a vector. For a particle input the
// same weights apply to every particle. For OpScale the matrix is
// diagonal: W[j] holds a single weight for input j.
type DenseOp struct {
	In, Units int
	// W[j][i] is the raw weight of output j, input i, in WFormat[j][i];
	// a pruned weight is 0 (its format may have Width 0).
	W       [][]int64
	WFormat [][]fixedpoint.Format
	// B[j] is the raw bias of output j in BFormat[j]; nil without bias.
	B       []int64
	BFormat []fixedpoint.Format
	// Accum[j] is the accumulator format of output j: each product and
	// the bias are cast to it, summed exactly, and the sum cast to it
	// again (overflow only) before the cast to the result format.
	Accum []fixedpoint.Format
}

// LeakyOp holds a leaky ReLU's slope as a fixed-point constant.
type LeakyOp struct {
	Slope       int64
	SlopeFormat fixedpoint.Format
}

// TableOp is a lookup table indexed by the input cast to Index: entry k
// is the raw output for the index raw word Index.MinRaw()+k, in Entry.
// The output value is then cast to the op's result format (a no-op when
// Entry equals it).
type TableOp struct {
	Index   fixedpoint.Format
	Entry   fixedpoint.Format
	Entries []int64
}

// SoftmaxOp computes y_i = castR(e_i * r) with
// m = max_j x_j, e_i = Exp[castExpIdx(m - x_i)], s = sum_i e_i (exact),
// r = Inv[castInvIdx(s)].
type SoftmaxOp struct {
	Exp TableOp // indexed by m - x_i, entries exp(-d)
	Inv TableOp // indexed by the exact sum of the Exp entries, entries 1/s
	// Diff is the unsigned format that holds every d = m - x_i exactly,
	// Sum the format that holds the exact sum of the Exp entries (see
	// docs/numerics.md): the sources of the two index casts.
	Diff, Sum fixedpoint.Format
}

// PoolOp reduces a particle tensor [P, F] to [F] over the particles that
// are not padding.
type PoolOp struct {
	Op models.PoolOp
	// Weighted sum: the plan-input feature that weights each particle, in
	// its input format; products are cast to Accum.
	WeightFeature int
	// Accum[f] is the format the sum of feature f is held in (sum, mean,
	// weighted sum): terms are cast to it and summed exactly, the sum
	// cast to it again, then to the result (mean: multiplied by Recip
	// first).
	Accum []fixedpoint.Format
	// Recip[n] is 1/n in RecipFormat for n = 0..P (Recip[0] = 0): the
	// mean multiplies the sum by Recip[number of real particles].
	Recip       []int64
	RecipFormat fixedpoint.Format
}

var opKindNames = [...]string{
	OpDense:     "dense",
	OpScale:     "scale",
	OpReLU:      "relu",
	OpLeakyReLU: "leaky_relu",
	OpLinear:    "linear",
	OpTable:     "table",
	OpSoftmax:   "softmax",
	OpPool:      "pool",
	OpFlatten:   "flatten",
}

// String returns the lower-case name of k, such as "dense".
func (k OpKind) String() string {
	if k >= 0 && int(k) < len(opKindNames) {
		return opKindNames[k]
	}
	return "OpKind(" + strconv.Itoa(int(k)) + ")"
}
