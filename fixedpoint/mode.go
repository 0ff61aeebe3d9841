package fixedpoint

import (
	"fmt"
	"strings"
)

// Quant is a quantization mode: what a cast does with the bits below the
// target's least significant bit. The zero value is Trn, the default of
// ap_fixed.
type Quant uint8

// The quantization modes of ap_fixed, in the order of Xilinx's ap_q_mode.
const (
	Trn       Quant = iota // AP_TRN: truncate toward minus infinity
	TrnZero                // AP_TRN_ZERO: truncate toward zero
	Rnd                    // AP_RND: round to nearest, ties toward plus infinity
	RndZero                // AP_RND_ZERO: round to nearest, ties toward zero
	RndMinInf              // AP_RND_MIN_INF: round to nearest, ties toward minus infinity
	RndInf                 // AP_RND_INF: round to nearest, ties away from zero
	RndConv                // AP_RND_CONV: round to nearest, ties to even
)

var quantNames = [...]string{
	Trn:       "AP_TRN",
	TrnZero:   "AP_TRN_ZERO",
	Rnd:       "AP_RND",
	RndZero:   "AP_RND_ZERO",
	RndMinInf: "AP_RND_MIN_INF",
	RndInf:    "AP_RND_INF",
	RndConv:   "AP_RND_CONV",
}

// String returns the C++ spelling of q, such as "AP_RND_CONV".
func (q Quant) String() string {
	if int(q) < len(quantNames) {
		return quantNames[q]
	}
	return fmt.Sprintf("Quant(%d)", uint8(q))
}

// Rounds reports whether q rounds to nearest, which costs an adder in
// hardware; the truncating modes Trn and TrnZero return false.
func (q Quant) Rounds() bool { return q >= Rnd && q <= RndConv }

// ParseQuant returns the quantization mode spelled s, which is either the
// C++ name ("AP_RND") or the same name without its "AP_" prefix, in any
// case ("rnd").
func ParseQuant(s string) (Quant, error) {
	for q, name := range quantNames {
		if matchModeName(s, name) {
			return Quant(q), nil
		}
	}
	return 0, fmt.Errorf("unknown quantization mode %q", s)
}

// Overflow is an overflow mode: what a cast does when the quantized value
// lies outside the target's range. The zero value is Wrap, the default of
// ap_fixed.
type Overflow uint8

// The overflow modes of ap_fixed. Their order is kd2fpga's own (Wrap first so
// that the zero value is the default); the C++ names are what String returns.
const (
	Wrap    Overflow = iota // AP_WRAP: keep the low W bits (N bits forced, see Format)
	Sat                     // AP_SAT: clamp to the minimum or maximum
	SatZero                 // AP_SAT_ZERO: an overflow gives zero
	SatSym                  // AP_SAT_SYM: clamp to plus or minus the maximum
	WrapSM                  // AP_WRAP_SM: sign-magnitude wrap, signed types only
)

var overflowNames = [...]string{
	Wrap:    "AP_WRAP",
	Sat:     "AP_SAT",
	SatZero: "AP_SAT_ZERO",
	SatSym:  "AP_SAT_SYM",
	WrapSM:  "AP_WRAP_SM",
}

// String returns the C++ spelling of o, such as "AP_SAT_SYM".
func (o Overflow) String() string {
	if int(o) < len(overflowNames) {
		return overflowNames[o]
	}
	return fmt.Sprintf("Overflow(%d)", uint8(o))
}

// Saturates reports whether o clamps (Sat, SatZero, SatSym) rather than
// wraps (Wrap, WrapSM).
func (o Overflow) Saturates() bool { return o == Sat || o == SatZero || o == SatSym }

// ParseOverflow returns the overflow mode spelled s, which is either the C++
// name ("AP_SAT") or the same name without its "AP_" prefix, in any case
// ("sat").
func ParseOverflow(s string) (Overflow, error) {
	for o, name := range overflowNames {
		if matchModeName(s, name) {
			return Overflow(o), nil
		}
	}
	return 0, fmt.Errorf("unknown overflow mode %q", s)
}

// matchModeName reports whether s spells the mode name, with or without
// its "AP_" prefix, ignoring case.
func matchModeName(s, name string) bool {
	return strings.EqualFold(s, name) || strings.EqualFold(s, name[len("AP_"):])
}
