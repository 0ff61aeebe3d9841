package report

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readFixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseUtilization(t *testing.T) {
	tests := []struct {
		file            string
		device, state   string
		used, available Resources
	}{
		{
			file: "utilization_routed.rpt", device: "xcvu13p-flga2577-2-e", state: "Routed",
			used: Resources{LUT: 4213, FF: 1877, DSP: 12, BRAM: 1.5, Carry: 301, LUTRAM: 112},
			available: Resources{LUT: 1728000, FF: 3456000, DSP: 12288, BRAM: 2688,
				Carry: 216000, LUTRAM: 791040},
		},
		{
			file: "utilization_synth.rpt", device: "xcvu9pflga2104-2L", state: "Synthesized",
			used: Resources{LUT: 63012, FF: 10544, DSP: 38, Carry: 1203},
			available: Resources{LUT: 1182240, FF: 2364480, DSP: 6840, BRAM: 2160,
				Carry: 147780, LUTRAM: 591840},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep, err := ParseUtilization(tt.file, strings.NewReader(readFixture(t, tt.file)))
			if err != nil {
				t.Fatal(err)
			}
			if rep.Device != tt.device || rep.State != tt.state {
				t.Errorf("device %q state %q, want %q %q", rep.Device, rep.State,
					tt.device, tt.state)
			}
			if rep.Used != tt.used {
				t.Errorf("used %+v\nwant %+v", rep.Used, tt.used)
			}
			if rep.Available != tt.available {
				t.Errorf("available %+v\nwant %+v", rep.Available, tt.available)
			}
		})
	}
}

