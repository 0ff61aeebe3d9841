package report

import (
	"math"
	"testing"
)

func TestLookupDevice(t *testing.T) {
	tests := []struct {
		part, device string
		lut          int
	}{
		{"xcvu9p-flga2104-2L-e", "xcvu9p", 1182240},
		{"xcvu13p-flga2577-2-e", "xcvu13p", 1728000},
		{"XCVU13P-FLGA2577-2-E", "xcvu13p", 1728000},
		{"xcvu9pflga2104-2L", "xcvu9p", 1182240}, // as a Vivado report header prints it
		{"xcku115-flvb2104-2-i", "xcku115", 663360},
		{"xczu9eg-ffvb1156-2-e", "xczu9eg", 274080},
		{"xcu250-figd2104-2L-e", "xcu250", 1728000},
		{"xcvu1", "", 0},
		{"xcvu19p-fsva3824-2-e", "", 0}, // not in the table: must not match xcvu1...
		{"xc7a35t-cpg236-1", "", 0},
		{"", "", 0},
	}
	for _, tt := range tests {
		d, ok := LookupDevice(tt.part)
		if ok != (tt.device != "") || d.Name != tt.device || d.Resources.LUT != tt.lut {
			t.Errorf("LookupDevice(%q) = %+v, %v; want %q", tt.part, d, ok, tt.device)
		}
	}
}

func TestDevicesConsistent(t *testing.T) {
	for _, d := range Devices() {
		r := d.Resources
		// every UltraScale(+) CLB has twice as many flip-flops as LUTs
		if r.FF != 2*r.LUT || r.DSP <= 0 || r.BRAM <= 0 {
			t.Errorf("%s: implausible resources %+v", d.Name, r)
		}
	}
}

func TestFraction(t *testing.T) {
	d, _ := LookupDevice("xcvu13p")
	f := Resources{LUT: 17280, FF: 0, DSP: 123, BRAM: 26.88}.Fraction(d.Resources)
	if math.Abs(f.LUT-0.01) > 1e-12 || f.FF != 0 || math.Abs(f.BRAM-0.01) > 1e-12 {
		t.Errorf("fractions %+v", f)
	}
	if f := (Resources{LUT: 1}).Fraction(Resources{}); !math.IsNaN(f.LUT) {
		t.Errorf("unknown device gave %v, want NaN", f.LUT)
	}
}
