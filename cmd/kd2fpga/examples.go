package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"kd2fpga/distill"
	"kd2fpga/metrics"
	"kd2fpga/models"
	kdreport "kd2fpga/report"
)

// exampleScale sizes the example recipe: the full one makes the bundled
// students, the small one checks the recipe quickly.
type exampleScale struct {
	Train, Val, Test int // jets
	Epochs           int
	TeacherEpochs    int
	Betas            string // the boost scan's speeds ("" for all of ScanBetas)
}

// The scales of the example recipe.
var (
	fullScale  = exampleScale{Train: 100000, Val: 20000, Test: 40000, Epochs: 20, TeacherEpochs: 8}
	smallScale = exampleScale{Train: 1200, Val: 400, Test: 400, Epochs: 1, TeacherEpochs: 1,
		Betas: "0,0.5,0.9"}
)

// The students of the recipe: a Deep Set and an MLP small enough for a
// Level-1 trigger, each trained without and with distillation, and the
// distilled ones also in float64 (not shipped: they show what
// quantization-aware training buys over quantizing after training).
var exampleStudents = []struct {
	name    string
	shipped bool
	args    []string
}{
	{"deepset_base", true, []string{"--arch", "deepset", "--hidden", "16,16", "--rho", "16"}},
	{"deepset_kd", true, []string{"--arch", "deepset", "--hidden", "16,16", "--rho", "16",
		"--teacher", "{teacher}", "--temperature", "1"}},
	{"mlp_base", true, []string{"--arch", "mlp", "--hidden", "32,16"}},
	{"mlp_kd", true, []string{"--arch", "mlp", "--hidden", "32,16",
		"--teacher", "{teacher}", "--temperature", "1"}},
	{"deepset_kd_float", false, []string{"--arch", "deepset", "--hidden", "16,16", "--rho", "16",
		"--teacher", "{teacher}", "--temperature", "1", "--float"}},
	{"mlp_kd_float", false, []string{"--arch", "mlp", "--hidden", "32,16",
		"--teacher", "{teacher}", "--temperature", "1", "--float"}},
}

// studentDir returns where the recipe writes a student: the examples
// folder for the shipped ones, the work folder for the others.
func studentDir(name string, shipped bool, work, examples string) string {
	if shipped {
		return filepath.Join(examples, name)
	}
	return filepath.Join(work, name)
}

// exampleSteps returns the commands of the recipe, each as kd2fpga
// arguments, at the given scale: jets, the teacher, the students.
func exampleSteps(sc exampleScale, work, examples, teachers string) [][]string {
	data := func(name string) string { return filepath.Join(work, name+".npz") }
	teacher := filepath.Join(teachers, "invariant")
	steps := [][]string{
		{"jets", "--n", strconv.Itoa(sc.Train), "--seed", "1", "--out", data("train")},
		{"jets", "--n", strconv.Itoa(sc.Val), "--seed", "2", "--out", data("val")},
		{"jets", "--n", strconv.Itoa(sc.Test), "--seed", "3", "--out", data("test")},
		{"teacher", "--data", data("train"), "--val", data("val"), "--out", teacher,
			"--hidden", "128,128", "--lr", "0.001", "--epochs", strconv.Itoa(sc.TeacherEpochs),
			"--force"},
	}
	for _, st := range exampleStudents {
		args := []string{"distill", "--data", data("train"), "--val", data("val"),
			"--out", studentDir(st.name, st.shipped, work, examples),
			"--epochs", strconv.Itoa(sc.Epochs), "--force"}
		for _, a := range st.args {
			args = append(args, strings.ReplaceAll(a, "{teacher}", filepath.Join(teacher, "model.hcl")))
		}
		steps = append(steps, args)
	}
	return steps
}

