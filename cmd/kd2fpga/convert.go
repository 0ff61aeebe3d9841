package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"kd2fpga/hlsgen"
	"kd2fpga/hlsgen/netlist"
	"kd2fpga/models"
	"kd2fpga/quantize"
)

// defaultVectors is the number of test vectors convert writes.
const defaultVectors = 1000

func convertCommand() *cli.Command {
	return &cli.Command{
		Name:      "convert",
		Usage:     "write the firmware project of a model: HLS C++, VHDL, Verilog, testbenches",
		UsageText: "kd2fpga convert --model M.hcl --out DIR [options]",
		Description: "Convert loads the model, makes every numeric decision (quantize), lowers and\n" +
			"pipelines the design for the target clock, and writes the project folder\n" +
			"described in docs/firmware.md: hls/, vhdl/, verilog/, tb/ (testbenches and\n" +
			"the emulator's test vectors), model/ (a copy of the model), README.md,\n" +
			"kd2fpga.json, and the handoff to Vivado and FuseSoC (vivado/, the AXI-Stream\n" +
			"wrapper, <top>.core; docs/reports.md). The flags override the model file's\n" +
			"target block.\n\n" +
			"Example:\n\n" +
			"   kd2fpga convert --model models/examples/jet_mlp/model.hcl --out build/jet_mlp\n" +
			"   kd2fpga simulate build/jet_mlp --sim all",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "model", Usage: "the model file (`M.hcl`)", Required: true},
			&cli.StringFlag{Name: "out", Usage: "the project folder to write (`DIR`)", Required: true},
			&cli.BoolFlag{Name: "force", Usage: "replace DIR if it exists"},
			&cli.StringFlag{Name: "part", Usage: "FPGA `part` (default: the model's target)"},
			&cli.Float64Flag{Name: "clock-ns", Usage: "clock period in `ns` to pipeline for"},
			&cli.Float64Flag{Name: "latency-budget-ns", Usage: "latency budget in `ns` that report checks"},
			&cli.IntFlag{Name: "reuse", Usage: "reuse factor `R` of the layers that set none (1: II 1)"},
			&cli.StringFlag{Name: "strategy", Usage: "HLS strategy: latency or resource"},
			&cli.StringFlag{Name: "particles", Usage: "per-particle network: replicate or share"},
			&cli.IntFlag{Name: "vectors", Usage: "number of test vectors", Value: defaultVectors},
			&cli.Uint64Flag{Name: "seed", Usage: "seed of the random test vectors", Value: 1},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return fmt.Errorf("convert: unexpected argument %q (the model is given with --model)",
					c.Args().First())
			}
			cfg := convertConfig{
				Model:   c.String("model"),
				Out:     c.String("out"),
				Force:   c.Bool("force"),
				Vectors: c.Int("vectors"),
				Seed:    c.Uint64("seed"),
			}
			if c.IsSet("part") {
				cfg.Target.Part = c.String("part")
			}
			if c.IsSet("clock-ns") {
				cfg.Target.ClockNs = c.Float64("clock-ns")
			}
			if c.IsSet("latency-budget-ns") {
				cfg.Target.LatencyBudgetNs = c.Float64("latency-budget-ns")
			}
			if c.IsSet("reuse") {
				cfg.Target.Reuse = c.Int("reuse")
			}
			if c.IsSet("strategy") {
				cfg.Target.Strategy = c.String("strategy")
			}
			if c.IsSet("particles") {
				cfg.Target.Particles = c.String("particles")
			}
			p, err := convert(cfg)
			if err != nil {
				return err
			}
			printProject(c.App.Writer, cfg.Out, p)
			return nil
		},
	}
}

// convertConfig is what convert is asked to do.
type convertConfig struct {
	Model, Out string
	Force      bool
	// Target holds the overrides of the model's target; zero fields keep
	// the model's values.
	Target  models.Target
	Vectors int
	Seed    uint64
}

// overrideTarget applies the set fields of o to t and checks the result.
func overrideTarget(t *models.Target, o models.Target) error {
	if o.Part != "" {
		t.Part = o.Part
	}
	if o.ClockNs != 0 {
		t.ClockNs = o.ClockNs
	}
	if o.LatencyBudgetNs != 0 {
		t.LatencyBudgetNs = o.LatencyBudgetNs
	}
	if o.Reuse != 0 {
		t.Reuse = o.Reuse
	}
	if o.Strategy != "" {
		t.Strategy = o.Strategy
	}
	if o.Particles != "" {
		t.Particles = o.Particles
	}

	var errs []error
	if t.ClockNs <= 0 {
		errs = append(errs, fmt.Errorf("clock period %g ns, want more than 0", t.ClockNs))
	}
	if t.LatencyBudgetNs < 0 {
		errs = append(errs, fmt.Errorf("latency budget %g ns, want 0 (none) or more", t.LatencyBudgetNs))
	}
	if t.Reuse < 1 {
		errs = append(errs, fmt.Errorf("reuse factor %d, want 1 or more", t.Reuse))
	}
	if t.Strategy != "latency" && t.Strategy != "resource" {
		errs = append(errs, fmt.Errorf("strategy %q, want latency or resource", t.Strategy))
	}
	if t.Particles != "" && t.Particles != "replicate" && t.Particles != "share" {
		errs = append(errs, fmt.Errorf("particles %q, want replicate or share", t.Particles))
	}
	return errors.Join(errs...)
}

