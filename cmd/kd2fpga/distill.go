package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"kd2fpga/distill"
	"kd2fpga/fixedpoint"
	"kd2fpga/jets"
	"kd2fpga/models"
)

// The default student types: inputs within [-1, 1) to 1/512, weights
// within [-4, 4) to 1/32, results within [-8, 8) to 1/256, all rounding
// to nearest even and saturating.
const (
	defaultInputType  = "ap_fixed<10,1,AP_RND_CONV,AP_SAT>"
	defaultWeightType = "ap_fixed<8,3,AP_RND_CONV,AP_SAT>"
	defaultBiasType   = "ap_fixed<10,4,AP_RND_CONV,AP_SAT>"
	defaultResultType = "ap_fixed<12,4,AP_RND_CONV,AP_SAT>"
)

// trainingFlags are the flags that teacher and distill share.
func trainingFlags(epochs int, lr float64) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "data", Usage: "training jets (`JETS.npz`, as kd2fpga jets writes)",
			Required: true},
		&cli.StringFlag{Name: "val", Usage: "validation jets (`JETS.npz`), scored every epoch"},
		&cli.StringFlag{Name: "out", Usage: "the model folder to write (`DIR`: model.hcl, " +
			"weights.npz, training.json)", Required: true},
		&cli.BoolFlag{Name: "force", Usage: "replace DIR if it exists"},
		&cli.StringFlag{Name: "name", Usage: "model `name` (default: DIR's base name)"},
		&cli.StringFlag{Name: "hidden", Usage: "widths of the hidden layers (`W,W,...`)"},
		&cli.IntFlag{Name: "epochs", Value: epochs, Usage: "passes over the training jets"},
		&cli.IntFlag{Name: "batch", Value: 64, Usage: "samples per optimizer step"},
		&cli.Float64Flag{Name: "lr", Value: lr, Usage: "AdamW learning rate"},
		&cli.IntFlag{Name: "warmup", Value: 500, Usage: "steps of linear learning-rate warm-up"},
		&cli.IntFlag{Name: "decay-every", Value: 10, Usage: "epochs between learning-rate decays"},
		&cli.Float64Flag{Name: "decay", Value: 0.7, Usage: "learning-rate factor of each decay"},
		&cli.Float64Flag{Name: "weight-decay", Value: 0.01, Usage: "AdamW weight decay"},
		&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed of the initial weights and the " +
			"shuffles (the result depends on it, not on --workers)"},
		&cli.IntFlag{Name: "workers", Usage: "goroutines (0: one per CPU)"},
		&cli.BoolFlag{Name: "quiet", Usage: "do not print the epochs"},
	}
}

// teacherCommand returns the "teacher" command: train the invariant
// teacher.
func teacherCommand() *cli.Command {
	return &cli.Command{
		Name:  "teacher",
		Usage: "train a Lorentz-invariant teacher on jets",
		UsageText: "kd2fpga teacher --data JETS.npz --out DIR [--val JETS.npz] [--invariants K]\n" +
			"                 [--hidden 64,64] [training options]\n\n" +
			"Example:\n" +
			"   kd2fpga jets --n 100000 --seed 1 --out train.npz\n" +
			"   kd2fpga jets --n 20000 --seed 2 --out val.npz\n" +
			"   kd2fpga teacher --data train.npz --val val.npz --out teacher",
		Description: "Trains, in float64 with cross-entropy, a network that reads only Lorentz\n" +
			"invariants of a jet: the jet mass, and for its K leading constituents (in\n" +
			"the order of their energy in the jet's rest frame) their rest-frame energy\n" +
			"shares and the squared masses of all their pairs over the jet's. A boost or\n" +
			"rotation of the jet leaves every input, and so the output, unchanged. The\n" +
			"model (HCL + NPZ, docs/model-format.md) records these features, so that\n" +
			"distill and evaluate compute them from raw jets.",
		Flags: append(trainingFlags(20, 2e-3),
			&cli.IntFlag{Name: "invariants", Value: 12, Usage: "leading constituents `K` " +
				"whose invariants are read"}),
		Action: runTeacher,
	}
}