// examplesCommand returns the hidden "examples" command behind
// `make models`: it regenerates the bundled students from scratch and
// writes docs/results.md.
func examplesCommand() *cli.Command {
	return &cli.Command{
		Name:   "examples",
		Hidden: true,
		Usage:  "regenerate the bundled trained students and their results (make models)",
		UsageText: "kd2fpga examples [--work DIR] [--examples DIR] [--teachers DIR] [--results FILE]\n\n" +
			"Example:\n" +
			"   make models",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "work", Value: filepath.Join("build", "models"),
				Usage: "folder for the jets"},
			&cli.StringFlag{Name: "examples", Value: filepath.Join("models", "examples"),
				Usage: "folder of the students"},
			&cli.StringFlag{Name: "teachers", Value: filepath.Join("models", "teachers"),
				Usage: "folder of the teacher"},
			&cli.StringFlag{Name: "results", Value: filepath.Join("docs", "results.md"),
				Usage: "the results page to write (its plot goes beside it)"},
			&cli.BoolFlag{Name: "small", Usage: "a quick, small run of the same recipe"},
			&cli.BoolFlag{Name: "evaluate-only", Usage: "make the jets, but measure the models " +
				"already there instead of training them"},
			&cli.IntFlag{Name: "workers", Usage: "goroutines (0: one per CPU); results do not depend on it"},
		},
		Action: runExamples,
	}
}

// runExamples runs the recipe, then evaluates the teacher and students on
// the test jets and writes the results page.
func runExamples(c *cli.Context) error {
	sc := fullScale
	if c.Bool("small") {
		sc = smallScale
	}
	work, examples, teachers := c.String("work"), c.String("examples"), c.String("teachers")
	for _, dir := range []string{work, examples, teachers} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("examples: %w", err)
		}
	}
	w := c.App.Writer
	workers := strconv.Itoa(c.Int("workers"))
	for _, step := range exampleSteps(sc, work, examples, teachers) {
		if c.Bool("evaluate-only") && step[0] != "jets" {
			continue
		}
		fmt.Fprintf(w, "examples: kd2fpga %s\n", strings.Join(step, " "))
		app := newApp()
		app.Writer, app.ErrWriter = w, c.App.ErrWriter
		args := append(append([]string{"kd2fpga"}, step...), "--workers", workers)
		if err := app.Run(args); err != nil {
			return fmt.Errorf("examples: %s: %w", step[0], err)
		}
	}

	// the results on the test jets
	paths := []string{filepath.Join(teachers, "invariant", "model.hcl")}
	for _, st := range exampleStudents {
		paths = append(paths, filepath.Join(studentDir(st.name, st.shipped, work, examples), "model.hcl"))
	}
	res, err := exampleResults(paths, filepath.Join(work, "test.npz"), sc, c.Int("workers"))
	if err != nil {
		return fmt.Errorf("examples: %w", err)
	}
	out := c.String("results")
	plot := strings.TrimSuffix(out, filepath.Ext(out)) + "_boost.png"
	floatOnly := map[string]bool{}
	for k, m := range res.models {
		floatOnly[m.Name] = !res.firmware(k)
	}
	if err := distill.PlotBoostScan(res.scans, floatOnly, plot); err != nil {
		return fmt.Errorf("examples: %w", err)
	}
	var buf bytes.Buffer
	res.write(&buf, sc, filepath.Base(plot), exampleSteps(sc, work, examples, teachers))
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("examples: %w", err)
	}
	fmt.Fprintf(w, "examples: wrote %s and %s\n", out, plot)
	return nil
}

// exampleCost is what a student's firmware costs.
type exampleCost struct {
	latency, ii int
	ns          float64
	res         kdreport.Resources
}

// exampleResult holds what the results page reports.
type exampleResult struct {
	models []*models.Model
	scans  []distill.Scan // one per model, the first point at beta 0
	costs  []*exampleCost // nil for the teacher
	jets   int
	labels []int // of the test jets
}

// firmware reports whether model k is a quantization-aware student (one
// of the shipped ones), whose fixed-point figures are its firmware's; the
// teacher and the float-trained students are float64 models.
func (r *exampleResult) firmware(k int) bool {
	return k > 0 && exampleStudents[k-1].shipped
}

// exampleResults scores the models on the test jets and their boosts and
// estimates the students' firmware.
func exampleResults(paths []string, test string, sc exampleScale, workers int) (*exampleResult, error) {
	s, err := readJets(test)
	if err != nil {
		return nil, err
	}
	r := &exampleResult{jets: s.N, labels: s.Labels}
	for k, path := range paths {
		m, err := models.Load(path)
		if err != nil {
			return nil, err
		}
		r.models = append(r.models, m)
		if !r.firmware(k) {
			r.costs = append(r.costs, nil)
			continue
		}
		d, err := buildDesign(path, models.Target{})
		if err != nil {
			return nil, err
		}
		e := kdreport.EstimateNetlist(d.net)
		r.costs = append(r.costs, &exampleCost{latency: d.net.Latency(), ii: d.net.II(),
			ns: float64(d.net.Latency()) * d.model.Target.ClockNs, res: e.Total})
	}
	betas := distill.ScanBetas()
	if sc.Betas != "" {
		betas = nil
		for _, f := range strings.Split(sc.Betas, ",") {
			b, _ := strconv.ParseFloat(f, 64)
			betas = append(betas, b)
		}
	}
	if r.scans, err = distill.BoostScan(r.models, s, betas, workers); err != nil {
		return nil, err
	}
	return r, nil
}

