package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"kd2fpga/metrics"
	"kd2fpga/models"
	"kd2fpga/quantize"
)

// evaluateCommand returns the "evaluate" command: score a model on labeled
// data in float and in fixed point.
func evaluateCommand() *cli.Command {
	return &cli.Command{
		Name:  "evaluate",
		Usage: "score models on labeled data or jets in float and in fixed point, and compare them",
		UsageText: "kd2fpga evaluate --model M.hcl --data D.npz [--boost-beta B] [--json]\n" +
			"kd2fpga evaluate --model M.hcl [--model M2.hcl ...] --data JETS.npz --boost-scan\n" +
			"                 [--betas 0,0.5,0.9] [--plot scan.png] [--json]\n\n" +
			"Example:\n" +
			"   kd2fpga evaluate --model models/examples/deepset_small/model.hcl --data test.npz\n" +
			"   kd2fpga jets --n 40000 --seed 3 --out test.npz\n" +
			"   kd2fpga evaluate --model models/examples/deepset_kd/model.hcl \\\n" +
			"       --model models/examples/deepset_base/model.hcl --data test.npz \\\n" +
			"       --boost-scan --plot scan.png",
		Description: "Evaluate runs the unquantized model (float64) and its bit-exact fixed-point\n" +
			"emulation on labeled data and reports, for both, the accuracy, the ROC AUC\n" +
			"(binary: of class 1; more classes: macro one-vs-rest) and the background\n" +
			"rejection 1/FPR at 30% and 50% signal efficiency (binary tasks; \"inf\" when\n" +
			"no background passes: a lower bound of N negatives); then how often float\n" +
			"and fixed point pick the same class, their largest output difference, and\n" +
			"the casts that saturated or wrapped in each layer.\n\n" +
			"The data is either the arrays x [N, ...input shape] and y of D.npz (y holds\n" +
			"class indices [N] or one-hot rows [N, C]), or jets as kd2fpga jets writes\n" +
			"them (p4 and y): then each model's input is computed from the jets as its\n" +
			"features block says, after a boost along x with speed --boost-beta if set.\n" +
			"--boost-scan scores every model on the jets boosted with each speed of\n" +
			"--betas (default 0, 0.05, ..., 0.95), the method's robustness test, as a\n" +
			"table, JSON, and with --plot a PNG.",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "model", Usage: "a model file (`M.hcl`); several with --boost-scan",
				Required: true},
			&cli.StringFlag{Name: "data", Usage: "the labeled data (`D.npz` with x and y, or jets)",
				Required: true},
			&cli.BoolFlag{Name: "json", Usage: "print the report as JSON"},
			&cli.IntFlag{Name: "workers", Usage: "goroutines (0: one per CPU); results do not depend on it"},
			&cli.Float64Flag{Name: "boost-beta", Usage: "jets: boost them along x with speed `B` first"},
			&cli.BoolFlag{Name: "boost-scan", Usage: "jets: score the models over a range of boosts"},
			&cli.StringFlag{Name: "betas", Usage: "the boost speeds of --boost-scan (`B,B,...`)"},
			&cli.StringFlag{Name: "plot", Usage: "with --boost-scan: also write the curves to `PNG`"},
		},
		Action: runEvaluate,
	}
}

// runEvaluate is the evaluate command.
func runEvaluate(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("evaluate: unexpected argument %q", c.Args().First())
	}
	paths, data := c.StringSlice("model"), c.String("data")
	if c.Bool("boost-scan") {
		return runBoostScan(c, paths, data)
	}
	for _, flag := range []string{"betas", "plot"} {
		if c.IsSet(flag) {
			return fmt.Errorf("evaluate: --%s goes with --boost-scan", flag)
		}
	}
	if len(paths) != 1 {
		return fmt.Errorf("evaluate: %d models: give one, or several with --boost-scan", len(paths))
	}
	m, p, err := loadPlan(paths[0])
	if err != nil {
		return err
	}

	// the inputs: the arrays x and y, or the model's features of jets
	var x []float64
	var labels []int
	if isJets(data) {
		d, err := jetInputs(data, m, c.Float64("boost-beta"))
		if err != nil {
			return fmt.Errorf("evaluate: %w", err)
		}
		x, labels = d.X, d.Labels
	} else {
		if c.IsSet("boost-beta") {
			return fmt.Errorf("evaluate: --boost-beta needs jets (p4 and y), not the arrays x "+
				"and y of %s", data)
		}
		var n int
		if x, n, err = readInputs(data, m); err != nil {
			return fmt.Errorf("evaluate: %w", err)
		}
		if labels, err = readLabels(data, n); err != nil {
			return fmt.Errorf("evaluate: %w", err)
		}
	}
	r, err := evaluateSample(m, p, x, labels, c.Int("workers"))
	if err != nil {
		return fmt.Errorf("evaluate: %w", err)
	}
	r.Data = data
	if c.Bool("json") {
		return writeJSON(c.App.Writer, r)
	}
	r.print(c.App.Writer)
	return nil
}