func TestParseUtilizationErrors(t *testing.T) {
	routed := readFixture(t, "utilization_routed.rpt")
	tests := []struct {
		name, text, want string
	}{
		{"empty", "", `utilization.rpt: no "Site Type" table`},
		{"timing report", readFixture(t, "timing_met.rpt"), `no "Site Type" table`},
		{"no luts", strings.Replace(routed, "| CLB LUTs  ", "| Foo LUTs  ", 1),
			`utilization.rpt: no "CLB LUTs" row in the slice logic table`},
		{"no dsps", strings.Replace(routed, "| DSPs ", "| DSPx ", 1),
			`utilization.rpt: no "DSPs" row in the arithmetic table`},
		{"no bram", strings.Replace(routed, "Block RAM Tile", "Block RAM Tyle", 1),
			`no "Block RAM Tile" row in the block RAM table`},
		{"bad count", strings.Replace(routed, "| 1877 |", "| 18x7 |", 1),
			`utilization.rpt:41: "CLB Registers" row: used count "18x7" is not a number`},
		{"negative", strings.Replace(routed, "|   12 |", "|  -12 |", 1),
			`"DSPs" row: used count "-12" is not a number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseUtilization("utilization.rpt", strings.NewReader(tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestParseTimingSummary(t *testing.T) {
	rep, err := ParseTimingSummary("t", strings.NewReader(readFixture(t, "timing_met.rpt")))
	if err != nil {
		t.Fatal(err)
	}
	if rep.WNS != 1.187 || rep.TNS != 0 || rep.WHS != 0.024 || rep.Endpoints != 5213 {
		t.Errorf("got %+v", rep)
	}
	if !rep.Met() {
		t.Error("Met() = false for a met design")
	}
	if len(rep.Clocks) != 1 || rep.Clocks[0] != (Clock{"clk", 5, 200}) {
		t.Errorf("clocks %+v", rep.Clocks)
	}
	// fmax = 1000 / (5 - 1.187)
	if f := rep.FmaxMHz(); math.Abs(f-262.260687) > 1e-3 {
		t.Errorf("fmax %g", f)
	}

	rep, err = ParseTimingSummary("t", strings.NewReader(readFixture(t, "timing_failed.rpt")))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Met() || rep.WNS != -0.342 || rep.SetupFailing != 61 || rep.TNS != -12.807 {
		t.Errorf("got %+v", rep)
	}
	if len(rep.Clocks) != 1 || rep.Clocks[0].PeriodNs != 2.778 {
		t.Errorf("clocks %+v", rep.Clocks)
	}
}

func TestParseTimingSummaryErrors(t *testing.T) {
	met := readFixture(t, "timing_met.rpt")
	tests := []struct {
		name, text, want string
	}{
		{"empty", "", `timing_summary.rpt: no "Design Timing Summary" section`},
		{"utilization", readFixture(t, "utilization_routed.rpt"),
			`no "Design Timing Summary" section`},
		{"bad wns", strings.Replace(met, "      1.187   ", "      1.x87   ", 1),
			`timing_summary.rpt:37: design timing summary: WNS(ns) "1.x87" is not a number`},
		{"short", strings.Replace(met, "        0.024        0.000  ", "  ", 1),
			`design timing summary has 10 values for 12 columns`},
		{"truncated", met[:strings.Index(met, "    -------")],
			`has no WNS(ns) column followed by a rule and a value line`},
		{"bad clock", strings.Replace(met, "clk    {0.000 2.500}", "clk    (0.000 2.500)", 1),
			`clock summary row`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTimingSummary("timing_summary.rpt", strings.NewReader(tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestParseCsynth(t *testing.T) {
	rep, err := ParseCsynth("c", strings.NewReader(readFixture(t, "csynth.xml")))
	if err != nil {
		t.Fatal(err)
	}
	want := HLSReport{
		Top: "jet_mlp", Part: "xcvu13p-flga2577-2-e",
		TargetClockNs: 5, UncertaintyNs: 1.35, EstimatedClockNs: 3.512,
		BestLatency: 9, WorstLatency: 9, IntervalMin: 1, IntervalMax: 1,
		Used:      Resources{LUT: 62345, FF: 9120, DSP: 38, BRAM: 1.5},
		Available: Resources{LUT: 1728000, FF: 3456000, DSP: 12288, BRAM: 2688},
	}
	if *rep != want {
		t.Errorf("got  %+v\nwant %+v", *rep, want)
	}

	rep, err = ParseCsynth("c", strings.NewReader(readFixture(t, "csynth_2019.xml")))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Used.DSP != 954 || rep.WorstLatency != -1 || rep.BestLatency != 14 ||
		rep.IntervalMin != 4 || rep.IntervalMax != -1 || rep.Available.DSP != 5520 {
		t.Errorf("got %+v", *rep)
	}
}

func TestParseCsynthErrors(t *testing.T) {
	good := readFixture(t, "csynth.xml")
	tests := []struct {
		name, text, want string
	}{
		{"empty", "", "csynth.xml: empty file"},
		{"other root", "<report></report>", "csynth.xml: not a Vitis HLS csynth.xml"},
		{"syntax", "<profile><a></profile>", "csynth.xml:1: element <a> closed by </profile>"},
		{"no latency", strings.Replace(good, "SummaryOfOverallLatency>", "Other>", 2),
			"csynth.xml: no profile/PerformanceEstimates/SummaryOfOverallLatency element"},
		{"no area", strings.Replace(good, "AreaEstimates>", "Other>", 2),
			"csynth.xml: no profile/AreaEstimates/Resources element"},
		{"bad lut", strings.Replace(good, "<LUT>62345</LUT>", "<LUT>many</LUT>", 1),
			`csynth.xml: profile/AreaEstimates/Resources/LUT "many" is not a count`},
		{"no lut", strings.Replace(good, "<LUT>62345</LUT>", "", 1),
			`profile/AreaEstimates/Resources/LUT "" is not a count`},
		{"bad latency", strings.Replace(good, "<Worst-caseLatency>9<", "<Worst-caseLatency>-9<", 1),
			`SummaryOfOverallLatency/Worst-caseLatency "-9" is not a number of cycles`},
		{"bad clock", strings.Replace(good, ">3.512<", ">fast<", 1),
			`EstimatedClockPeriod "fast" is not a time in ns`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCsynth("csynth.xml", strings.NewReader(tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// The fuzz targets check that no input makes a parser panic, and that a
// report it accepts holds no negative count.

func fuzzSeeds(f *testing.F, files ...string) {
	for _, file := range files {
		f.Add(readFixture(f, file))
	}
	f.Add("")
	f.Add("|\n| Site Type | Used |\n| CLB LUTs | 1e400 |\n")
}

func FuzzParseUtilization(f *testing.F) {
	fuzzSeeds(f, "utilization_routed.rpt", "utilization_synth.rpt")
	f.Fuzz(func(t *testing.T, s string) {
		rep, err := ParseUtilization("f", strings.NewReader(s))
		if err == nil && (rep.Used.LUT < 0 || rep.Used.BRAM < 0) {
			t.Errorf("negative count in %+v", rep.Used)
		}
	})
}

func FuzzParseTimingSummary(f *testing.F) {
	fuzzSeeds(f, "timing_met.rpt", "timing_failed.rpt")
	f.Fuzz(func(t *testing.T, s string) {
		rep, err := ParseTimingSummary("f", strings.NewReader(s))
		if err == nil {
			_ = rep.FmaxMHz()
			_ = rep.Met()
		}
	})
}

func FuzzParseCsynth(f *testing.F) {
	fuzzSeeds(f, "csynth.xml", "csynth_2019.xml")
	f.Fuzz(func(t *testing.T, s string) {
		rep, err := ParseCsynth("f", strings.NewReader(s))
		if err == nil && (rep.Used.LUT < 0 || rep.Used.DSP < 0) {
			t.Errorf("negative count in %+v", rep.Used)
		}
	})
}
