package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"kd2fpga/handoff"
	"kd2fpga/internal/tools"
	"kd2fpga/models"
	kdreport "kd2fpga/report" // simulate.go declares report
	"kd2fpga/sim"
)

func reportCommand() *cli.Command {
	return &cli.Command{
		Name:  "report",
		Usage: "latency, budget check and resources of a converted design",
		UsageText: "kd2fpga report DIR [--json] [--html FILE] [--synth yosys] [--vivado PATH]\n" +
			"   [--hls FILE] [--scan-reuse 1,2,4,8] [--handoff [--rtl vhdl|verilog] [--axis]]",
		Description: "Report reads the project folder DIR that convert wrote, rebuilds the design\n" +
			"from its copy of the model, and prints the latency in cycles and ns at the\n" +
			"target clock, the II and throughput, the latency budget check, and the\n" +
			"resources per layer (an analytic estimate) with their share of the part.\n" +
			"Beside the estimate it shows Yosys' figures (--synth yosys), Vivado's\n" +
			"(DIR/reports/*.rpt, written by vivado/build.tcl, or --vivado PATH) and\n" +
			"Vitis HLS's (csynth.xml under DIR/hls, or --hls FILE). docs/reports.md\n" +
			"explains every figure.\n\n" +
			"Example:\n\n" +
			"   kd2fpga report build/jet_mlp --synth yosys --html build/jet_mlp.html",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print the report as JSON"},
			&cli.StringFlag{Name: "html",
				Usage: "write a self-contained HTML page to `FILE`"},
			&cli.StringFlag{Name: "synth",
				Usage: "synthesize with `TOOL` (yosys) for figures beside the estimate"},
			&cli.StringFlag{Name: "vivado", Usage: "folder (`PATH`) holding utilization.rpt " +
				"and timing_summary.rpt (default: DIR/reports when present)"},
			&cli.StringFlag{Name: "hls",
				Usage: "Vitis HLS csynth.xml `FILE` (default: found under DIR/hls)"},
			&cli.StringFlag{Name: "scan-reuse", Usage: "convert again at each reuse factor " +
				"of `LIST` (such as 1,2,4,8) and tabulate"},
			&cli.BoolFlag{Name: "handoff", Usage: "write the vivado/ scripts, the " +
				"AXI-Stream wrapper and the FuseSoC core into DIR again (convert writes " +
				"them for VHDL and the bare core)"},
			&cli.StringFlag{Name: "rtl", Value: "vhdl",
				Usage: "default language of the handoff scripts: vhdl or verilog"},
			&cli.BoolFlag{Name: "axis",
				Usage: "make package_ip.tcl package the AXI-Stream wrapper by default"},
		},
		Action: func(c *cli.Context) error {
			args, err := trailingFlags(c)
			if err != nil {
				return fmt.Errorf("report: %w", err)
			}
			if len(args) != 1 {
				return fmt.Errorf("report: want one project folder, got %d arguments", len(args))
			}
			cfg := reportConfig{
				Dir:     args[0],
				Synth:   c.String("synth"),
				Vivado:  c.String("vivado"),
				HLS:     c.String("hls"),
				JSON:    c.Bool("json"),
				HTML:    c.String("html"),
				Handoff: c.Bool("handoff"),
				RTL:     c.String("rtl"),
				AXIS:    c.Bool("axis"),
			}
			if s := c.String("scan-reuse"); s != "" {
				r, err := parseReuseList(s)
				if err != nil {
					return fmt.Errorf("report: --scan-reuse: %w", err)
				}
				cfg.Scan = r
			}
			return runReport(c.Context, c.App.Writer, c.App.ErrWriter, cfg)
		},
	}
}

// reportConfig is what report is asked to do.
type reportConfig struct {
	Dir           string
	Synth         string // "" or "yosys"
	Vivado, HLS   string // explicit report locations; "" looks in Dir
	JSON          bool
	HTML          string
	Scan          []int
	Handoff, AXIS bool
	RTL           string
}