// runTeacher is the teacher command.
func runTeacher(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("teacher: unexpected argument %q", c.Args().First())
	}
	hidden, err := widths(c, "hidden", []int{64, 64})
	if err != nil {
		return fmt.Errorf("teacher: %w", err)
	}
	out, name := c.String("out"), modelName(c)
	if err := checkOut(out, c.Bool("force")); err != nil {
		return fmt.Errorf("teacher: %w", err)
	}
	cfg := trainConfig(c)
	t := distill.Teacher{Name: name, Invariants: c.Int("invariants"), Hidden: hidden}
	t.Description = fmt.Sprintf("A Lorentz-invariant teacher: an MLP %s (ReLU) on the jet mass "+
		"and the invariants of the %d leading constituents, in float64. Trained by: %s.",
		widthList(append(append([]int{t.InputWidth()}, hidden...), 2)), t.Invariants,
		commandLine(c))
	train, err := readJets(c.String("data"))
	if err != nil {
		return fmt.Errorf("teacher: %w", err)
	}
	spec := jets.FeatureSpec{Invariants: t.Invariants, HighLevel: []jets.HighLevelFeature{jets.HighLevelMass}}
	if err := spec.Validate(); err != nil {
		return fmt.Errorf("teacher: %w", err)
	}
	x, _, err := spec.Extract(train)
	if err != nil {
		return fmt.Errorf("teacher: %s: %w", c.String("data"), err)
	}
	m, err := t.Model(cfg.Seed, x, train.N)
	if err != nil {
		return fmt.Errorf("teacher: %w", err)
	}
	return trainAndSave(c, m, train, nil, cfg, out)
}

// distillCommand returns the "distill" command: train a student.
func distillCommand() *cli.Command {
	return &cli.Command{
		Name:  "distill",
		Usage: "train a quantization-aware student, distilled from a teacher or not",
		UsageText: "kd2fpga distill --data JETS.npz --out DIR --arch mlp|deepset\n" +
			"                 [--teacher T.hcl | --teacher-logits L.npy] [--lambda L] [--temperature T]\n" +
			"                 [--particles P] [--features F,F,...] [--hidden W,...] [--rho W,...]\n" +
			"                 [--input-type T] [--weight-type T] [--bias-type T] [--result-type T]\n" +
			"                 [--float] [training options]\n\n" +
			"Example:\n" +
			"   kd2fpga distill --data train.npz --val val.npz --arch deepset --hidden 16,16 \\\n" +
			"       --rho 16 --teacher teacher/model.hcl --temperature 1 --out deepset_kd\n" +
			"   kd2fpga convert --model deepset_kd/model.hcl --out build/deepset_kd",
		Description: "Trains a student on the features of the leading constituents of jets (by\n" +
			"default pt_rel, deta, dphi of 8 particles) with the loss\n" +
			"(1 - lambda) CE + lambda T^2 KL(teacher_T || student_T): lambda 0 (the\n" +
			"default without a teacher) is plain training, lambda 1 (the default with\n" +
			"one) pure distillation. The teacher is a model file whose features block\n" +
			"says what it reads (kd2fpga teacher writes one), run in float64 on the\n" +
			"same jets, or logits [N, classes] of the training jets in a .npy file from\n" +
			"any framework. Training is quantization-aware unless --float: every forward\n" +
			"pass is the bit-exact fixed-point emulation of the student at its types,\n" +
			"so the trained model is its firmware. AdamW, linear warm-up, step decay.\n" +
			"A Deep Set pools with a sum weighted by the first feature (pt_rel).",
		Flags: append(trainingFlags(20, 2e-3),
			&cli.StringFlag{Name: "arch", Usage: "student architecture: mlp or deepset", Required: true},
			&cli.StringFlag{Name: "teacher", Usage: "teacher model (`T.hcl`)"},
			&cli.StringFlag{Name: "teacher-logits", Usage: "teacher logits of the training jets (`L.npy`)"},
			&cli.Float64Flag{Name: "lambda", Usage: "weight of the distillation term (default: 1 " +
				"with a teacher, 0 without)"},
			&cli.Float64Flag{Name: "temperature", Value: 1, Usage: "distillation temperature `T`"},
			&cli.IntFlag{Name: "particles", Value: 8, Usage: "leading constituents read"},
			&cli.StringFlag{Name: "features", Value: "pt_rel,deta,dphi",
				Usage: "per-particle features (docs/jets.md)"},
			&cli.StringFlag{Name: "rho", Usage: "Deep Set: widths of the jet network (`W,...`)"},
			&cli.StringFlag{Name: "pool", Value: "weighted_sum", Usage: "Deep Set pooling: " +
				"weighted_sum, sum, mean or max"},
			&cli.StringFlag{Name: "activation", Value: "relu", Usage: "relu or leaky_relu"},
			&cli.StringFlag{Name: "input-type", Value: defaultInputType, Usage: "input `type`"},
			&cli.StringFlag{Name: "weight-type", Value: defaultWeightType, Usage: "weight `type`"},
			&cli.StringFlag{Name: "bias-type", Value: defaultBiasType, Usage: "bias `type`"},
			&cli.StringFlag{Name: "result-type", Value: defaultResultType,
				Usage: "`type` of every layer's result"},
			&cli.BoolFlag{Name: "float", Usage: "train in float64, not quantization-aware"},
			&cli.Float64Flag{Name: "clock-ns", Value: models.DefaultClockNs,
				Usage: "target clock period in `ns`"},
			&cli.Float64Flag{Name: "latency-budget-ns", Value: 100, Usage: "target latency budget"},
		),
		Action: runDistill,
	}
}

