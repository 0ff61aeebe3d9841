package main

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kd2fpga/fixedpoint"
)

func TestProfileCommand(t *testing.T) {
	dir := t.TempDir()
	data, _, _, _ := labeledData(t, dir, example("deepset_small"), 200, false)
	plot := filepath.Join(dir, "profile.png")
	stdout, err := runApp(t, "profile", "--model", example("deepset_small"), "--data", data, "--plot", plot)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{"phi1", "phi2_bn", "pool", "rho2", "softmax"} {
		if !strings.Contains(stdout, "\n"+op+" ") {
			t.Errorf("no row for %s in\n%s", op, stdout)
		}
	}

	// the plot is a PNG that decodes.
	f, err := os.Open(plot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("plot: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 400 || b.Dy() < 300 {
		t.Errorf("plot of %v", b)
	}

	// JSON: every result has a type range holding its fixed-point range,
	// and a float range.
	stdout, err = runApp(t, "profile", "--model", example("deepset_small"), "--data", data, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var prof profile
	if err := json.Unmarshal([]byte(stdout), &prof); err != nil {
		t.Fatal(err)
	}
	if prof.Samples != 200 || len(prof.Layers) == 0 {
		t.Fatalf("profile %+v", prof)
	}
	for _, l := range prof.Layers {
		if r := l.Result; r == nil || r.Float == nil || r.Fixed == nil || !r.Fixed.fits(r.Range) {
			t.Errorf("layer %s: result %+v", l.Op, r)
		}
	}
}

// TestSuggest checks suggested precisions worked out by hand.
func TestSuggest(t *testing.T) {
	cases := []struct {
		f      fixedpoint.Format
		seen   span
		margin int
		want   string
	}{
		// 10 fractional bits; [-3, 5] needs 4 integer bits ([-8, 8)),
		// plus one spare.
		{fixedpoint.Fixed(16, 6), span{-3, 5}, 1, "ap_fixed<15,5>"},
		{fixedpoint.Fixed(16, 6), span{-3, 5}, 0, "ap_fixed<14,4>"},
		// 4 fractional bits, unsigned; 0.3 needs I = -1 (max 0.4375).
		{fixedpoint.UFixed(8, 4), span{0, 0.3}, 1, "ap_ufixed<4,0>"},
		// a negative value makes the suggestion signed.
		{fixedpoint.UFixed(8, 4), span{-1, 1}, 0, "ap_fixed<6,2>"},
	}
	for _, c := range cases {
		if got := suggest([]fixedpoint.Format{c.f}, &c.seen, c.margin); got != c.want {
			t.Errorf("suggest(%v, %v, %d) = %q, want %q", c.f, c.seen, c.margin, got, c.want)
		}
	}
}
