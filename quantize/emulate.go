package quantize

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"kd2fpga/fixedpoint"
)

// program is a plan compiled for emulation: one kernel per op. It is
// immutable and shared by every machine that runs it.
type program struct {
	p       *Plan
	kernels []kernel
	inLen   int
	outLen  int
	scratch int // words of scratch a kernel needs (softmax rows)
	mask    bool
	inQ     []floatQuantizer // per input feature
	pool    sync.Pool        // of *machine
}

// machine holds the buffers of one emulation in progress.
type machine struct {
	prog    *program
	bufs    [][]int64 // the output of each op
	mask    []bool    // which particles of the input are real (not padding)
	input   []int64   // the plan input of the sample being run
	scratch []int64
}

// compile returns the program of p, compiling it on first use. A plan
// must not be changed once it has been run.
func (p *Plan) compile() *program {
	if pr := p.prog.Load(); pr != nil {
		return pr
	}
	pr := &program{p: p, inLen: p.Input.Len(), outLen: p.Output().Len()}
	for _, f := range p.Input.Formats {
		pr.inQ = append(pr.inQ, newFloatQuantizer(f))
	}
	for _, op := range p.Ops {
		src := p.Input
		if op.In >= 0 {
			src = p.Ops[op.In].Out
		}
		pr.kernels = append(pr.kernels, compileOp(p, op, src))
		if op.Kind == OpSoftmax {
			pr.scratch = max(pr.scratch, src.Features())
		}
		if op.Kind == OpPool {
			pr.mask = true
		}
	}
	pr.pool.New = func() any { return pr.newMachine() }
	p.prog.CompareAndSwap(nil, pr)
	return p.prog.Load()
}

// newMachine allocates the buffers for one run at a time.
func (pr *program) newMachine() *machine {
	m := &machine{prog: pr, scratch: make([]int64, pr.scratch)}
	for _, op := range pr.p.Ops {
		m.bufs = append(m.bufs, make([]int64, op.Out.Len()))
	}
	if pr.mask {
		m.mask = make([]bool, pr.p.Input.Particles())
	}
	return m
}

// run computes one sample: in holds the plan input's raw words, out
// receives the output's.
func (m *machine) run(in, out []int64, st *Stats) {
	pr := m.prog
	m.input = in

	// padding: a particle whose raw input words are all zero.
	if pr.mask {
		F := pr.p.Input.Features()
		for p := range m.mask {
			real := false
			for _, v := range in[p*F : (p+1)*F] {
				real = real || v != 0
			}
			m.mask[p] = real
		}
	}

	for k, kern := range pr.kernels {
		x := in
		if op := pr.p.Ops[k]; op.In >= 0 {
			x = m.bufs[op.In]
		}
		var os *OpStats
		if st != nil {
			os = &st.Ops[k]
		}
		kern.run(m, x, m.bufs[k], os)
	}
	copy(out, m.bufs[len(m.bufs)-1])
	if st != nil {
		st.Samples++
	}
}

// Run computes the plan's output for one sample, bit-exactly: in holds
// the raw words of the input (row-major [P, F] or [F], each in its
// feature's format), out receives the raw words of the output tensor.
// When st is not nil, it must come from NewStats(p), and Run adds this
// sample's cast counts and value ranges to it (which is slower).
// Run panics if in or out has the wrong length. It is safe for concurrent
// use, with a separate st per goroutine. The first Run (or Emulate)
// compiles the plan; the plan must not change after that.
func (p *Plan) Run(in, out []int64, st *Stats) {
	pr := p.compile()
	if len(in) != pr.inLen || len(out) != pr.outLen {
		panic(fmt.Sprintf("quantize: Run with %d input and %d output words, want %d and %d",
			len(in), len(out), pr.inLen, pr.outLen))
	}
	m := pr.pool.Get().(*machine)
	m.run(in, out, st)
	pr.pool.Put(m)
}

// Trace computes one sample as Run does and copies the raw output of
// every op into outs: outs[k] receives op k's Out.Len() words, so the last
// entry is Run's output. Quantization-aware training runs its forward
// pass through Trace, on the same kernels as Emulate, so that a trained
// network computes exactly what its firmware does. Trace panics if in or
// an entry of outs has the wrong length.
func (p *Plan) Trace(in []int64, outs [][]int64) {
	pr := p.compile()
	if len(in) != pr.inLen || len(outs) != len(p.Ops) {
		panic(fmt.Sprintf("quantize: Trace with %d input words and %d outputs, want %d and %d",
			len(in), len(outs), pr.inLen, len(p.Ops)))
	}
	for k, op := range p.Ops {
		if len(outs[k]) != op.Out.Len() {
			panic(fmt.Sprintf("quantize: Trace output %d has %d words, want %d",
				k, len(outs[k]), op.Out.Len()))
		}
	}
	m := pr.pool.Get().(*machine)
	m.run(in, outs[len(outs)-1], nil)
	for k := range p.Ops {
		copy(outs[k], m.bufs[k])
	}
	pr.pool.Put(m)
}