// runDistill is the distill command.
func runDistill(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("distill: unexpected argument %q", c.Args().First())
	}
	s, err := studentOf(c)
	if err != nil {
		return fmt.Errorf("distill: %w", err)
	}
	out := c.String("out")
	if err := checkOut(out, c.Bool("force")); err != nil {
		return fmt.Errorf("distill: %w", err)
	}
	cfg := trainConfig(c)
	teacher, logits := c.String("teacher"), c.String("teacher-logits")
	cfg.Loss = distill.Loss{Lambda: c.Float64("lambda"), Temperature: c.Float64("temperature")}
	switch {
	case teacher != "" && logits != "":
		return errors.New("distill: --teacher and --teacher-logits exclude each other")
	case !c.IsSet("lambda") && (teacher != "" || logits != ""):
		cfg.Loss.Lambda = 1
	case cfg.Loss.Lambda > 0 && teacher == "" && logits == "":
		return fmt.Errorf("distill: --lambda %v needs a teacher (--teacher or --teacher-logits)",
			cfg.Loss.Lambda)
	}
	cfg.Quantized = !c.Bool("float")
	kind, qat := "trained without distillation", "quantization-aware"
	if cfg.Loss.Lambda > 0 {
		kind = fmt.Sprintf("distilled from a teacher (lambda = %g, T = %g)", cfg.Loss.Lambda,
			cfg.Loss.Temperature)
	}
	if !cfg.Quantized {
		qat = "in float64"
	}
	s.Description = fmt.Sprintf("A student tagger: %s, %s, %s. Trained by: %s.",
		s.Description, kind, qat, commandLine(c))

	m, err := s.Model(cfg.Seed)
	if err != nil {
		return err
	}
	train, err := readJets(c.String("data"))
	if err != nil {
		return fmt.Errorf("distill: %w", err)
	}
	var tl []float64
	if cfg.Loss.Lambda > 0 {
		if tl, err = teacherLogits(teacher, logits, train, 2); err != nil {
			return fmt.Errorf("distill: %w", err)
		}
	}
	return trainAndSave(c, m, train, tl, cfg, out)
}

// studentOf reads the student's description from the flags.
func studentOf(c *cli.Context) (distill.Student, error) {
	s := distill.Student{Name: modelName(c), Arch: distill.Arch(c.String("arch")),
		Particles: c.Int("particles"), Pool: models.PoolOp(c.String("pool")),
		Activation: models.Kind(c.String("activation")), Target: distill.DefaultTarget()}
	s.Target.ClockNs, s.Target.LatencyBudgetNs = c.Float64("clock-ns"), c.Float64("latency-budget-ns")
	for _, f := range strings.Split(c.String("features"), ",") {
		s.Features = append(s.Features, strings.TrimSpace(f))
	}
	var err error
	if s.Hidden, err = widths(c, "hidden", []int{16, 16}); err != nil {
		return s, err
	}
	if s.Arch == distill.DeepSet {
		if s.Rho, err = widths(c, "rho", []int{16}); err != nil {
			return s, err
		}
	} else if c.IsSet("rho") {
		return s, fmt.Errorf("--rho is for a Deep Set, not %q", s.Arch)
	}
	for _, t := range []struct {
		flag string
		into *fixedpoint.Format
	}{{"input-type", &s.Input}, {"weight-type", &s.Weight}, {"bias-type", &s.Bias},
		{"result-type", &s.Result}} {
		f, err := fixedpoint.ParseFormat(c.String(t.flag))
		if err != nil {
			return s, fmt.Errorf("--%s: %w", t.flag, err)
		}
		*t.into = f
	}

	// what the model says of itself: its shape (runDistill adds how it
	// was trained)
	s.Description = fmt.Sprintf("an MLP %s on %d particles x %d features",
		widthList(append(append([]int{s.Particles * len(s.Features)}, s.Hidden...), 2)),
		s.Particles, len(s.Features))
	if s.Arch == distill.DeepSet {
		s.Description = fmt.Sprintf("a Deep Set, per-particle %s, %s pooling, jet network %s, "+
			"on %d particles", widthList(append([]int{len(s.Features)}, s.Hidden...)), s.Pool,
			widthList(append(append([]int{s.Hidden[len(s.Hidden)-1]}, s.Rho...), 2)),
			s.Particles)
	}
	return s, nil
}

