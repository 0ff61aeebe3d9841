package distill

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"time"

	"kd2fpga/fixedpoint"
	"kd2fpga/metrics"
	"kd2fpga/models"
	"kd2fpga/quantize"
)

// Data is a labelled sample in a model's input layout.
type Data struct {
	// X holds N inputs row-major, each of the model's input length.
	X []float64
	// Labels holds N class indices.
	Labels []int
	// Teacher holds N rows of teacher logits (one per class), or is nil
	// when training without distillation.
	Teacher []float64
}

// N returns the number of samples.
func (d *Data) N() int { return len(d.Labels) }

// Config says how to train.
type Config struct {
	Epochs int
	Batch  int
	// Schedule is the learning rate; WeightDecay AdamW's decoupled decay
	// of the weights (not the biases).
	Schedule    Schedule
	WeightDecay float64
	Loss        Loss
	// Quantized trains quantization-aware: every forward pass runs the
	// golden emulator on the model's fixed-point plan (the weights
	// quantized to their formats, every value cast as the firmware casts
	// it), and gradients pass straight through the casts except where a
	// saturating cast clipped. The trained model is then exactly its
	// firmware. Either way, the weights of a model without batch
	// normalization are kept within their formats' ranges, so that a
	// float-trained model still quantizes.
	Quantized bool
	// Seed fixes the initial shuffle order of every epoch. The result
	// depends on Seed and the data only, not on Workers.
	Seed uint64
	// Workers is the number of goroutines; 0 means runtime.NumCPU().
	Workers int
	// Progress, when not nil, is called after every epoch.
	Progress func(Epoch)
}

// Epoch reports one epoch of training.
type Epoch struct {
	Epoch int     // from 1
	Steps int     // optimizer steps so far
	Loss  float64 // mean training loss over the epoch
	LR    float64 // learning rate of the epoch's last step
	// Val scores the model at the end of the epoch on the validation
	// data (in fixed point when training is quantized); nil without it.
	Val     *metrics.Summary
	Elapsed time.Duration // since training started
}

// chunk is the number of samples whose gradients one worker adds up
// before they are combined in a fixed order, so that the sums, and the
// training, do not depend on the number of workers.
const chunk = 16

// Train trains a copy of the model m on train with cfg and returns it
// with the per-epoch history. m must be a chain that newNet accepts; with
// cfg.Quantized it must build to a quantize.Plan and have no batch
// normalization. val may be nil. A quantized result holds its weights
// already quantized: saved, it describes its firmware exactly.
func Train(m *models.Model, train, val *Data, cfg Config) (*models.Model, []Epoch, error) {
	m = cloneModel(m)
	n, err := newNet(m)
	if err != nil {
		return nil, nil, fmt.Errorf("distill: %w", err)
	}
	if err := checkConfig(n, train, val, cfg); err != nil {
		return nil, nil, err
	}
	tr := &trainer{n: n, cfg: cfg, data: train, opt: newAdamW(len(n.theta), cfg.WeightDecay)}
	tr.workers = cfg.Workers
	if tr.workers <= 0 {
		tr.workers = runtime.NumCPU()
	}
	// the weights stay within their formats, so that the model always
	// quantizes (a float-trained student too, for post-training
	// quantization); a teacher's batch norm folds into its weights, whose
	// formats then bound the folded values, so it is left free
	tr.clipping = cfg.Quantized || !slices.ContainsFunc(n.layers,
		func(l *models.Layer) bool { return l.Kind == models.BatchNorm })
	if tr.clipping {
		if err := tr.bounds(); err != nil {
			return nil, nil, err
		}
		tr.clip()
	}

	start := time.Now()
	var history []Epoch
	for e := range cfg.Epochs {
		ep, err := tr.epoch(e)
		if err != nil {
			return nil, nil, err
		}
		if val != nil {
			if ep.Val, err = score(m, val, cfg.Quantized, cfg.Workers); err != nil {
				return nil, nil, fmt.Errorf("distill: epoch %d: validation: %w", e+1, err)
			}
		}
		ep.Elapsed = time.Since(start)
		history = append(history, ep)
		if cfg.Progress != nil {
			cfg.Progress(ep)
		}
	}
	if cfg.Quantized {
		if err := tr.storeQuantized(); err != nil {
			return nil, nil, err
		}
	}
	return m, history, nil
}