// NewStats returns empty statistics for runs of p.
func NewStats(p *Plan) *Stats { return newStats(p) }

// QuantizeInput converts one sample of float inputs x into the raw words
// of the plan input, each with its feature's format (quantization mode,
// then overflow mode), and returns the union of the conversions' status.
// It panics if x or raw does not have the input's length.
func (p *Plan) QuantizeInput(x []float64, raw []int64) fixedpoint.Status {
	n := p.Input.Len()
	if len(x) != n || len(raw) != n {
		panic(fmt.Sprintf("quantize: QuantizeInput with %d floats and %d words, want %d",
			len(x), len(raw), n))
	}
	return p.compile().quantizeInput(x, raw, nil)
}

// quantizeInput is QuantizeInput, counting each conversion in c when c is
// not nil.
func (pr *program) quantizeInput(x []float64, raw []int64, c *Counts) fixedpoint.Status {
	var all fixedpoint.Status
	F := len(pr.inQ)
	for row := 0; row < len(x); row += F {
		for f, v := range x[row : row+F] {
			r, st := pr.inQ[f].quantize(v)
			raw[row+f] = r
			all |= st
			if c != nil {
				c.add(st)
			}
		}
	}
	return all
}

// Options tunes Emulate.
type Options struct {
	// Workers is the number of goroutines; 0 means runtime.NumCPU().
	Workers int
	// Stats asks for cast counts and value ranges per op (slower).
	Stats bool
}

// Result is the outcome of emulating a batch.
type Result struct {
	N      int       // samples
	OutLen int       // words per sample
	Raw    []int64   // raw output words, [N, OutLen]
	Y      []float64 // their values, [N, OutLen]
	Stats  *Stats    // nil unless Options.Stats
}

// Emulate runs the plan on n samples of float inputs x ([n, input length],
// row-major), quantizing each input as QuantizeInput does. The results do
// not depend on the number of workers. It returns an error for a NaN or
// infinite input.
func (p *Plan) Emulate(x []float64, n int, opt Options) (*Result, error) {
	pr := p.compile()
	if len(x) != n*pr.inLen {
		return nil, fmt.Errorf("quantize: %d input values for %d samples of %d", len(x), n, pr.inLen)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("quantize: sample %d, input %d is %v", i/pr.inLen, i%pr.inLen, v)
		}
	}
	res := &Result{N: n, OutLen: pr.outLen,
		Raw: make([]int64, n*pr.outLen), Y: make([]float64, n*pr.outLen)}

	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	workers = max(min(workers, n), 1)
	stats := make([]*Stats, workers)
	for w := range stats {
		if opt.Stats {
			stats[w] = newStats(p)
		}
	}
	if workers == 1 {
		pr.emulateRange(x, res, 0, n, stats[0])
	} else {
		var wg sync.WaitGroup
		for w := range workers {
			lo, hi := n*w/workers, n*(w+1)/workers
			wg.Go(func() { pr.emulateRange(x, res, lo, hi, stats[w]) })
		}
		wg.Wait()
	}

	if opt.Stats {
		res.Stats = newStats(p)
		for _, s := range stats {
			res.Stats.Merge(s)
		}
	}
	return res, nil
}

// emulateRange runs samples [lo, hi) into res.
func (pr *program) emulateRange(x []float64, res *Result, lo, hi int, st *Stats) {
	m := pr.newMachine()
	in := make([]int64, pr.inLen)
	out := pr.p.Output()
	F := out.Features()
	for i := lo; i < hi; i++ {
		xs := x[i*pr.inLen : (i+1)*pr.inLen]
		var c *Counts
		if st != nil {
			c = &st.Input
		}
		pr.quantizeInput(xs, in, c)
		raw := res.Raw[i*pr.outLen : (i+1)*pr.outLen]
		m.run(in, raw, st)
		y := res.Y[i*pr.outLen : (i+1)*pr.outLen]
		for row := 0; row < len(raw); row += F {
			for f, r := range raw[row : row+F] {
				y[row+f] = out.Formats[f].Float(r)
			}
		}
	}
}