// trainConfig reads the training options.
func trainConfig(c *cli.Context) distill.Config {
	return distill.Config{Epochs: c.Int("epochs"), Batch: c.Int("batch"),
		Schedule: distill.Schedule{LR: c.Float64("lr"), Warmup: c.Int("warmup"),
			DecayEvery: c.Int("decay-every"), Decay: c.Float64("decay")},
		WeightDecay: c.Float64("weight-decay"), Seed: c.Uint64("seed"), Workers: c.Int("workers")}
}

// trainAndSave trains m on the jets, validating on --val, and saves the
// model folder.
func trainAndSave(c *cli.Context, m *models.Model, train *jets.Sample, teacher []float64,
	cfg distill.Config, out string) error {

	cmd := c.Command.Name
	data, err := distill.JetData(m, train)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", cmd, c.String("data"), err)
	}
	data.Teacher = teacher
	var val *distill.Data
	if path := c.String("val"); path != "" {
		s, err := readJets(path)
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		if val, err = distill.JetData(m, s); err != nil {
			return fmt.Errorf("%s: %s: %w", cmd, path, err)
		}
	}
	w := c.App.Writer
	if !c.Bool("quiet") {
		mode := "float64"
		if cfg.Quantized {
			mode = "quantization-aware (validation in fixed point)"
		}
		fmt.Fprintf(w, "%s: training %q on %d jets, %d epochs, %s\n", cmd, m.Name, data.N(),
			cfg.Epochs, mode)
		cfg.Progress = func(e distill.Epoch) { printEpoch(w, e) }
	}
	trained, history, err := distill.Train(m, data, val, cfg)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	if err := saveModelDir(trained, history, out); err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	fmt.Fprintf(w, "%s: wrote %s\n", cmd, filepath.Join(out, "model.hcl"))
	return nil
}

// printEpoch prints one line of training progress.
func printEpoch(w io.Writer, e distill.Epoch) {
	fmt.Fprintf(w, "  epoch %3d  loss %.4f  lr %.3g", e.Epoch, e.Loss, e.LR)
	if v := e.Val; v != nil {
		fmt.Fprintf(w, "  val accuracy %.4f  AUC %.4f", v.Accuracy, v.AUC)
		if len(v.Rejection) == 2 {
			fmt.Fprintf(w, "  R30 %s  R50 %s", formatRejection(v.Rejection[0]),
				formatRejection(v.Rejection[1]))
		}
	}
	fmt.Fprintf(w, "  %.1fs\n", e.Elapsed.Seconds())
}

// formatRejection prints a rejection, "inf" when no background passed.
func formatRejection(r float64) string {
	n := number(r)
	return rejection(&n)
}

// saveModelDir writes the model and its training history to the folder
// out, whole or not at all.
func saveModelDir(m *models.Model, history []distill.Epoch, out string) error {
	return writeDir(out, func(tmp string) error {
		if err := models.Save(m, filepath.Join(tmp, "model.hcl")); err != nil {
			return err
		}
		return writeHistory(filepath.Join(tmp, "training.json"), history)
	})
}

// modelName returns --name, or the output folder's base name made a
// legal model name.
func modelName(c *cli.Context) string {
	if n := c.String("name"); n != "" {
		return n
	}
	base := filepath.Base(filepath.Clean(c.String("out")))
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, base)
	if name == "" || !(name[0] >= 'a' && name[0] <= 'z' || name[0] >= 'A' && name[0] <= 'Z') {
		name = "m_" + name
	}
	return name
}

// widths parses a comma-separated list of layer widths, or returns def
// when the flag is not set.
func widths(c *cli.Context, flag string, def []int) ([]int, error) {
	if !c.IsSet(flag) {
		return def, nil
	}
	var ws []int
	for _, s := range strings.Split(c.String(flag), ",") {
		w, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || w < 1 {
			return nil, fmt.Errorf("--%s %q: want positive widths separated by commas",
				flag, c.String(flag))
		}
		ws = append(ws, w)
	}
	return ws, nil
}

// widthList writes widths as "4-16-16".
func widthList(ws []int) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = strconv.Itoa(w)
	}
	return strings.Join(parts, "-")
}

// commandLine returns the command as a user would retype it: the
// command name and the flags that were set, in a fixed order, without
// --force, --quiet and --workers (they do not change the result).
func commandLine(c *cli.Context) string {
	parts := []string{"kd2fpga", c.Command.Name}
	for _, f := range c.Command.Flags {
		name := f.Names()[0]
		if !c.IsSet(name) || name == "force" || name == "quiet" || name == "workers" {
			continue
		}
		if _, ok := f.(*cli.BoolFlag); ok {
			parts = append(parts, "--"+name)
			continue
		}
		v := c.Value(name)
		s := fmt.Sprint(v)
		if strings.ContainsAny(s, " <>,\"'") {
			s = strconv.Quote(s)
		}
		parts = append(parts, "--"+name, s)
	}
	return strings.Join(parts, " ")
}