// write prints the results page.
func (r *exampleResult) write(w io.Writer, sc exampleScale, plot string, steps [][]string) {
	fmt.Fprint(w, "# Results: the bundled students, with and without distillation\n\n")
	fmt.Fprint(w, "This page is written by `make models` (`kd2fpga examples`), which regenerates\n"+
		"the teacher in `models/teachers/invariant` and the students in\n"+
		"`models/examples/{deepset,mlp}_{base,kd}` from scratch with fixed seeds, then\n"+
		"measures them. Every number below is measured by that run; nothing is\n"+
		"edited by hand. The jets are the toy jets of the `jets` package\n"+
		"(docs/jets.md), not the public top-tagging dataset, so the figures tell how\n"+
		"the method behaves on toy physics, not what it reaches on real jets.\n\n")
	fmt.Fprintf(w, "Training: %d jets, validation %d, test %d (seeds 1, 2, 3); students %d epochs,\n"+
		"teacher %d. The commands, in order:\n\n```\n", sc.Train, sc.Val, sc.Test, sc.Epochs,
		sc.TeacherEpochs)
	for _, st := range steps {
		fmt.Fprintf(w, "kd2fpga %s\n", strings.Join(st, " "))
	}
	fmt.Fprint(w, "```\n\n")

	// the table of the method
	fmt.Fprintf(w, "## Tagging performance on the %d test jets\n\n", r.jets)
	fmt.Fprint(w, "Accuracy, ROC AUC, and background rejection 1/FPR at 30% and 50% signal\n"+
		"efficiency. Students are quantization-aware: their fixed-point row is their\n"+
		"firmware, bit for bit (the golden emulator); the float row runs the same\n"+
		"(already quantized) weights in float64 without the activation casts.\n\n")
	fmt.Fprint(w, "| model | arithmetic | accuracy | AUC | R at 30% | R at 50% |\n")
	fmt.Fprint(w, "| --- | --- | --- | --- | --- | --- |\n")
	for k, m := range r.models {
		p := r.scans[k].Points[0]
		fixed := "fixed point (firmware)"
		if !r.firmware(k) {
			fixed = "fixed point (quantized after training)"
		}
		rows := []struct {
			name string
			s    *metrics.Summary
		}{{"float64", p.Float}, {fixed, p.Fixed}}
		if k == 0 {
			rows = rows[:1]
		}
		for _, row := range rows {
			fmt.Fprintf(w, "| %s | %s | %.4f | %.4f | %s | %s |\n", m.Name, row.name,
				row.s.Accuracy, row.s.AUC, formatRejection(row.s.Rejection[0]),
				formatRejection(row.s.Rejection[1]))
		}
	}
	fmt.Fprint(w, "\nThe `_float` students are the distilled ones trained in float64 (`--float`)\n"+
		"rather than quantization-aware, then quantized to the same types; they are\n"+
		"not shipped. Firmware against float-trained student, in accuracy:\n\n")
	for k := range r.models {
		if !r.firmware(k) {
			continue
		}
		name := r.models[k].Name
		for j, m := range r.models {
			if m.Name != name+"_float" {
				continue
			}
			fw, fl := r.scans[k].Points[0].Fixed, r.scans[j].Points[0]
			fmt.Fprintf(w, "- %s: firmware %.4f, float-trained %.4f in float64 (%+.2f points), "+
				"%.4f once quantized after training (%+.2f points).\n", name, fw.Accuracy,
				fl.Float.Accuracy, 100*(fw.Accuracy-fl.Float.Accuracy), fl.Fixed.Accuracy,
				100*(fw.Accuracy-fl.Fixed.Accuracy))
		}
	}

	// the firmware
	fmt.Fprint(w, "\n## What the firmware costs\n\n")
	fmt.Fprint(w, "Latency and II as scheduled (the simulators measure the same), resources\n"+
		"from the analytic estimate (docs/reports.md; `kd2fpga report --synth yosys`\n"+
		"gives Yosys' figures), at the models' target: xcvu13p, 5 ns clock.\n\n")
	fmt.Fprint(w, "| student | latency | II | LUT | FF | DSP | budget 100 ns |\n")
	fmt.Fprint(w, "| --- | --- | --- | --- | --- | --- | --- |\n")
	for k, m := range r.models {
		c := r.costs[k]
		if !r.firmware(k) {
			continue
		}
		pass := "PASS"
		if c.ns > m.Target.LatencyBudgetNs {
			pass = "FAIL"
		}
		fmt.Fprintf(w, "| %s | %d cycles = %g ns | %d | %d | %d | %d | %s |\n", m.Name, c.latency,
			c.ns, c.ii, c.res.LUT, c.res.FF, c.res.DSP, pass)
	}

	// the boosts
	fmt.Fprintf(w, "\n## Robustness under boosts\n\n")
	fmt.Fprint(w, "Every constituent of the test jets is boosted along x with speed beta and\n"+
		"each model reads its features from the boosted jets. Accuracy, in fixed\n"+
		"point (the firmware) for the shipped students, in float64 for the teacher\n"+
		"and the float-trained students:\n\n")
	fmt.Fprintf(w, "![accuracy, AUC and rejection against beta](%s)\n\n", plot)
	fmt.Fprint(w, "| beta |")
	for _, m := range r.models {
		fmt.Fprintf(w, " %s |", m.Name)
	}
	fmt.Fprint(w, "\n| --- |"+strings.Repeat(" --- |", len(r.models))+"\n")
	for i := range r.scans[0].Points {
		fmt.Fprintf(w, "| %.2f |", r.scans[0].Points[i].Beta)
		for k := range r.models {
			p := r.scans[k].Points[i]
			s := p.Fixed
			if !r.firmware(k) {
				s = p.Float
			}
			fmt.Fprintf(w, " %.4f |", s.Accuracy)
		}
		fmt.Fprintln(w)
	}

	// the answers, computed
	fmt.Fprint(w, "\n## Does distillation help here?\n\n")
	for _, pair := range [][2]int{{1, 2}, {3, 4}} {
		base, kd := r.scans[pair[0]], r.scans[pair[1]]
		b0, k0 := base.Points[0].Fixed, kd.Points[0].Fixed
		fmt.Fprintf(w, "- %s against %s: accuracy %+.2f points, AUC %+.4f, rejection at 30%% "+
			"%s -> %s, at 50%% %s -> %s (%s).", kd.Model, base.Model,
			100*(k0.Accuracy-b0.Accuracy), k0.AUC-b0.AUC, formatRejection(b0.Rejection[0]),
			formatRejection(k0.Rejection[0]), formatRejection(b0.Rejection[1]),
			formatRejection(k0.Rejection[1]), verdict(k0.Rejection[1] > b0.Rejection[1],
				"distillation raised the rejection at 50%",
				"distillation did not raise the rejection at 50%"))
		better, sum, n := 0, 0.0, 0
		for i := 1; i < len(base.Points); i++ {
			d := kd.Points[i].Fixed.Accuracy - base.Points[i].Fixed.Accuracy
			sum += d
			n++
			if d > 0 {
				better++
			}
		}
		if n > 0 {
			fmt.Fprintf(w, " Under boosts (beta > 0) the distilled student is more accurate at "+
				"%d of %d speeds, by %+.2f points on average.", better, n, 100*sum/float64(n))
		}
		fmt.Fprintln(w)
	}
	// how far the test set alone lets these figures move
	acc := r.scans[1].Points[0].Fixed.Accuracy
	bkg := 0
	for _, y := range r.labels {
		if y == 0 {
			bkg++
		}
	}
	r30 := r.scans[1].Points[0].Fixed.Rejection[0]
	fmt.Fprintf(w, "\nHow large a difference means something: on %d test jets an accuracy near "+
		"%.3f has a binomial standard error of %.2f points, and a rejection of %s at 30%% "+
		"efficiency rests on about %.0f of the %d background jets, a relative error of "+
		"about %.0f%%. Each configuration was trained once, from one seed; the spread "+
		"between seeds is not measured here and comes on top.\n", r.jets, acc,
		100*math.Sqrt(acc*(1-acc)/float64(r.jets)), formatRejection(r30), float64(bkg)/r30, bkg,
		100/math.Sqrt(float64(bkg)/r30))
}

// verdict returns yes or no by cond.
func verdict(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}
