package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"kd2fpga/jets"
)

// jetsCommand returns the "jets" command, which generates a toy sample of
// top and QCD jets in the layout of the top-tagging reference dataset.
func jetsCommand() *cli.Command {
	def := jets.DefaultConfig()
	return &cli.Command{
		Name:  "jets",
		Usage: "generate toy boosted top and QCD jets as .npz (reference-dataset layout)",
		UsageText: "kd2fpga jets --out FILE [--n N] [--seed S] [--top-fraction F]\n" +
			"                 [--boost-beta B] [--plot PNG] [--workers W]\n\n" +
			"Example:\n" +
			"   kd2fpga jets --n 100000 --seed 1 --out jets.npz --plot physics.png",
		Description: "Generates N jets with pT 550-650 GeV, |eta| < 2 and radius 0.8, half\n" +
			"of them hadronic top decays and half QCD jets, from a documented toy\n" +
			"parton shower (docs/jets.md). The .npz holds p4 [N, 200, 4] with\n" +
			"(E, px, py, pz) of the constituents, hardest first and zero-padded,\n" +
			"y [N] (1 = top, 0 = QCD) and n [N] (constituent counts). The same seed\n" +
			"gives the same file. --boost-beta boosts every constituent along x,\n" +
			"as in the robustness study; --plot draws the jet-mass and tau32\n" +
			"distributions. Files are written whole or not at all.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "output `FILE` (.npz)", Required: true},
			&cli.IntFlag{Name: "n", Value: def.N, Usage: "number of jets"},
			&cli.Uint64Flag{Name: "seed", Value: def.Seed, Usage: "master random seed"},
			&cli.Float64Flag{Name: "top-fraction", Value: def.TopFraction,
				Usage: "fraction of top jets"},
			&cli.Float64Flag{Name: "boost-beta", Usage: "boost every constituent along x " +
				"with speed `B` (|B| < 1)"},
			&cli.StringFlag{Name: "plot", Usage: "also write the physics plot to `PNG`"},
			&cli.IntFlag{Name: "workers", Usage: "goroutines (0: one per CPU); " +
				"the sample does not depend on it"},
		},
		Action: runJets,
	}
}

// runJets generates, optionally boosts, writes and plots a sample.
func runJets(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("jets: unexpected argument %q", c.Args().First())
	}
	cfg := jets.DefaultConfig()
	cfg.N = c.Int("n")
	cfg.Seed = c.Uint64("seed")
	cfg.TopFraction = c.Float64("top-fraction")
	cfg.Workers = c.Int("workers")
	beta := c.Float64("boost-beta")
	if !(beta > -1 && beta < 1) {
		return fmt.Errorf("jets: --boost-beta %v: must be in (-1, 1)", beta)
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	out, plot := c.String("out"), c.String("plot")
	for _, path := range []string{out, plot} {
		if path == "" {
			continue
		}
		// fail before the work, not after
		if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
			return fmt.Errorf("jets: %s: directory %s does not exist", path, filepath.Dir(path))
		}
	}

	// generate and boost
	start := time.Now()
	s, err := jets.Generate(cfg)
	if err != nil {
		return err
	}
	if beta != 0 {
		if s, err = s.Boost(beta); err != nil {
			return err
		}
	}

	// write
	if err := jets.WriteNPZ(out, s); err != nil {
		return err
	}
	if plot != "" {
		if err := jets.PlotPhysics(s, plot); err != nil {
			return err
		}
	}

	// one line of summary
	var tops, nTop, nQCD int
	for i, l := range s.Labels {
		if l == 1 {
			tops++
			nTop += s.Counts[i]
		} else {
			nQCD += s.Counts[i]
		}
	}
	mean := func(sum, n int) float64 {
		if n == 0 {
			return 0
		}
		return float64(sum) / float64(n)
	}
	fmt.Fprintf(c.App.Writer, "jets: wrote %d jets (%d top, %d QCD; mean constituents "+
		"%.1f top, %.1f QCD; boost beta %g) to %s in %.2fs\n", s.N, tops, s.N-tops,
		mean(nTop, tops), mean(nQCD, s.N-tops), beta, out, time.Since(start).Seconds())
	return nil
}
