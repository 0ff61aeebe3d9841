package handoff

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"kd2fpga/internal/tclstub"
	"kd2fpga/internal/tools"
	"kd2fpga/sim"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// project returns a Project laid out as docs/firmware.md describes.
func project(top, rtl string, ii int) Project {
	return Project{
		Top: top, Model: "jet tagger 16-64-32-32-5",
		Part: "xcvu13p-flga2577-2-e", ClockNs: 5,
		Latency: 3, II: ii,
		InWidth: 13, OutWidth: 5,
		VHDL:      []string{"vhdl/" + top + ".vhd"},
		Verilog:   []string{"verilog/" + top + ".v"},
		VHDLBench: "tb/tb_" + top + ".vhd", SVBench: "tb/tb_" + top + ".sv",
		InputHex: "tb/input.hex", ExpectedHex: "tb/expected.hex",
		RTL: rtl,
	}
}

// fakeProject creates the folder convert writes (docs/firmware.md), with
// placeholder contents, and returns its path.
func fakeProject(t *testing.T, p Project) string {
	t.Helper()
	dir := t.TempDir()
	files := append([]string{"README.md", "kd2fpga.json", "hls/build_prj.tcl"}, p.VHDL...)
	files = append(files, p.Verilog...)
	files = append(files, p.VHDLBench, p.SVBench, p.InputHex, p.ExpectedHex)
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("placeholder\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestGolden(t *testing.T) {
	cases := []struct {
		name string
		p    Project
	}{
		{"vhdl_ii1", project("jet_mlp", "vhdl", 1)},
		{"verilog_ii3_axis", func() Project {
			p := project("jet_mlp", "verilog", 3)
			p.AXIS = true
			return p
		}()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := Write(dir, c.p); err != nil {
				t.Fatal(err)
			}
			for _, f := range Files(c.p) {
				got, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join("testdata", c.name, f+".golden")
				if *update {
					os.MkdirAll(filepath.Dir(golden), 0o755)
					if err := os.WriteFile(golden, got, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from %s (run go test -update and review the diff)",
						f, golden)
				}
			}
		})
	}
}

func TestFromSummary(t *testing.T) {
	s := &sim.Summary{
		Name: "jets", Top: "jets", Latency: 7, II: 1,
		Target: sim.Target{Part: "xcvu9p-flga2104-2L-e", ClockNs: 2.5},
		Input:  sim.Port{Width: 128}, Output: sim.Port{Width: 80},
		Vectors: sim.VectorSet{In: "tb/input.hex", Expected: "tb/expected.hex"},
		Files: sim.Files{VHDL: []string{"vhdl/jets.vhd"}, Verilog: []string{"verilog/jets.v"},
			VHDLBench: "tb/tb_jets.vhd", SVBench: "tb/tb_jets.sv"},
	}
	p := FromSummary(s, "verilog")
	if err := p.check(); err != nil {
		t.Fatal(err)
	}
	if p.Part != s.Target.Part || p.ClockNs != 2.5 || p.InWidth != 128 || p.Latency != 7 {
		t.Errorf("got %+v", p)
	}
}

func TestWriteRejects(t *testing.T) {
	p := project("Bad Top", "systemc", 0)
	p.Verilog = []string{"../outside.v"}
	p.ClockNs = 0
	dir := t.TempDir()
	err := Write(dir, p)
	for _, want := range []string{`top "Bad Top" is not`, "clock period 0", "II 0",
		`rtl "systemc"`, `file "../outside.v" is not a plain relative path`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want it to say %q", err, want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a rejected project left %d files", len(entries))
	}
}