// evalReport is the outcome of evaluating a model on one sample of data.
type evalReport struct {
	Model   string `json:"model"`
	Data    string `json:"data,omitempty"`
	Samples int    `json:"samples"`
	Classes int    `json:"classes"`
	Outputs string `json:"outputs"` // how outputs become scores: metrics.Kind

	Float *scores `json:"float"`
	Fixed *scores `json:"fixed"`

	// ArgmaxAgreement is the fraction of samples where float and fixed
	// point predict the same class; MaxAbsDiff their largest output
	// difference.
	ArgmaxAgreement float64 `json:"argmax_agreement"`
	MaxAbsDiff      float64 `json:"max_abs_diff"`

	Input     castCounts `json:"input"`
	Overflows []opCounts `json:"layers"`
}

// scores are the metrics of one run.
type scores struct {
	Accuracy float64 `json:"accuracy"`
	AUC      float64 `json:"auc"`
	// Rejection30 and Rejection50 are 1/FPR at 30% and 50% signal
	// efficiency, binary tasks only; +Inf is written "inf".
	Rejection30 *number `json:"rejection_30,omitempty"`
	Rejection50 *number `json:"rejection_50,omitempty"`
}

// number is a float64 that JSON writes as "inf" when infinite.
type number float64

// MarshalJSON writes n, or the string "inf".
func (n number) MarshalJSON() ([]byte, error) {
	if math.IsInf(float64(n), 1) {
		return []byte(`"inf"`), nil
	}
	return json.Marshal(float64(n))
}

// opCounts are the overflowing casts of one op.
type opCounts struct {
	Op     string     `json:"op"`
	Accum  castCounts `json:"accum"`
	Result castCounts `json:"result"`
}

// castCounts summarizes quantize.Counts.
type castCounts struct {
	Casts     int64 `json:"casts"`
	Saturated int64 `json:"saturated"`
	Wrapped   int64 `json:"wrapped"`
}

func countsOf(c quantize.Counts) castCounts {
	return castCounts{Casts: c.Casts, Saturated: c.Saturated, Wrapped: c.Wrapped}
}

// evaluateSample runs m in float and its plan p in fixed point on the n
// samples x with class labels, and compares them.
func evaluateSample(m *models.Model, p *quantize.Plan, x []float64, labels []int,
	workers int) (*evalReport, error) {

	n := len(labels)
	width := p.Output().Len()
	kind := outputKind(p)
	fl := quantize.Float(m, x, n)
	fx, err := p.Emulate(x, n, quantize.Options{Workers: workers, Stats: true})
	if err != nil {
		return nil, err
	}

	r := &evalReport{Model: m.Name, Samples: n, Classes: metrics.Classes(width), Outputs: kind.String(),
		Input: countsOf(fx.Stats.Input)}
	for _, run := range []struct {
		out  []float64
		into **scores
	}{{fl, &r.Float}, {fx.Y, &r.Fixed}} {
		s, err := metrics.Summarize(run.out, width, kind, labels)
		if err != nil {
			return nil, err
		}
		sc := &scores{Accuracy: s.Accuracy, AUC: s.AUC}
		if len(s.Rejection) == 2 {
			r30, r50 := number(s.Rejection[0]), number(s.Rejection[1])
			sc.Rejection30, sc.Rejection50 = &r30, &r50
		}
		*run.into = sc
	}

	r.ArgmaxAgreement = metrics.Agreement(metrics.Predict(fl, width, kind),
		metrics.Predict(fx.Y, width, kind))
	for i, v := range fl {
		r.MaxAbsDiff = math.Max(r.MaxAbsDiff, math.Abs(v-fx.Y[i]))
	}
	for _, os := range fx.Stats.Ops {
		r.Overflows = append(r.Overflows, opCounts{Op: os.Name, Accum: countsOf(os.Accum),
			Result: countsOf(os.Result)})
	}
	return r, nil
}