// design is a model carried through the flow: the plan, the scheduled
// netlist and the name of the top entity.
type design struct {
	model *models.Model
	plan  *quantize.Plan
	net   *netlist.Netlist
	top   string
}

// buildDesign loads the model, applies the target overrides, quantizes,
// lowers and schedules it.
func buildDesign(path string, target models.Target) (*design, error) {
	m, err := models.Load(path)
	if err != nil {
		return nil, err
	}
	if err := overrideTarget(&m.Target, target); err != nil {
		return nil, fmt.Errorf("%s: target: %w", path, err)
	}
	p, err := quantize.Build(m)
	if err != nil {
		return nil, err
	}
	n, err := netlist.Build(p, netlist.Options{ClockNs: m.Target.ClockNs})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &design{model: m, plan: p, net: n, top: hlsgen.Identifier(m.Name, nil)}, nil
}

// convert writes the project folder of cfg.Model to cfg.Out. The folder
// is built next to cfg.Out under a temporary name and renamed into place
// only when complete, so that a failure leaves no partial folder; an
// existing folder is replaced only with cfg.Force.
func convert(cfg convertConfig) (*project, error) {
	if cfg.Vectors < 1 {
		return nil, fmt.Errorf("convert: %d vectors, want at least 1", cfg.Vectors)
	}
	out := filepath.Clean(cfg.Out)

	// refuse to overwrite before doing any work
	if err := checkOut(out, cfg.Force); err != nil {
		return nil, fmt.Errorf("convert: %w", err)
	}

	// the design
	d, err := buildDesign(cfg.Model, cfg.Target)
	if err != nil {
		return nil, err
	}

	// the folder
	var p *project
	err = writeDir(out, func(tmp string) error {
		var err error
		p, err = writeProject(tmp, d, cfg)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("convert: %w", err)
	}
	p.description = strings.TrimSpace(d.model.Description)
	p.budgetNs = d.model.Target.LatencyBudgetNs
	return p, nil
}

// checkOut refuses an output folder that is a file, or that exists and
// is not empty unless force is set: --force replaces a folder, never a
// file.
func checkOut(out string, force bool) error {
	if st, err := os.Stat(out); err == nil && !st.IsDir() {
		return fmt.Errorf("%s exists and is not a folder", out)
	}
	if force {
		return nil
	}
	entries, err := os.ReadDir(out)
	switch {
	case err == nil && len(entries) > 0:
		return fmt.Errorf("%s exists and is not empty (use --force to replace it)", out)
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return err
	}
	return nil
}

// writeDir writes the folder out with fill, which is given a temporary
// folder beside out to fill; it is renamed into place only when fill
// succeeds, so that a failure leaves no partial folder, and an old out
// goes only once the new one is there.
func writeDir(out string, fill func(tmp string) error) error {
	out = filepath.Clean(out)
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".tmp-")
	if err != nil {
		return err
	}
	if err := fill(tmp); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	os.Chmod(tmp, 0o755)
	if err := replaceDir(tmp, out); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	return nil
}

// replaceDir renames the folder tmp to out, replacing out if it exists.
func replaceDir(tmp, out string) error {
	if _, err := os.Lstat(out); errors.Is(err, os.ErrNotExist) {
		return os.Rename(tmp, out)
	}
	old := tmp + ".old"
	if err := os.Rename(out, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Rename(old, out)
		return err
	}
	return os.RemoveAll(old)
}

// printProject tells what convert wrote.
func printProject(w io.Writer, dir string, p *project) {
	s := p.summary
	fmt.Fprintf(w, "wrote %s: %s\n", dir, strings.Join(p.files, ", "))
	fmt.Fprintf(w, "  top %s, latency %d cycles (%g ns at %g ns), II %d\n",
		s.Top, s.Latency, s.LatencyNs, s.Target.ClockNs, s.II)
	fmt.Fprintf(w, "  in_data %d bits, out_data %d bits, %d test vectors\n",
		s.Input.Width, s.Output.Width, s.Vectors.Count)
	switch {
	case p.budgetNs == 0:
	case s.LatencyNs <= p.budgetNs:
		fmt.Fprintf(w, "  latency budget %g ns: met, %.6g ns to spare\n", p.budgetNs, p.budgetNs-s.LatencyNs)
	default:
		fmt.Fprintf(w, "  latency budget %g ns: NOT met, %.6g ns over\n", p.budgetNs, s.LatencyNs-p.budgetNs)
	}
	if p.description != "" {
		// what the model says of itself, such as that its weights are
		// not trained ones
		fmt.Fprint(w, wrapWords("  model: ", p.description, 78, "    "))
	}
}

// wrapWords prints prefix and the words of text in lines of at most
// width columns where it can, the lines after the first opened by
// indent, and ends with a newline.
func wrapWords(prefix, text string, width int, indent string) string {
	var b strings.Builder
	b.WriteString(prefix)
	col := len(prefix)
	for i, word := range strings.Fields(text) {
		switch {
		case i == 0:
		case col+1+len(word) > width:
			b.WriteString("\n" + indent)
			col = len(indent)
		default:
			b.WriteByte(' ')
			col++
		}
		b.WriteString(word)
		col += len(word)
	}
	b.WriteByte('\n')
	return b.String()
}
