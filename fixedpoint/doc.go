// Package fixedpoint is kd2fpga's fixed-point core: the ap_fixed and
// ap_ufixed types of Xilinx's arbitrary-precision headers
// (HLS_arbitrary_Precision_Types), computed bit for bit in Go.
//
// # Place in the flow
//
// Everything else in kd2fpga stands on this package: the quantizer picks
// Formats, the emulator runs networks with Caster and Value, and the back
// ends print Formats and emit rounding and saturation logic where
// Caster.Exact says a cast needs some. The package itself imports nothing
// of kd2fpga, only the standard library.
//
// # Representation
//
// A Format is a type: ap_fixed<W,I,Q,O,N> when Signed, ap_ufixed
// otherwise. A value of a Format is its raw word, an int64 holding the
// W-bit integer raw (two's complement when signed), and stands for
// raw * 2^-F with F = W - I fractional bits. Formats that users declare
// are at most MaxWidth = 64 bits wide (63 when unsigned, so that every
// raw word fits an int64), with |I| <= MaxIntBits.
//
// Full-precision results can be wider: the product of two 64-bit values
// has 128 bits. A Value holds a Format of any width and a big.Int word, and
// computes products, sums, differences, negations, quotients and shifts in
// exactly the result types the headers give them (MulFormat, AddFormat,
// SubFormat, NegFormat, DivFormat).
//
// # Conversions
//
// Converting a value into a Format (Format.Quantize from a float64,
// Format.Cast and Caster from another Format, Value.Cast and
// Value.SetFloat64 for any width) works on the exact value x, as the
// headers do:
//
//  1. Quantization. With q = x * 2^F and t = floor(q), the first dropped
//     bit is set when q - t >= 1/2 and the sticky bit when q - t is
//     neither 0 nor 1/2. The mode adds one to t: AP_TRN never; AP_TRN_ZERO
//     when x < 0 and q is not an integer; AP_RND on the first bit;
//     AP_RND_ZERO on the first bit if x < 0 or sticky; AP_RND_MIN_INF on
//     the first bit and sticky; AP_RND_INF on the first bit if x >= 0 or
//     sticky; AP_RND_CONV on the first bit if t is odd or sticky.
//  2. Overflow, on the rounded integer r (so rounding can overflow).
//     Within the range of the Format, r is the result. Otherwise AP_SAT
//     clamps to the minimum or maximum; AP_SAT_ZERO gives 0; AP_SAT_SYM
//     clamps to -max or max (on a signed Format the minimum itself
//     becomes -max, except in a one-bit word, which saturates as AP_SAT
//     does); AP_WRAP keeps the low W bits of r and, with N > 0
//     saturation bits, forces the top bit of a signed word to the sign of
//     r and the N-1 bits below to its complement, or sets the top N bits
//     of an unsigned word; AP_WRAP_SM (signed only) is the headers'
//     sign-magnitude wrap, which complements the low W bits under
//     conditions that depend on N (see Overflow and the code of
//     wrapSignMagnitude).
//
// Each conversion returns a Status saying whether bits were dropped
// (Inexact) and whether the value overflowed (Saturated or Wrapped), so
// that an emulator can count what happened.
//
// # Deviations from the headers
//
// kd2fpga follows the headers (release builds, compiled with -DNDEBUG)
// except in the following cases, all outside the arithmetic a network
// uses. The golden test counts the golden lines that show them, checks that
// they differ exactly as described, and skips them.
//
//   - Integer types. ParseFormat reads ap_int<W> as ap_fixed<W,W> with the
//     default modes, so converting a value with a fraction into it
//     truncates toward minus infinity. C++'s ap_int truncates toward zero
//     instead (ap_fixed<W,W,AP_TRN_ZERO> does the same here), and its
//     conversion from a double in (-0.5, 0) gives 1, a header bug, where
//     AP_TRN_ZERO gives 0. The golden icast lines are checked against
//     ap_fixed<W,W,AP_TRN_ZERO>; those in (-0.5, 0) are skipped.
//   - Integer part. to_int64() of a negative value of a type with I <= 0
//     gives -1 in the headers (a one-bit integer overflows); IntPart gives
//     0, the value truncated toward zero.
//   - Subnormal doubles. The headers read a subnormal double as if it had
//     an implicit leading one; Quantize uses its exact value. The two
//     agree unless F > 1021.
//   - to_double() of a value below 2^-1022 in magnitude. The headers do
//     not produce subnormals; Float rounds correctly. This too needs
//     F > 1021.
//   - NaN converts as the headers convert it, as a huge value, but the
//     Status carries the NaN flag so that the caller can refuse it.
//   - Division by zero panics (Value.Quo), as math/big does; the headers
//     crash or return garbage.
//   - Unsigned formats wider than 63 bits are refused by Validate and
//     ParseFormat (ap_uint<64> is legal C++); Value handles them.
//
// A build of the headers with assertions enabled aborts on some casts
// whose source lies entirely below the target's rounding bit; release
// builds compute the right value, which is what this package computes.
// Generated C++ must therefore be compiled with -DNDEBUG.
package fixedpoint
