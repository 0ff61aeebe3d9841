package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"kd2fpga/internal/tools"
	"kd2fpga/models"
	"kd2fpga/quantize"
	"kd2fpga/sim"
	"kd2fpga/testbench"
)

func simulateCommand() *cli.Command {
	return &cli.Command{
		Name:  "simulate",
		Usage: "run a project's testbenches in GHDL, Verilator, Icarus Verilog or the HLS C simulation",
		UsageText: "kd2fpga simulate DIR [--sim ghdl|verilator|iverilog|csim|all] [--vectors N]\n" +
			"                 [--input X.npy] [--seed S]",
		Description: "Simulate runs the testbenches of a folder written by kd2fpga convert and checks\n" +
			"that every output equals the emulator's, bit for bit, and that the measured\n" +
			"latency is the scheduled one. With --vectors, --input or --seed other than\n" +
			"the project's, new vectors are generated from the project's copy of the model\n" +
			"into DIR/sim/vectors (the project's tb/ is left as it is); --input puts the\n" +
			"rows of a .npy file of float inputs [N, shape...] first. Builds go to\n" +
			"DIR/sim/<simulator>. The exit status is non-zero on any mismatch, failure,\n" +
			"latency other than the schedule, or requested simulator that is missing;\n" +
			"--sim all runs what is installed and names what was skipped.\n\n" +
			"Example:\n\n" +
			"   kd2fpga convert --model models/examples/jet_mlp/model.hcl --out build/jet_mlp\n" +
			"   kd2fpga simulate build/jet_mlp --sim ghdl,verilator --vectors 10000",
		ArgsUsage: "DIR",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "sim", Value: "all",
				Usage: "simulators, comma-separated: ghdl, verilator, iverilog, csim or all"},
			&cli.IntFlag{Name: "vectors", Usage: "number of vectors `N` (default: the project's)"},
			&cli.StringFlag{Name: "input", Usage: "`X.npy` of float inputs to simulate first"},
			&cli.Uint64Flag{Name: "seed", Usage: "seed of the random vectors (default: the project's)"},
		},
		Action: func(c *cli.Context) error {
			args, err := trailingFlags(c)
			if err != nil {
				return fmt.Errorf("simulate: %w", err)
			}
			if len(args) != 1 {
				return fmt.Errorf("simulate: want one project folder, got %d arguments", len(args))
			}
			cfg := simulateConfig{
				Dir:      args[0],
				Sims:     c.String("sim"),
				Vectors:  c.Int("vectors"),
				Input:    c.String("input"),
				Seed:     c.Uint64("seed"),
				SeedSet:  c.IsSet("seed"),
				Progress: c.App.ErrWriter,
			}
			return simulate(c.Context, c.App.Writer, cfg)
		},
	}
}

// simulateConfig is what simulate is asked to do.
type simulateConfig struct {
	Dir      string
	Sims     string // comma-separated simulators, or "all"
	Vectors  int    // 0: the project's, or the rows of Input
	Input    string // .npy of user inputs, or ""
	Seed     uint64
	SeedSet  bool
	Progress io.Writer // where the steps are told; nil for silence
}

// outcome is what happened to one simulator.
type outcome struct {
	name    string
	res     *sim.Result
	err     error
	skipped string // why it did not run, or ""
}

// simulate runs the simulators of cfg on the project and prints a table
// of the results to w. It fails if any simulator failed, or if one named
// explicitly could not run.
func simulate(ctx context.Context, w io.Writer, cfg simulateConfig) error {
	if ctx == nil {
		ctx = context.Background()
	}
	names, all, err := parseSims(cfg.Sims)
	if err != nil {
		return err
	}
	sum, err := sim.ReadSummary(cfg.Dir)
	if err != nil {
		return err
	}

	// new vectors when asked for other ones than the project's
	opts := sim.Options{}
	if cfg.Progress != nil {
		opts.Progress = func(s, step string) { fmt.Fprintf(cfg.Progress, "%s: %s\n", s, step) }
	}
	if cfg.Input != "" || (cfg.Vectors != 0 && cfg.Vectors != sum.Vectors.Count) ||
		(cfg.SeedSet && cfg.Seed != sum.Vectors.Seed) {
		if opts.VectorDir, opts.Vectors, err = regenerate(cfg, sum); err != nil {
			return err
		}
	}

	// each simulator in turn
	var outs []outcome
	for _, name := range names {
		o := outcome{name: name}
		if _, err := tools.FindAll(sim.Tools(name)...); err != nil {
			o.skipped = err.Error()
		} else {
			o.res, o.err = sim.Run(ctx, name, cfg.Dir, opts)
			if errors.Is(o.err, sim.ErrSkipped) {
				o.skipped, o.err = o.err.Error(), nil
			}
		}
		outs = append(outs, o)
	}
	return report(w, outs, all)
}

