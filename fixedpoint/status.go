package fixedpoint

import "strings"

// Status says what a conversion did to a value, as a set of flags. The
// zero Status means the result is exactly the value converted.
type Status uint8

// The flags of a Status.
const (
	// Inexact: quantization dropped nonzero bits below the target's least
	// significant bit (the result was rounded or truncated).
	Inexact Status = 1 << iota

	// Saturated: the quantized value lay outside the target's range and an
	// AP_SAT, AP_SAT_ZERO or AP_SAT_SYM mode replaced it (for AP_SAT_SYM
	// this includes a signed result equal to the minimum, made -max).
	Saturated

	// Wrapped: the quantized value lay outside the target's range and an
	// AP_WRAP or AP_WRAP_SM mode kept its low bits.
	Wrapped

	// NaN: the input was a float64 NaN, which the headers (and Quantize)
	// convert as a huge value, (1+f) * 2^1024 with f its fraction field;
	// the result is meaningless and callers should treat it as an error.
	NaN
)

// Overflowed reports whether the value was out of range, whatever the
// overflow mode did about it.
func (s Status) Overflowed() bool { return s&(Saturated|Wrapped) != 0 }

// String returns the flags of s joined by "|", such as "inexact|saturated",
// or "exact" for the zero Status.
func (s Status) String() string {
	if s == 0 {
		return "exact"
	}
	var names []string
	for _, f := range []struct {
		flag Status
		name string
	}{{Inexact, "inexact"}, {Saturated, "saturated"}, {Wrapped, "wrapped"}, {NaN, "nan"}} {
		if s&f.flag != 0 {
			names = append(names, f.name)
			s &^= f.flag
		}
	}
	if s != 0 {
		names = append(names, "unknown")
	}
	return strings.Join(names, "|")
}
