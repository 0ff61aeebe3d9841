package models

import (
	"github.com/hashicorp/hcl/v2"

	"kd2fpga/fixedpoint"
)

// Model is a network as described by an HCL file and its weight arrays,
// after loading and validation. Arrays are already in kd2fpga's own layout
// (dense weights as [out, in]), whatever framework wrote them.
type Model struct {
	Name        string
	Description string
	// Path is the HCL file the model was read from; Dir resolves
	// relative paths such as the weights file.
	Path string
	// WeightsPath is the .npz file (or directory of .npy files) holding
	// the arrays.
	WeightsPath string
	// Layout is the array convention of the weights file: how arrays are
	// named and how a dense weight is laid out. The arrays of the Model
	// itself are always in kd2fpga's layout.
	Layout Layout

	Target    Target
	Precision Precision // model-wide defaults
	Features  *Features // which jet features the model reads; nil if unknown

	Input  Input
	Layers []*Layer // in evaluation order; each reads earlier layers or the input
	// Output names the layer whose result is the model output (the last
	// layer unless the file says otherwise).
	Output string
}

// Chain makes m a chain: each layer reads the one before it, the first
// reads the input, and the last is the output. It returns m, for models
// built in code.
func (m *Model) Chain() *Model {
	prev := m.Input.Name
	for _, l := range m.Layers {
		l.Input = prev
		prev = l.Name
	}
	m.Output = prev
	return m
}

// Layout names the array conventions of the framework that wrote a
// weights file.
type Layout string

// The weight layouts. PyTorch names a dense layer's arrays "<layer>.weight"
// ([out, in]) and "<layer>.bias", a batch norm's "<layer>.weight",
// ".bias", ".running_mean" and ".running_var". Keras names them
// "<layer>/kernel" ([in, out]) and "<layer>/bias", and "<layer>/gamma",
// "/beta", "/moving_mean" and "/moving_variance".
const (
	PyTorch Layout = "pytorch"
	Keras   Layout = "keras"
)

// Target is the hardware the firmware is built for.
type Target struct {
	Part            string  // FPGA part, default xcvu13p-flga2577-2-e
	ClockNs         float64 // clock period in ns, default 5
	LatencyBudgetNs float64 // 0 when no budget is set
	Reuse           int     // default reuse factor, 1 = fully parallel (II 1)
	Strategy        string  // "latency" (default) or "resource"
	// Particles says how a per-particle network is built: "replicate"
	// (one copy per particle, lowest latency, default) or "share" (one
	// copy time-multiplexed over the particles).
	Particles string
}

// Input is the network input: a flat feature vector [F] or a set of
// particles [P, F]. In a particle input, a particle whose features are
// all zero once quantized is padding: it takes no part in pooling.
type Input struct {
	Name  string
	Shape []int
	// Type is the input's precision: one format, or one per feature
	// (per element of the last axis).
	Type Spec
	Pos  hcl.Range
}

// Particles reports whether the input is a set of particles [P, F].
func (in *Input) Particles() bool { return len(in.Shape) == 2 }

// Kind names a layer type as written in the model file.
type Kind string

// The layer kinds of the model format.
const (
	Dense     Kind = "dense"
	BatchNorm Kind = "batchnorm"
	ReLU      Kind = "relu"
	LeakyReLU Kind = "leaky_relu"
	Linear    Kind = "linear"
	Sigmoid   Kind = "sigmoid"
	Tanh      Kind = "tanh"
	Softmax   Kind = "softmax"
	Pool      Kind = "pool"
	Flatten   Kind = "flatten"
)

// PoolOp is how a pooling layer reduces over particles.
type PoolOp string

// The pooling operations.
const (
	PoolSum         PoolOp = "sum"
	PoolMean        PoolOp = "mean"
	PoolMax         PoolOp = "max"
	PoolWeightedSum PoolOp = "weighted_sum"
)

// Layer is one layer of the network. Which fields are meaningful depends
// on Kind; the loader guarantees that those are set and consistent.
type Layer struct {
	Name  string
	Kind  Kind
	Input string    // the layer or input it reads
	Pos   hcl.Range // where the layer block starts, for messages

	// dense: Weight is [Units][In] (row j holds the weights of output j),
	// Bias has Units entries or is nil when the layer has no bias. A dense
	// layer on a particle input [P, F] is applied to every particle with
	// the same weights (the per-particle network of a Deep Set).
	Units  int
	Weight [][]float64
	Bias   []float64

	// batchnorm: y = Gamma*(x-Mean)/sqrt(Var+Eps) + Beta per feature.
	Gamma, Beta, Mean, Var []float64
	Eps                    float64

	// leaky_relu: the slope for negative inputs.
	Slope float64

	// pool: the operation and, for a weighted sum, the index of the input
	// feature that weights each particle (pT / pT_jet in the published
	// Deep Set student).
	Pool          PoolOp
	WeightFeature int

	// Reuse overrides the model's reuse factor for this layer (0: inherit).
	Reuse int

	Precision Precision // layer overrides; unset entries inherit
}

// Precision holds the declared fixed-point types of a layer (or the model
// defaults). An unset Spec inherits from the level above.
type Precision struct {
	Weight Spec
	Bias   Spec
	Accum  Spec // may be Auto
	Result Spec
	// Table is the format of activation table entries (sigmoid, tanh,
	// softmax's exponential and reciprocal).
	Table Spec
	// TableIndex is the format the input of a lookup table is cast to
	// before indexing; unset means the table is indexed by every bit of
	// the input when that is small enough (see docs/numerics.md).
	TableIndex Spec
	// Slope is the format of a leaky ReLU's slope constant.
	Slope Spec
}

// Spec is a declared precision: unset, auto (accumulators only: wide
// enough never to overflow), one format for a whole tensor, or one format
// per element. Per-element formats come from arrays of widths and integer
// bits, as high-granularity quantization trains them; a width of 0 marks
// a pruned element (its weight is zero and costs no hardware).
type Spec struct {
	Set  bool
	Auto bool
	// Format is the uniform format, and for per-element specs the
	// signedness and modes that every element shares.
	Format fixedpoint.Format
	// Elems, when not nil, holds one format per element in row-major
	// order of the tensor it applies to. A zero Width marks pruned.
	Elems []fixedpoint.Format
	Pos   hcl.Range
}

// Features records which jet features a model reads, so that evaluate
// can run it on raw or boosted jets. Names follow the jets package.
type Features struct {
	Particles   int      // number of leading particles
	PerParticle []string // per-particle features, in input order
	HighLevel   []string // jet-level features, in input order
	// Invariants is the number K of constituents whose Lorentz invariants
	// come last (the jets package's FeatureSpec.Invariants: K rest-frame
	// energy shares, then K(K-1)/2 pair masses); 0 for none.
	Invariants int
}

// Width returns the number of input values the features give: the
// particles' features, the high-level ones and the invariants.
func (f *Features) Width() int {
	k := f.Invariants
	return f.Particles*len(f.PerParticle) + len(f.HighLevel) + k + k*(k-1)/2
}