// parseReuseList reads "1,2,4,8".
func parseReuseList(s string) ([]int, error) {
	var rs []int
	for _, f := range strings.Split(s, ",") {
		r, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || r < 1 {
			return nil, fmt.Errorf("%q is not a reuse factor (a whole number from 1)", f)
		}
		rs = append(rs, r)
	}
	return rs, nil
}

// runReport builds the report of cfg.Dir and writes it.
func runReport(ctx context.Context, stdout, stderr io.Writer, cfg reportConfig) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if cfg.Synth != "" && cfg.Synth != "yosys" {
		return fmt.Errorf("report: --synth %q: the only synthesis tool kd2fpga runs is yosys",
			cfg.Synth)
	}
	if cfg.Synth == "yosys" {
		// before any work, and before the progress line
		if _, err := tools.Find("yosys"); err != nil {
			return fmt.Errorf("report: --synth yosys: %w", err)
		}
	}
	if cfg.Handoff && cfg.RTL != "vhdl" && cfg.RTL != "verilog" {
		return fmt.Errorf("report: --rtl %q, want vhdl or verilog", cfg.RTL)
	}
	s, err := sim.ReadSummary(cfg.Dir)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}

	// the design and the figures of the tools
	r, err := projectReport(ctx, stderr, cfg.Dir, s, cfg.Synth == "yosys")
	if err != nil {
		return err
	}
	if err := addVivado(r, cfg.Dir, cfg.Vivado); err != nil {
		return err
	}
	if err := addHLS(r, cfg.Dir, cfg.HLS); err != nil {
		return err
	}
	if len(cfg.Scan) > 0 {
		rows, err := scanReuse(ctx, stderr, filepath.Join(cfg.Dir, s.Model), s, cfg)
		if err != nil {
			return err
		}
		r.Scan = rows
	}
	if cfg.Handoff {
		p := handoff.FromSummary(s, cfg.RTL)
		p.AXIS = cfg.AXIS
		if err := handoff.Write(cfg.Dir, p); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		fmt.Fprintf(stderr, "wrote %s\n", strings.Join(handoff.Files(p), ", "))
	}

	// the outputs
	if cfg.HTML != "" {
		if err := writeFileAtomic(cfg.HTML, func(w io.Writer) error {
			return kdreport.WriteHTML(w, r)
		}); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	if cfg.JSON {
		return kdreport.WriteJSON(stdout, r)
	}
	return kdreport.WriteText(stdout, r)
}

// projectReport rebuilds the design of the project folder dir from its
// copy of the model, checks that it still schedules as the summary says,
// and reports on it, with Yosys' figures when synth is set.
func projectReport(ctx context.Context, stderr io.Writer, dir string, s *sim.Summary,
	synth bool) (*kdreport.Report, error) {
	t := s.Target
	d, err := buildDesign(filepath.Join(dir, s.Model), models.Target{Part: t.Part,
		ClockNs: t.ClockNs, Reuse: t.Reuse, Strategy: t.Strategy, Particles: t.Particles})
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if d.net.Latency() != s.Latency || d.net.II() != s.II {
		return nil, fmt.Errorf("report: %s: %s says latency %d and II %d, the model now "+
			"schedules to %d and %d: run convert again", dir, sim.SummaryFile, s.Latency, s.II,
			d.net.Latency(), d.net.II())
	}
	mt := d.model.Target
	r := kdreport.New(kdreport.Info{
		Name: s.Name, Top: s.Top, Part: mt.Part, ClockNs: mt.ClockNs,
		BudgetNs: mt.LatencyBudgetNs, Reuse: mt.Reuse, Strategy: mt.Strategy,
	}, d.plan, d.net)

	if synth {
		if len(s.Files.Verilog) == 0 {
			return nil, fmt.Errorf("report: %s lists no Verilog sources to synthesize",
				sim.SummaryFile)
		}
		var srcs []string
		for _, f := range s.Files.Verilog {
			srcs = append(srcs, filepath.Join(dir, filepath.FromSlash(f)))
		}
		fmt.Fprintf(stderr, "synthesizing %s with Yosys (large designs take minutes)\n", s.Top)
		y, err := kdreport.Synthesize(ctx, srcs[len(srcs)-1], s.Top,
			kdreport.SynthOptions{Sources: srcs[:len(srcs)-1]})
		if err != nil {
			return nil, err
		}
		r.AddYosys(y)
	}
	return r, nil
}