// checkConfig reports the first problem of a training setup.
func checkConfig(n *net, train, val *Data, cfg Config) error {
	c := n.classes()
	switch {
	case cfg.Epochs < 1 || cfg.Batch < 1:
		return fmt.Errorf("distill: epochs %d and batch %d must be positive", cfg.Epochs, cfg.Batch)
	case !(cfg.Schedule.LR > 0) || cfg.Schedule.Warmup < 0 || cfg.Schedule.DecayEvery < 0 ||
		!(cfg.Schedule.Decay > 0) && cfg.Schedule.DecayEvery > 0:
		return fmt.Errorf("distill: learning rate %v, warm-up %d, decay %v every %d epochs: "+
			"need a positive rate and decay", cfg.Schedule.LR, cfg.Schedule.Warmup,
			cfg.Schedule.Decay, cfg.Schedule.DecayEvery)
	case !(cfg.WeightDecay >= 0):
		return fmt.Errorf("distill: weight decay %v must not be negative", cfg.WeightDecay)
	case !(cfg.Loss.Lambda >= 0 && cfg.Loss.Lambda <= 1):
		return fmt.Errorf("distill: lambda %v must be within [0, 1]", cfg.Loss.Lambda)
	case cfg.Loss.Lambda > 0 && !(cfg.Loss.Temperature > 0):
		return fmt.Errorf("distill: temperature %v must be positive", cfg.Loss.Temperature)
	case c > maxClasses:
		return fmt.Errorf("distill: %d classes, at most %d", c, maxClasses)
	}
	for _, d := range []struct {
		name string
		data *Data
	}{{"training", train}, {"validation", val}} {
		if d.data == nil {
			if d.name == "training" {
				return errors.New("distill: no training data")
			}
			continue
		}
		N := d.data.N()
		switch {
		case N == 0:
			return fmt.Errorf("distill: the %s data is empty", d.name)
		case len(d.data.X) != N*n.shapes[0].len():
			return fmt.Errorf("distill: %s data: %d input values for %d samples of %d",
				d.name, len(d.data.X), N, n.shapes[0].len())
		case d.name == "training" && cfg.Loss.Lambda > 0 && len(d.data.Teacher) != N*c:
			return fmt.Errorf("distill: training data: %d teacher logits for %d samples of %d "+
				"classes (distillation needs the teacher's)", len(d.data.Teacher), N, c)
		}
		for i, y := range d.data.Labels {
			if y < 0 || y >= c {
				return fmt.Errorf("distill: %s data: label %d of sample %d is not one of %d classes",
					d.name, y, i, c)
			}
		}
		for i, v := range d.data.X {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("distill: %s data: input value %d is %v", d.name, i, v)
			}
		}
	}
	return nil
}

// trainer is the state of one training run.
type trainer struct {
	n       *net
	cfg     Config
	data    *Data
	opt     *adamW
	workers int
	steps   int
	// clipping says whether every parameter is kept within [lo, hi], the
	// range of its format.
	clipping bool
	lo, hi   []float64
}

// epoch runs one pass over the training data in an order drawn from the
// seed and the epoch.
func (tr *trainer) epoch(e int) (Epoch, error) {
	N := tr.data.N()
	rng := rand.New(rand.NewPCG(tr.cfg.Seed, 0x6b643266+uint64(e)))
	order := rng.Perm(N)

	ep := Epoch{Epoch: e + 1}
	total := 0.0
	g := make([]float64, len(tr.n.theta))
	nChunks := (tr.cfg.Batch + chunk - 1) / chunk
	grads := make([][]float64, nChunks)
	for c := range grads {
		grads[c] = make([]float64, len(tr.n.theta))
	}
	losses := make([]float64, nChunks)
	tapes := make([]*tape, tr.workers)
	for w := range tapes {
		tapes[w] = tr.n.newTape()
	}

	for lo := 0; lo < N; lo += tr.cfg.Batch {
		batch := order[lo:min(lo+tr.cfg.Batch, N)]

		// the weights of this step's forward pass
		var ws *weights
		var plan *quantize.Plan
		if tr.cfg.Quantized {
			var err error
			if plan, err = quantize.Build(tr.n.m); err != nil {
				return ep, fmt.Errorf("distill: step %d: %w", tr.steps+1, err)
			}
			if ws, err = tr.n.planWeights(plan); err != nil {
				return ep, fmt.Errorf("distill: %w", err)
			}
		} else {
			ws = tr.n.floatWeights()
		}

		// gradients chunk by chunk, then added up in chunk order
		used := (len(batch) + chunk - 1) / chunk
		var next int
		var mu sync.Mutex
		var wg sync.WaitGroup
		for w := range min(tr.workers, used) {
			wg.Go(func() {
				for {
					mu.Lock()
					c := next
					next++
					mu.Unlock()
					if c >= used {
						return
					}
					samples := batch[c*chunk : min((c+1)*chunk, len(batch))]
					losses[c] = tr.chunk(tapes[w], plan, ws, samples, grads[c])
				}
			})
		}
		wg.Wait()
		clear(g)
		for c := range used {
			total += losses[c]
			for i, v := range grads[c] {
				g[i] += v
			}
		}
		for i := range g {
			g[i] /= float64(len(batch))
		}

		ep.LR = tr.cfg.Schedule.rate(tr.steps, e)
		tr.opt.step(tr.n.theta, g, tr.n.decay, ep.LR)
		if tr.clipping {
			tr.clip()
		}
		tr.steps++
	}
	ep.Steps = tr.steps
	ep.Loss = total / float64(N)
	return ep, nil
}