// outputKind tells how the plan's outputs become scores: probabilities
// after a softmax, a probability after a single sigmoid, logits otherwise.
func outputKind(p *quantize.Plan) metrics.Kind {
	last := p.Ops[len(p.Ops)-1]
	switch {
	case last.Kind == quantize.OpSoftmax:
		return metrics.Probabilities
	case last.Kind == quantize.OpTable && last.Activate == models.Sigmoid && last.Out.Len() == 1:
		return metrics.Sigmoid
	}
	return metrics.Logits
}

// readLabels reads the class labels y of a .npz file: class indices [N]
// (or [N, 1]) or one-hot rows [N, C].
func readLabels(path string, n int) ([]int, error) {
	arrays, err := models.OpenArrays(path)
	if err != nil {
		return nil, err
	}
	y, shape, err := arrays.Array("y")
	if err != nil {
		return nil, err
	}
	if len(shape) == 0 || shape[0] != n || len(shape) > 2 {
		return nil, fmt.Errorf("%s: labels y of shape %v, want [%d] or [%d, classes]", path, shape, n, n)
	}
	labels := make([]int, n)
	if len(shape) == 2 && shape[1] > 1 {
		for i := range labels {
			labels[i] = metrics.Argmax(y[i*shape[1] : (i+1)*shape[1]])
		}
		return labels, nil
	}
	for i, v := range y {
		if v != math.Trunc(v) || v < 0 {
			return nil, fmt.Errorf("%s: label y[%d] = %v is not a class index", path, i, v)
		}
		labels[i] = int(v)
	}
	return labels, nil
}

// print writes the report as text.
func (r *evalReport) print(w io.Writer) {
	fmt.Fprintf(w, "model %s on %s: %d samples, %d classes (outputs: %s)\n\n",
		r.Model, r.Data, r.Samples, r.Classes, r.Outputs)
	fmt.Fprintf(w, "%-12s %9s %9s %12s %12s\n", "", "accuracy", "AUC", "R at 30%", "R at 50%")
	for _, row := range []struct {
		name string
		s    *scores
	}{{"float", r.Float}, {"fixed point", r.Fixed}} {
		fmt.Fprintf(w, "%-12s %9.4f %9.4f %12s %12s\n", row.name, row.s.Accuracy, row.s.AUC,
			rejection(row.s.Rejection30), rejection(row.s.Rejection50))
	}
	fmt.Fprintf(w, "\nfloat and fixed point agree on %.2f%% of the predictions;"+
		" largest output difference %.4g\n", 100*r.ArgmaxAgreement, r.MaxAbsDiff)

	// the overflows, or that there were none.
	var lines []string
	for _, o := range r.Overflows {
		if o.Accum.Saturated+o.Accum.Wrapped+o.Result.Saturated+o.Result.Wrapped == 0 {
			continue
		}
		lines = append(lines, fmt.Sprintf("  %-16s %12d %12d %12d %12d", o.Op,
			o.Accum.Saturated, o.Accum.Wrapped, o.Result.Saturated, o.Result.Wrapped))
	}
	if in := r.Input; in.Saturated+in.Wrapped > 0 {
		fmt.Fprintf(w, "input quantization: %d of %d values saturated, %d wrapped\n",
			in.Saturated, in.Casts, in.Wrapped)
	}
	if len(lines) == 0 {
		fmt.Fprintln(w, "no accumulator or result overflowed")
		return
	}
	fmt.Fprintf(w, "overflowing casts (fixed point):\n  %-16s %12s %12s %12s %12s\n%s\n",
		"layer", "accum sat", "accum wrap", "result sat", "result wrap", strings.Join(lines, "\n"))
}

// rejection formats a rejection for the text report.
func rejection(r *number) string {
	switch {
	case r == nil:
		return "-"
	case math.IsInf(float64(*r), 1):
		return "inf"
	}
	return strconv.FormatFloat(float64(*r), 'f', 1, 64)
}
