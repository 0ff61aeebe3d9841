package report

import (
	"fmt"
	"math"
)

// Resources counts the FPGA primitives a design or one of its layers uses.
// Each count is the same kind of figure whatever its source (the analytic
// estimate, Yosys, Vivado or Vitis HLS), so that they can stand side by
// side in one table.
type Resources struct {
	LUT int // look-up tables, logic and memory together
	FF  int // flip-flops
	DSP int // DSP slices (DSP48E2)
	// BRAM counts 36 Kb block RAM tiles; an 18 Kb half counts 0.5.
	BRAM float64
	// Carry counts carry-chain primitives: CARRY8 in Vivado reports,
	// CARRY4 in Yosys 0.23 (which has no CARRY8), so Yosys counts are
	// about twice Vivado's for the same chains.
	Carry int
	// LUTRAM counts the LUTs used as memory or shift registers; they are
	// included in LUT.
	LUTRAM int
}

// Add sets r to x + y and returns r.
func (r *Resources) Add(x, y Resources) *Resources {
	*r = Resources{
		LUT:    x.LUT + y.LUT,
		FF:     x.FF + y.FF,
		DSP:    x.DSP + y.DSP,
		BRAM:   x.BRAM + y.BRAM,
		Carry:  x.Carry + y.Carry,
		LUTRAM: x.LUTRAM + y.LUTRAM,
	}
	return r
}

// Scale returns r with every count multiplied by n (n copies of a block).
func (r Resources) Scale(n int) Resources {
	return Resources{
		LUT:    r.LUT * n,
		FF:     r.FF * n,
		DSP:    r.DSP * n,
		BRAM:   r.BRAM * float64(n),
		Carry:  r.Carry * n,
		LUTRAM: r.LUTRAM * n,
	}
}

// IsZero reports whether r counts nothing at all.
func (r Resources) IsZero() bool { return r == Resources{} }

// String formats r compactly, for messages and test failures.
func (r Resources) String() string {
	return fmt.Sprintf("LUT %d, FF %d, DSP %d, BRAM %s, carry %d",
		r.LUT, r.FF, r.DSP, formatBRAM(r.BRAM), r.Carry)
}

// formatBRAM prints a tile count without a useless ".0".
func formatBRAM(b float64) string {
	if b == math.Trunc(b) {
		return fmt.Sprintf("%.0f", b)
	}
	return fmt.Sprintf("%.1f", b)
}

// Fractions holds resource counts as fractions of a device's resources
// (0.25 means 25%). A field is NaN when the device has none of that
// resource or its size is unknown.
type Fractions struct {
	LUT, FF, DSP, BRAM float64
}

// Fraction returns how much of the device resources a the usage r takes.
func (r Resources) Fraction(a Resources) Fractions {
	frac := func(used, avail float64) float64 {
		if avail <= 0 {
			return math.NaN()
		}
		return used / avail
	}
	return Fractions{
		LUT:  frac(float64(r.LUT), float64(a.LUT)),
		FF:   frac(float64(r.FF), float64(a.FF)),
		DSP:  frac(float64(r.DSP), float64(a.DSP)),
		BRAM: frac(r.BRAM, a.BRAM),
	}
}