// TestScriptsNameExistingFiles runs the scripts with the Vivado commands
// stubbed and checks that every file they read exists in a project folder
// as convert lays it out, and that the reports land where report reads
// them.
func TestScriptsNameExistingFiles(t *testing.T) {
	for _, rtl := range []string{"vhdl", "verilog"} {
		t.Run(rtl, func(t *testing.T) {
			p := project("jet_mlp", rtl, 1)
			dir := fakeProject(t, p)
			if err := Write(dir, p); err != nil {
				t.Fatal(err)
			}
			real, _ := filepath.EvalSymlinks(dir)

			for _, args := range [][]string{nil, {"rtl=vhdl"}, {"rtl=verilog"}} {
				calls := tclstub.Run(t, filepath.Join(dir, BuildScript), args...)
				want := p.VHDL
				if args == nil && rtl == "verilog" || len(args) > 0 && args[0] == "rtl=verilog" {
					want = p.Verilog
				}
				reads, reports := checkCalls(t, real, calls)
				if got := strings.Join(reads, " "); got != strings.Join(want, " ")+" "+ClockXDC {
					t.Errorf("build.tcl %v read %s", args, got)
				}
				if !reports[UtilizationReport] || !reports[TimingReport] {
					t.Errorf("build.tcl %v wrote reports %v", args, reports)
				}
			}
			sources := p.VHDL
			if rtl == "verilog" {
				sources = p.Verilog
			}
			for _, args := range [][]string{nil, {"axis=1"}} {
				calls := tclstub.Run(t, filepath.Join(dir, PackageScript), args...)
				reads, _ := checkCalls(t, real, calls)
				want := strings.Join(sources, " ")
				if args != nil {
					want += " " + AXISFile(p.Top)
				}
				if got := strings.Join(reads, " "); got != want {
					t.Errorf("package_ip.tcl %v read %s, want %s", args, got, want)
				}
				vhdl2008 := false
				for _, c := range calls {
					vhdl2008 = vhdl2008 || strings.HasPrefix(c.String(),
						"set_property file_type VHDL 2008 ")
				}
				if vhdl2008 != (rtl == "vhdl") {
					t.Errorf("package_ip.tcl %v: VHDL-2008 file type set: %v", args, vhdl2008)
				}
			}
		})
	}
}

// checkCalls checks the files named by the logged calls: sources and
// constraints must exist inside the project, reports must be written
// inside it. It returns the files read, in order, and the reports
// written, relative to the project.
func checkCalls(t *testing.T, dir string, calls []tclstub.Call) ([]string, map[string]bool) {
	t.Helper()
	var reads []string
	reports := map[string]bool{}
	inside := func(f string) string {
		rel, err := filepath.Rel(dir, f)
		if err != nil || strings.HasPrefix(rel, "..") {
			t.Errorf("%s is outside the project %s", f, dir)
		}
		return filepath.ToSlash(rel)
	}
	for _, c := range calls {
		switch c.Name() {
		case "read_vhdl", "read_verilog", "read_xdc", "add_files":
			f := c.Last()
			reads = append(reads, inside(f))
			if _, err := os.Stat(f); err != nil {
				t.Errorf("%s names a missing file: %v", c.Name(), err)
			}
			if c[0] == "read_vhdl" && c[1] != "-vhdl2008" {
				t.Errorf("read_vhdl without -vhdl2008: %v", c)
			}
		case "report_utilization", "report_timing_summary":
			reports[inside(c.Last())] = true
		case "synth_design":
			if mode, _ := c.Flag("-mode"); mode != "out_of_context" {
				t.Errorf("synth_design is not out of context: %v", c)
			}
		}
	}
	return reads, reports
}

// TestCoreNamesExistingFiles checks every file of the FuseSoC core.
func TestCoreNamesExistingFiles(t *testing.T) {
	for _, rtl := range []string{"vhdl", "verilog"} {
		p := project("jet_mlp", rtl, 2)
		dir := fakeProject(t, p)
		if err := Write(dir, p); err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(filepath.Join(dir, CoreFile(p.Top)))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(raw), "CAPI=2:\n") {
			t.Errorf("%s: core file does not start with CAPI=2:", rtl)
		}
		item := regexp.MustCompile(`(?m)^ {6}- ([^\s:]+)`)
		n := 0
		for _, m := range item.FindAllStringSubmatch(string(raw), -1) {
			n++
			if _, err := os.Stat(filepath.Join(dir, m[1])); err != nil {
				t.Errorf("%s core names a missing file: %v", rtl, err)
			}
		}
		if n != 5 {
			t.Errorf("%s core lists %d files, want 5", rtl, n)
		}
		for _, target := range []string{"  default:", "  sim:", "  synth:", "  rtl:", "  tb:"} {
			if !strings.Contains(string(raw), "\n"+target) {
				t.Errorf("%s core has no %q", rtl, target)
			}
		}
	}
}

// fakeCore is a stand-in for the generated design: out_data is the low
// five bits of in_data plus one, three cycles later.
const fakeCore = `
/* verilator lint_off UNUSEDSIGNAL */
module jet_mlp (input wire clk, input wire rst, input wire in_valid,
                input wire [12:0] in_data, output wire out_valid,
                output wire [4:0] out_data);
  reg [2:0] v;
  reg [4:0] d0, d1, d2;
  always @(posedge clk) begin
    if (rst) v <= 3'b0; else v <= {v[1:0], in_valid};
    d0 <= in_data[4:0] + 5'd1; d1 <= d0; d2 <= d1;
  end
  assign out_valid = v[2];
  assign out_data = d2;
endmodule
`