// chunk adds the gradients of the given samples into g (cleared first)
// and returns the sum of their losses.
func (tr *trainer) chunk(t *tape, plan *quantize.Plan, ws *weights, samples []int, g []float64) float64 {
	clear(g)
	n, d := tr.n, tr.data
	inLen, c := n.shapes[0].len(), n.classes()
	sum := 0.0
	for _, s := range samples {
		x := d.X[s*inLen : (s+1)*inLen]
		if plan != nil {
			n.forwardPlan(plan, t, x)
		} else {
			n.forwardFloat(t, x)
		}
		var teacher []float64
		if d.Teacher != nil {
			teacher = d.Teacher[s*c : (s+1)*c]
		}
		L := len(n.layers)
		sum += tr.cfg.Loss.eval(t.acts[L], d.Labels[s], teacher, t.grads[L])
		n.backward(t, ws, g, plan != nil)
	}
	return sum
}

// bounds records the range of every parameter's format from the plan.
func (tr *trainer) bounds() error {
	p, err := quantize.Build(tr.n.m)
	if err != nil {
		return fmt.Errorf("distill: %w", err)
	}
	if _, err := tr.n.planWeights(p); err != nil {
		return fmt.Errorf("distill: %w", err)
	}
	tr.lo = make([]float64, len(tr.n.theta))
	tr.hi = make([]float64, len(tr.n.theta))
	tr.n.eachParam(p, func(off int, f fixedpoint.Format, _ int64) {
		tr.lo[off], tr.hi[off] = f.Min(), f.Max()
	})
	return nil
}

// clip keeps every parameter within its format's range, so that
// quantizing it never overflows.
func (tr *trainer) clip() {
	for i, v := range tr.n.theta {
		tr.n.theta[i] = min(max(v, tr.lo[i]), tr.hi[i])
	}
}

// storeQuantized replaces the parameters by their quantized values, the
// constants of the firmware.
func (tr *trainer) storeQuantized() error {
	p, err := quantize.Build(tr.n.m)
	if err != nil {
		return fmt.Errorf("distill: %w", err)
	}
	tr.n.eachParam(p, func(off int, f fixedpoint.Format, raw int64) {
		tr.n.theta[off] = f.Float(raw)
	})
	return nil
}

// score evaluates m on d, in fixed point (the golden emulator) or in
// float64.
func score(m *models.Model, d *Data, quantized bool, workers int) (*metrics.Summary, error) {
	var p *quantize.Plan
	if quantized {
		var err error
		if p, err = quantize.Build(m); err != nil {
			return nil, err
		}
	}
	return scorePlan(m, p, d, workers)
}

// scorePlan evaluates m on d: in fixed point with its plan p, or in
// float64 when p is nil.
func scorePlan(m *models.Model, p *quantize.Plan, d *Data, workers int) (*metrics.Summary, error) {
	out, width, kind, err := predict(m, p, d.X, d.N(), workers)
	if err != nil {
		return nil, err
	}
	return metrics.Summarize(out, width, kind, d.Labels)
}

// Predict runs m on n inputs x, in fixed point or in float64, and returns
// the outputs with their width and how they score (probabilities after a
// softmax, logits otherwise).
func Predict(m *models.Model, x []float64, n int, quantized bool, workers int) (
	out []float64, width int, kind metrics.Kind, err error) {

	var p *quantize.Plan
	if quantized {
		if p, err = quantize.Build(m); err != nil {
			return nil, 0, 0, err
		}
	}
	return predict(m, p, x, n, workers)
}

// predict is Predict with the plan p already built (nil for float64).
func predict(m *models.Model, p *quantize.Plan, x []float64, n int, workers int) (
	out []float64, width int, kind metrics.Kind, err error) {

	kind = metrics.Logits
	if last := m.Layers[len(m.Layers)-1]; last.Name == m.Output && last.Kind == models.Softmax {
		kind = metrics.Probabilities
	}
	if p == nil {
		out = quantize.Float(m, x, n)
		return out, len(out) / max(n, 1), kind, nil
	}
	res, err := p.Emulate(x, n, quantize.Options{Workers: workers})
	if err != nil {
		return nil, 0, 0, err
	}
	return res.Y, p.Output().Len(), kind, nil
}

// cloneModel returns a copy of m whose arrays are its own.
func cloneModel(m *models.Model) *models.Model {
	c := *m
	c.Input.Shape = append([]int(nil), m.Input.Shape...)
	c.Layers = make([]*models.Layer, len(m.Layers))
	for k, l := range m.Layers {
		cl := *l
		cl.Weight = make([][]float64, len(l.Weight))
		for j, row := range l.Weight {
			cl.Weight[j] = append([]float64(nil), row...)
		}
		for _, a := range []*[]float64{&cl.Bias, &cl.Gamma, &cl.Beta, &cl.Mean, &cl.Var} {
			if *a != nil {
				*a = append([]float64(nil), (*a)...)
			}
		}
		c.Layers[k] = &cl
	}
	if m.Features != nil {
		f := *m.Features
		c.Features = &f
	}
	return &c
}
