// Package quantize makes every numeric decision of a model once: it folds
// batch normalization, assigns a fixed-point format to every value,
// quantizes the weights and fills the activation tables, giving a Plan.
// Its emulator runs a Plan bit-exactly; that is the golden reference every
// firmware back end is compared with. It also runs the unquantized model
// in float64 for comparison.
//
// The arithmetic of each operation is defined in docs/numerics.md.
//
// Build runs an ordered table of passes over the plan (fold batch norm,
// lower layers, assign formats, quantize weights, size accumulators,
// build tables); tests check the plan between passes with the same
// invariants Verify checks on a finished plan. Model mistakes are
// collected and reported together, each with the position of its layer.
//
// The emulator (Plan.Run, Plan.Emulate) compiles each op into a kernel
// once: integer weights with the casts folded in where that is exact,
// inline rounding and overflow for the common modes, fixedpoint.Caster and
// fixedpoint.Value for the rest. Its tests compare it, on random models,
// with a slow reference that follows docs/numerics.md one scalar at a
// time in exact arithmetic. Float runs the model as loaded, in float64.
package quantize