// axisBench offers a new word on most cycles, checks that the wrapper
// takes one at most every II cycles and never sooner, and that every
// result comes back in order.
const axisBench = `
module tb;
  parameter II = 1;
  reg clk = 0, aresetn = 0;
  reg [15:0] s_data = 0;
  reg s_valid = 0;
  wire s_ready;
  wire [7:0] m_data;
  wire m_valid, m_last;
  reg [7:0] lfsr = 8'h5a;
  integer cycle = 0, accepted = 0, received = 0, last_accept = -100, errors = 0;
  reg [4:0] expect_q [0:1023];

  jet_mlp_axis dut (.aclk(clk), .aresetn(aresetn), .s_axis_tdata(s_data),
    .s_axis_tvalid(s_valid), .s_axis_tready(s_ready), .m_axis_tdata(m_data),
    .m_axis_tvalid(m_valid), .m_axis_tlast(m_last), .m_axis_tready(1'b1));

  always #1 clk = ~clk;
  always @(posedge clk) begin
    cycle <= cycle + 1;
    if (cycle == 3) aresetn <= 1;
    lfsr <= {lfsr[6:0], lfsr[7] ^ lfsr[5] ^ lfsr[4] ^ lfsr[3]};
    if (s_valid && s_ready) begin
      if (cycle - last_accept < II) begin
        $display("FAIL accepted at cycle %0d, %0d after the previous", cycle, cycle - last_accept);
        errors = errors + 1;
      end
      expect_q[accepted] = s_data[4:0] + 5'd1;
      accepted = accepted + 1;
      last_accept = cycle;
    end
    if (aresetn && (!s_valid || s_ready)) begin
      s_valid <= lfsr[0] | lfsr[1];
      s_data <= {lfsr, lfsr} ^ cycle;
    end
    if (m_valid) begin
      if (m_data !== {3'b0, expect_q[received]} || !m_last) begin
        $display("FAIL result %0d: got %h want %h", received, m_data, expect_q[received]);
        errors = errors + 1;
      end
      received = received + 1;
    end
    if (cycle == 400) begin
      if (accepted < 400 / II / 3 || received + 4 < accepted) errors = errors + 1;
      $display("RESULT accepted=%0d received=%0d errors=%0d", accepted, received, errors);
      $finish;
    end
  end
endmodule
`

// TestAXISWrapper simulates the wrapper around a stand-in core at II 1
// and II 3.
func TestAXISWrapper(t *testing.T) {
	paths := tools.Require(t, "iverilog", "vvp")
	for _, ii := range []int{1, 3} {
		t.Run(fmt.Sprintf("ii%d", ii), func(t *testing.T) {
			p := project("jet_mlp", "verilog", ii)
			dir := t.TempDir()
			if err := Write(dir, p); err != nil {
				t.Fatal(err)
			}
			core := filepath.Join(dir, "core.v")
			bench := filepath.Join(dir, "tb.v")
			os.WriteFile(core, []byte(fakeCore), 0o644)
			os.WriteFile(bench, []byte(axisBench), 0o644)
			sim := filepath.Join(dir, "sim.vvp")
			out, err := exec.Command(paths[0], "-g2012", "-Ptb.II="+fmt.Sprint(ii), "-o", sim,
				bench, core, filepath.Join(dir, AXISFile(p.Top))).CombinedOutput()
			if err != nil {
				t.Fatalf("iverilog: %v\n%s", err, out)
			}
			out, err = exec.Command(paths[1], "-n", sim).CombinedOutput()
			if err != nil {
				t.Fatalf("vvp: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), "errors=0") || strings.Contains(string(out), "FAIL") {
				t.Errorf("simulation failed:\n%s", out)
			}
		})
	}
}

// TestAXISWrapperLint runs Verilator's linter on the wrapper.
func TestAXISWrapperLint(t *testing.T) {
	paths := tools.Require(t, "verilator")
	for _, ii := range []int{1, 4} {
		p := project("jet_mlp", "verilog", ii)
		p.InWidth, p.OutWidth = 16, 5 // one bus without padding
		dir := t.TempDir()
		if err := Write(dir, p); err != nil {
			t.Fatal(err)
		}
		core := strings.ReplaceAll(fakeCore, "[12:0] in_data", "[15:0] in_data")
		os.WriteFile(filepath.Join(dir, "jet_mlp.v"), []byte(core), 0o644)
		out, err := exec.Command(paths[0], "--lint-only", "-Wall", "--top-module", "jet_mlp_axis",
			filepath.Join(dir, AXISFile(p.Top)), filepath.Join(dir, "jet_mlp.v")).CombinedOutput()
		if err != nil {
			t.Errorf("II %d: verilator --lint-only: %v\n%s", ii, err, out)
		}
	}
}