// addVivado reads Vivado's reports from path, or from dir/reports when
// path is empty and they are there.
func addVivado(r *kdreport.Report, dir, path string) error {
	explicit := path != ""
	if !explicit {
		path = filepath.Join(dir, filepath.Dir(filepath.FromSlash(handoff.UtilizationReport)))
	}
	util := filepath.Join(path, filepath.Base(handoff.UtilizationReport))
	timing := filepath.Join(path, filepath.Base(handoff.TimingReport))
	u, err := readReport(util, kdreport.ParseUtilization)
	if err != nil {
		return err
	}
	tm, err := readReport(timing, kdreport.ParseTimingSummary)
	if err != nil {
		return err
	}
	switch {
	case u == nil && tm == nil && explicit:
		return fmt.Errorf("report: --vivado %s: neither %s nor %s is there", path,
			filepath.Base(util), filepath.Base(timing))
	case u == nil && tm == nil:
		return nil
	}
	r.AddVivado(u, tm)
	return nil
}

// addHLS reads Vitis HLS's csynth.xml from path, or from the first one
// found under dir/hls when path is empty.
func addHLS(r *kdreport.Report, dir, path string) error {
	if path == "" {
		found, _ := filepath.Glob(filepath.Join(dir, "hls", "*", "*", "syn", "report", "csynth.xml"))
		if len(found) == 0 {
			return nil
		}
		sort.Strings(found)
		path = found[0]
	}
	h, err := readReport(path, kdreport.ParseCsynth)
	if err != nil {
		return err
	}
	if h == nil {
		return fmt.Errorf("report: --hls %s: no such file", path)
	}
	r.AddHLS(h)
	return nil
}

// readReport parses the file at path with parse; a missing file gives
// nil and no error.
func readReport[T any](path string, parse func(string, io.Reader) (*T, error)) (*T, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	defer f.Close()
	v, err := parse(path, f)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return v, nil
}

// scanReuse converts the model at each reuse factor of cfg.Scan into a
// temporary folder and reports on each.
func scanReuse(ctx context.Context, stderr io.Writer, model string, s *sim.Summary,
	cfg reportConfig) ([]kdreport.ScanRow, error) {
	tmp, err := os.MkdirTemp("", "kd2fpga-scan-")
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	defer os.RemoveAll(tmp)

	var rows []kdreport.ScanRow
	for _, reuse := range cfg.Scan {
		out := filepath.Join(tmp, fmt.Sprintf("reuse%d", reuse))
		t := s.Target
		_, err := convert(convertConfig{Model: model, Out: out, Vectors: 1, Seed: 1,
			Target: models.Target{Part: t.Part, ClockNs: t.ClockNs, Reuse: reuse,
				Strategy: t.Strategy, Particles: t.Particles}})
		if err != nil {
			return nil, fmt.Errorf("report: reuse %d: %w", reuse, err)
		}
		ss, err := sim.ReadSummary(out)
		if err != nil {
			return nil, fmt.Errorf("report: reuse %d: %w", reuse, err)
		}
		r, err := projectReport(ctx, stderr, out, ss, cfg.Synth == "yosys")
		if err != nil {
			return nil, fmt.Errorf("report: reuse %d: %w", reuse, err)
		}
		rows = append(rows, r.Row())
	}
	return rows, nil
}

// writeFileAtomic writes a file through fill, replacing path only when
// fill succeeds.
func writeFileAtomic(path string, fill func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := fill(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	os.Chmod(f.Name(), 0o644)
	return os.Rename(f.Name(), path)
}
