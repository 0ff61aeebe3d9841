package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"kd2fpga/distill"
	"kd2fpga/jets"
	"kd2fpga/metrics"
	"kd2fpga/models"
)

// isJets reports whether the .npz file at path holds jets (an array p4)
// rather than model inputs x.
func isJets(path string) bool {
	if !strings.HasSuffix(path, ".npz") {
		return false
	}
	arrays, err := models.OpenArrays(path)
	if err != nil {
		return false
	}
	names := arrays.Names()
	return slices.Contains(names, "p4") && !slices.Contains(names, "x")
}

// boostedJets reads jets and boosts them along x with speed beta.
func boostedJets(path string, beta float64) (*jets.Sample, error) {
	s, err := readJets(path)
	if err != nil {
		return nil, err
	}
	if beta == 0 {
		return s, nil
	}
	b, err := s.Boost(beta)
	if err != nil {
		return nil, fmt.Errorf("--boost-beta %v: %w", beta, err)
	}
	return b, nil
}

// jetInputs returns the inputs of model m computed from the jets at path,
// boosted along x with speed beta, and their labels.
func jetInputs(path string, m *models.Model, beta float64) (*distill.Data, error) {
	s, err := boostedJets(path, beta)
	if err != nil {
		return nil, err
	}
	d, err := distill.JetData(m, s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// scanReport is the JSON form of a boost scan.
type scanReport struct {
	Data   string      `json:"data"`
	Jets   int         `json:"jets"`
	Models []scanModel `json:"models"`
}

// scanModel is one model's curve.
type scanModel struct {
	Model  string      `json:"model"`
	Points []scanPoint `json:"points"`
}

// scanPoint is one model at one boost.
type scanPoint struct {
	Beta  float64 `json:"beta"`
	Float *scores `json:"float"`
	Fixed *scores `json:"fixed"`
}

// scoresOf converts a summary for the reports.
func scoresOf(s *metrics.Summary) *scores {
	sc := &scores{Accuracy: s.Accuracy, AUC: s.AUC}
	if len(s.Rejection) == 2 {
		r30, r50 := number(s.Rejection[0]), number(s.Rejection[1])
		sc.Rejection30, sc.Rejection50 = &r30, &r50
	}
	return sc
}

// runBoostScan is evaluate --boost-scan.
func runBoostScan(c *cli.Context, paths []string, data string) error {
	if c.IsSet("boost-beta") {
		return fmt.Errorf("evaluate: --boost-beta and --boost-scan exclude each other")
	}
	if !isJets(data) {
		return fmt.Errorf("evaluate: --boost-scan needs jets (p4 and y, as kd2fpga jets writes), "+
			"and %s holds none", data)
	}
	betas := distill.ScanBetas()
	if c.IsSet("betas") {
		betas = nil
		for _, f := range strings.Split(c.String("betas"), ",") {
			b, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil || !(b > -1 && b < 1) {
				return fmt.Errorf("evaluate: --betas %q: want speeds in (-1, 1) separated by commas",
					c.String("betas"))
			}
			betas = append(betas, b)
		}
	}
	var ms []*models.Model
	for _, path := range paths {
		m, err := models.Load(path)
		if err != nil {
			return err
		}
		if _, err := distill.FeatureSpec(m); err != nil {
			return fmt.Errorf("evaluate: %s: %w", path, err)
		}
		ms = append(ms, m)
	}
	s, err := readJets(data)
	if err != nil {
		return fmt.Errorf("evaluate: %w", err)
	}
	scans, err := distill.BoostScan(ms, s, betas, c.Int("workers"))
	if err != nil {
		return fmt.Errorf("evaluate: %w", err)
	}
	if plot := c.String("plot"); plot != "" {
		if err := distill.PlotBoostScan(scans, nil, plot); err != nil {
			return fmt.Errorf("evaluate: %w", err)
		}
	}

	r := scanReport{Data: data, Jets: s.N}
	for _, sc := range scans {
		sm := scanModel{Model: sc.Model}
		for _, pt := range sc.Points {
			sm.Points = append(sm.Points, scanPoint{Beta: pt.Beta, Float: scoresOf(pt.Float),
				Fixed: scoresOf(pt.Fixed)})
		}
		r.Models = append(r.Models, sm)
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, r)
	}
	r.print(c.App.Writer)
	return nil
}

// print writes the scan as a table, one line per model and boost.
func (r *scanReport) print(w io.Writer) {
	fmt.Fprintf(w, "boost scan along x on %s: %d jets\n\n", r.Data, r.Jets)
	fmt.Fprintf(w, "%-20s %5s  %-31s  %-31s\n", "", "", "float", "fixed point")
	fmt.Fprintf(w, "%-20s %5s  %7s %7s %7s %7s  %7s %7s %7s %7s\n", "model", "beta",
		"acc", "AUC", "R30", "R50", "acc", "AUC", "R30", "R50")
	for _, m := range r.Models {
		for _, pt := range m.Points {
			fmt.Fprintf(w, "%-20s %5.2f  %7.4f %7.4f %7s %7s  %7.4f %7.4f %7s %7s\n", m.Model, pt.Beta,
				pt.Float.Accuracy, pt.Float.AUC, rejection(pt.Float.Rejection30),
				rejection(pt.Float.Rejection50), pt.Fixed.Accuracy, pt.Fixed.AUC,
				rejection(pt.Fixed.Rejection30), rejection(pt.Fixed.Rejection50))
		}
	}
}