// parseSims reads the --sim list.
func parseSims(list string) (names []string, all bool, err error) {
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		switch {
		case s == "all":
			all = true
		case s == "icarus":
			names = append(names, sim.Icarus)
		case contains(sim.Simulators, s):
			names = append(names, s)
		default:
			return nil, false, fmt.Errorf("simulate: unknown simulator %q (want %s or all)",
				s, strings.Join(sim.Simulators, ", "))
		}
	}
	if all {
		names = sim.Simulators
	}
	return names, all, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// regenerate makes the vectors cfg asks for from the project's model and
// writes them to DIR/sim/vectors; it returns the folder and the count.
func regenerate(cfg simulateConfig, sum *sim.Summary) (string, int, error) {
	m, err := models.Load(filepath.Join(cfg.Dir, filepath.FromSlash(sum.Model)))
	if err != nil {
		return "", 0, fmt.Errorf("simulate: the project's model: %w", err)
	}
	p, err := quantize.Build(m)
	if err != nil {
		return "", 0, fmt.Errorf("simulate: the project's model: %w", err)
	}
	if w := testbench.BusOf(p.Input).Width(); w != sum.Input.Width {
		return "", 0, fmt.Errorf("simulate: the project's model has a %d-bit input, the design %d bits",
			w, sum.Input.Width)
	}

	// the user inputs, the count and the seed
	var extra [][]float64
	if cfg.Input != "" {
		if extra, err = testbench.ReadInputs(cfg.Input, p.Input.Shape); err != nil {
			return "", 0, fmt.Errorf("simulate: %w", err)
		}
	}
	n := cfg.Vectors
	switch {
	case n == 0 && extra != nil:
		n = len(extra)
	case n == 0:
		n = sum.Vectors.Count
	}
	seed := sum.Vectors.Seed
	if cfg.SeedSet {
		seed = cfg.Seed
	}

	dir := filepath.Join(cfg.Dir, "sim", "vectors")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", 0, fmt.Errorf("simulate: %w", err)
	}
	vs := sim.VectorSet{In: "input.hex", Expected: "expected.hex"}
	if err := writeVectors(dir, vs, p, testbench.Generate(p, n, seed, extra)); err != nil {
		return "", 0, fmt.Errorf("simulate: %w", err)
	}
	return dir, n, nil
}

// report prints the table of outcomes and the failures, and returns an
// error when anything failed or a requested simulator did not run.
func report(w io.Writer, outs []outcome, all bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "simulator\tvectors\tmismatches\tlatency\tscheduled\tII\ttime\tstatus")
	ran := 0
	for _, o := range outs {
		switch {
		case o.skipped != "":
			fmt.Fprintf(tw, "%s\t\t\t\t\t\t\tskipped\n", o.name)
		case o.res == nil:
			fmt.Fprintf(tw, "%s\t\t\t\t\t\t\tFAILED\n", o.name)
		default:
			ran++
			r, status := o.res, "ok"
			if o.err != nil {
				status = "FAILED"
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", o.name, r.Vectors, r.Mismatches,
				r.Latency, r.ExpectedLatency, r.II, r.Duration.Round(10*time.Millisecond), status)
		}
	}
	tw.Flush()

	// what went wrong, and what did not run; a simulator that was asked
	// for by name and is missing fails the run, and the error says why
	// and how to install it, so that it stands on its own in one line
	var failed, missing []string
	for _, o := range outs {
		switch {
		case o.err != nil:
			fmt.Fprintf(w, "\n%v\n", o.err)
			if o.res != nil {
				fmt.Fprintf(w, "  log: %s\n", o.res.Log)
			}
			failed = append(failed, o.name)
		case o.skipped != "":
			why := strings.TrimPrefix(o.skipped, o.name+" skipped: ")
			fmt.Fprintf(w, "\n%s skipped: %s\n", o.name, why)
			if !all {
				missing = append(missing, fmt.Sprintf("%s could not run: %s", o.name,
					strings.Join(strings.Fields(strings.ReplaceAll(why, "\n", "; ")), " ")))
			}
		}
	}
	var problems []string
	if len(failed) > 0 {
		problems = append(problems, strings.Join(failed, ", ")+" failed")
	}
	problems = append(problems, missing...)
	// --sim all asks for whatever is installed: with nothing installed
	// that is nothing, said plainly, not a failure (make demo with Go
	// alone); a simulator asked for by name and missing is one
	if ran == 0 && len(problems) == 0 {
		if all {
			fmt.Fprintln(w, "\nnothing was simulated: no simulator is installed (above: how to install them)")
			return nil
		}
		problems = append(problems, "no simulator could run")
	}
	if len(problems) > 0 {
		return fmt.Errorf("simulate: %s", strings.Join(problems, "; "))
	}
	return nil
}
