// Package distill trains the students kd2fpga turns into firmware, as the
// knowledge-distillation method for jet tagging does: a Lorentz-invariant
// teacher, and small MLP and Deep Set students trained to imitate it with
// the loss (1 - lambda) CE + lambda T^2 KL(teacher || student) at
// temperature T.
//
// It sits beside the firmware flow, on top of it: a student is an
// ordinary models.Model (a chain of dense, activation, pooling and
// flattening layers), and quantization-aware training runs every forward
// pass through quantize.Plan.Trace, the golden emulator's own kernels, on
// the plan of the current weights. Gradients pass straight through the
// casts (zero where a saturating cast clipped), the float shadow weights
// are kept within their formats, and the trained model is saved with its
// weights already quantized. A quantization-aware student therefore
// computes, in training, evaluation and firmware, the same bits.
//
// Training is deterministic: the initial weights and the shuffles come
// from Config.Seed, and the gradients of a batch are summed in a fixed
// order of fixed-size chunks, whatever the number of workers.
//
// The teacher (Teacher) reads only Lorentz invariants of a jet (see
// jets.FeatureSpec.Invariants), so that boosts cannot change its output;
// BoostScan measures how much they change the students'.
package distill
