package netlist

import (
	"errors"
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"kd2fpga/fixedpoint"
	"kd2fpga/models"
	"kd2fpga/quantize"
)

// Options tunes the lowering and the passes of Build.
type Options struct {
	// MaxTableBits is the widest index a lookup table may have (the ROM
	// then has 2^MaxTableBits entries); 0 means 16.
	MaxTableBits int
	// ClockNs is the clock period Schedule pipelines for; 0 means the
	// model's target clock, or 5 ns.
	ClockNs float64
	// Delays is the delay model of Schedule; nil means DefaultDelays.
	Delays *Delays
	// Check, when set, runs after lowering and after every pass of
	// Build; the tests set it to Verify.
	Check func(*Netlist) error
}

// defaults fills the unset options.
func (o *Options) defaults(p *quantize.Plan) {
	if o.MaxTableBits == 0 {
		o.MaxTableBits = 16
	}
	if o.ClockNs == 0 && p.Model != nil {
		o.ClockNs = p.Model.Target.ClockNs
	}
	if o.ClockNs == 0 {
		o.ClockNs = 5
	}
	if o.Delays == nil {
		d := DefaultDelays
		o.Delays = &d
	}
}

// ErrUnsupported is wrapped by the errors of plans the lowering cannot
// build (yet).
var ErrUnsupported = errors.New("netlist: unsupported")

// Lower turns a plan into a netlist that computes exactly what
// quantize.Plan.Run computes; once scheduled it takes an input vector
// every II clock cycles. Errors name the model layer at fault, with its
// position.
func Lower(p *quantize.Plan, opt Options) (*Netlist, error) {
	opt.defaults(p)
	n := &Netlist{Name: p.Name}
	if p.Model != nil {
		n.Description = p.Model.Description
	}
	l := &lowerer{b: newBuilder(n), plan: p, opt: opt}

	// the input bus, element 0 in the least significant bits
	l.b.layer = l.layer("input", "input")
	in := l.inputs()
	if l.b.err != nil {
		var pos hcl.Range
		if p.Model != nil {
			pos = p.Model.Input.Pos
		}
		return nil, fmt.Errorf("%sinput: %w", position(pos), l.b.err)
	}

	// the ops, in plan order; a shared per-particle network and the
	// pooling after it at once
	outs := make([][]value, len(p.Ops))
	var errs []error
	fail := func(op *quantize.Op, err error) {
		errs = append(errs, fmt.Errorf("%slayer %q: %w", position(op.Pos), op.Name, err))
	}
	for i := 0; i < len(p.Ops); i++ {
		op := p.Ops[i]
		if last := l.sharedChain(i); last >= 0 {
			ys, pooled := l.shared(i, last, fail)
			if ys == nil && pooled == nil {
				return nil, errors.Join(errs...)
			}
			outs[last] = ys
			if pooled != nil {
				last++
				outs[last] = pooled
			}
			i = last
			continue
		}
		src := in
		if op.In >= 0 {
			src = outs[op.In]
		}
		l.b.layer = l.layer(op.Name, op.Kind.String())
		l.b.err = nil
		ys, err := l.op(op, src)
		if err == nil {
			err = l.b.err
		}
		if err != nil {
			fail(op, err)
			ys = make([]value, op.Out.Len())
			for k := range ys {
				ys[k] = value{l.b.constant(0), 0}
			}
		}
		outs[i] = ys
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	// the output bus
	last := p.Ops[len(p.Ops)-1]
	l.b.layer = l.layer("output", "output")
	off := 0
	for k, v := range outs[len(p.Ops)-1] {
		f := last.Out.Formats[k%len(last.Out.Formats)]
		node := l.b.output(v, f)
		n.Outputs = append(n.Outputs, Output{Node: node, Format: f, Offset: off})
		off += f.Width
	}
	n.OutWidth = off
	if l.b.err != nil {
		return nil, fmt.Errorf("output: %w", l.b.err)
	}
	return n, nil
}

// position formats where a layer is declared, as a message prefix.
func position(r hcl.Range) string {
	if r.Filename == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d,%d: ", r.Filename, r.Start.Line, r.Start.Column)
}

// lowerer holds the state of one Lower call.
type lowerer struct {
	b     *builder
	plan  *quantize.Plan
	opt   Options
	in    []value // the plan input elements
	valid []*Node // per particle: not padding; built on first use
	roms  map[romKey]*ROM
}

// romKey identifies the contents of a table's ROM: the same table
// indexed by words of the same shape and interval has the same entries,
// and the printers declare it once.
type romKey struct {
	t       *quantize.TableOp
	width   int
	signed  bool
	min, mx int64
}

// layer records a layer for names and returns its index.
func (l *lowerer) layer(name, kind string) int {
	l.b.n.Layers = append(l.b.n.Layers, Layer{Name: name, Kind: kind})
	return len(l.b.n.Layers) - 1
}

// inputs creates one node per element of the input bus.
func (l *lowerer) inputs() []value {
	t := l.plan.Input
	fs := t.Formats
	off := 0
	for k := range t.Len() {
		f := fs[k%len(fs)]
		lo, hi := f.MinRaw(), f.MaxRaw()
		m := &Node{Kind: KInput, Value: int64(k), Offset: off, Width: f.Width, Signed: f.Signed}
		if f.Width > MaxWidth {
			l.b.err = errTooWide
			m.Width = MaxWidth
			lo, hi = rangeOf(MaxWidth, f.Signed)
		}
		m = l.b.add(m, lo, hi)
		l.b.n.Inputs = append(l.b.n.Inputs, Input{Node: m, Format: f})
		l.in = append(l.in, value{m, f.Frac()})
		off += f.Width
	}
	l.b.n.InWidth = off
	return l.in
}

// op lowers one plan op reading the values xs.
func (l *lowerer) op(op *quantize.Op, xs []value) ([]value, error) {
	switch op.Kind {
	case quantize.OpDense, quantize.OpScale:
		if R := l.reuseOf(op); R > 1 {
			return l.denseReuse(op, xs, R), nil
		}
		return l.dense(op, xs), nil
	case quantize.OpReLU:
		return l.elementwise(op, xs, func(x value, f fixedpoint.Format) value {
			return l.b.cast(l.relu(x), f)
		}), nil
	case quantize.OpLeakyReLU:
		return l.elementwise(op, xs, func(x value, f fixedpoint.Format) value {
			return l.leaky(op.Leaky, x, f)
		}), nil
	case quantize.OpLinear:
		return l.elementwise(op, xs, l.b.cast), nil
	case quantize.OpTable:
		var err error
		ys := l.elementwise(op, xs, func(x value, f fixedpoint.Format) value {
			y, e := l.table(op.Table, x)
			if e != nil {
				err = e
			}
			return l.b.cast(y, f)
		})
		return ys, err
	case quantize.OpSoftmax:
		return l.softmax(op, xs)
	case quantize.OpPool:
		return l.pool(op, xs)
	case quantize.OpFlatten:
		return xs, nil
	}
	return nil, fmt.Errorf("%w: op kind %s", ErrUnsupported, op.Kind)
}

// elementwise applies fn to every element with its result format.
func (l *lowerer) elementwise(op *quantize.Op, xs []value,
	fn func(value, fixedpoint.Format) value) []value {
	fs := op.Out.Formats
	ys := make([]value, len(xs))
	for k, x := range xs {
		ys[k] = fn(x, fs[k%len(fs)])
	}
	return ys
}

// dense lowers a dense layer (or an elementwise scale): per output, the
// products cast to the accumulator, summed with the bias in a balanced
// tree, cast to the accumulator again and to the result. A particle
// input applies the same weights to every particle.
func (l *lowerer) dense(op *quantize.Op, xs []value) []value {
	d := op.Dense
	b := l.b
	in := d.In
	if op.Kind == quantize.OpScale {
		in = d.Units
	}
	groups := len(xs) / in
	ys := make([]value, 0, groups*d.Units)
	for g := range groups {
		x := xs[g*in : (g+1)*in]
		for j := range d.Units {
			acc := d.Accum[j]
			var terms []value
			for i, w := range d.W[j] {
				if w == 0 {
					continue
				}
				xi := x[i]
				if op.Kind == quantize.OpScale {
					xi = x[j]
				}
				p := b.mulConstValue(xi, w, d.WFormat[j][i].Frac())
				terms = append(terms, b.cast(p, acc))
			}
			if d.B != nil && d.B[j] != 0 {
				terms = append(terms, b.cast(b.constValue(d.B[j], d.BFormat[j].Frac()), acc))
			}
			sum := b.cast(l.sumTree(terms), acc)
			ys = append(ys, b.cast(sum, op.Out.Formats[j]))
		}
	}
	return ys
}

// sumTree adds the terms in a balanced binary tree (the sum is exact, so
// the order does not change it; the depth is logarithmic).
func (l *lowerer) sumTree(terms []value) value {
	if len(terms) == 0 {
		return value{l.b.constant(0), 0}
	}
	for len(terms) > 1 {
		next := terms[:0:0]
		for i := 0; i+1 < len(terms); i += 2 {
			next = append(next, l.b.addValues(terms[i], terms[i+1]))
		}
		if len(terms)%2 == 1 {
			next = append(next, terms[len(terms)-1])
		}
		terms = next
	}
	return terms[0]
}

// relu returns max(x, 0).
func (l *lowerer) relu(x value) value {
	switch {
	case x.n.Min >= 0:
		return x
	case x.n.Max <= 0:
		return value{l.b.constant(0), 0}
	}
	y := l.b.mux(l.b.sign(x.n), l.b.constant(0), x.n, 0, x.n.Max)
	return value{y, x.frac}
}

// leaky returns castR(x) for x >= 0 and castR(slope * x) below.
func (l *lowerer) leaky(s *quantize.LeakyOp, x value, f fixedpoint.Format) value {
	pos := l.b.cast(x, f)
	neg := l.b.cast(l.b.mulConstValue(x, s.Slope, s.SlopeFormat.Frac()), f)
	return l.muxValues(l.b.sign(x.n), neg, pos)
}

// muxValues returns s ? x : y, aligned to a common binary point.
func (l *lowerer) muxValues(s *Node, x, y value) value {
	if s.IsConst() {
		if s.Value != 0 {
			return x
		}
		return y
	}
	x, y = l.b.align(x, y)
	return value{l.b.muxUnion(s, x.n, y.n), x.frac}
}

// maxValue returns the larger of x and y.
func (l *lowerer) maxValue(x, y value) value {
	x, y = l.b.align(x, y)
	lt := l.b.less(x.n, y.n, false)
	m := l.b.mux(lt, y.n, x.n, max(x.n.Min, y.n.Min), max(x.n.Max, y.n.Max))
	return value{m, x.frac}
}

// table looks x up in t: the ROM is indexed by the bit pattern of the
// index word castIdx(x).
func (l *lowerer) table(t *quantize.TableOp, x value) (value, error) {
	idx := l.b.toFormat(l.b.cast(x, t.Index), t.Index)
	if idx.Width > l.opt.MaxTableBits {
		return value{}, fmt.Errorf("%w: table index of %d bits (at most %d)",
			ErrUnsupported, idx.Width, l.opt.MaxTableBits)
	}
	if idx.IsConst() {
		k := idx.Value - t.Index.MinRaw()
		return value{l.b.constant(t.Entries[k]), t.Entry.Frac()}, nil
	}
	key := romKey{t, idx.Width, idx.Signed, idx.Min, idx.Max}
	rom := l.roms[key]
	if rom == nil {
		rom = &ROM{Entries: make([]int64, 1<<idx.Width)}
		for u := range rom.Entries {
			k := fromPattern(uint64(u), idx.Width, idx.Signed) - t.Index.MinRaw()
			// patterns outside the index's interval never occur: repeat
			// the nearest entry, which keeps the ROM's range tight
			k = min(max(k, idx.Min-t.Index.MinRaw(), 0), idx.Max-t.Index.MinRaw(), int64(len(t.Entries)-1))
			rom.Entries[u] = t.Entries[k]
		}
		if l.roms == nil {
			l.roms = make(map[romKey]*ROM)
		}
		l.roms[key] = rom
	}
	return value{l.b.rom(idx, rom), t.Entry.Frac()}, nil
}

// softmax lowers y_i = castR(e_i * r), e_i = Exp[castIdx(m - x_i)] with m
// the maximum, r = Inv[castIdx(sum e)], over the features of each row (a
// particle tensor has one row per particle).
func (l *lowerer) softmax(op *quantize.Op, xs []value) ([]value, error) {
	F := op.Out.Features()
	fs := op.Out.Formats
	ys := make([]value, 0, len(xs))
	for row := 0; row < len(xs); row += F {
		y, err := l.softmaxRow(op.Softmax, xs[row:row+F], fs)
		if err != nil {
			return nil, err
		}
		ys = append(ys, y...)
	}
	return ys, nil
}

func (l *lowerer) softmaxRow(s *quantize.SoftmaxOp, xs []value, fs []fixedpoint.Format) ([]value, error) {
	m := xs[0]
	for _, x := range xs[1:] {
		m = l.maxValue(m, x)
	}
	es := make([]value, len(xs))
	for i, x := range xs {
		e, err := l.table(&s.Exp, l.b.subValues(m, x))
		if err != nil {
			return nil, err
		}
		es[i] = e
	}
	r, err := l.table(&s.Inv, l.sumTree(es))
	if err != nil {
		return nil, err
	}
	ys := make([]value, len(xs))
	for i, e := range es {
		p := value{l.b.mul(e.n, r.n), e.frac + r.frac}
		ys[i] = l.b.cast(p, fs[i])
	}
	return ys, nil
}

// particleValid returns, per particle of the plan input, whether any of
// its raw input words is nonzero (a padding particle takes no part in
// pooling).
func (l *lowerer) particleValid() []*Node {
	if l.valid != nil {
		return l.valid
	}
	t := l.plan.Input
	P, F := t.Particles(), t.Features()
	for p := range P {
		var ors []*Node
		for f := range F {
			ors = append(ors, l.b.orReduce(l.in[p*F+f].n))
		}
		l.valid = append(l.valid, l.orTree(ors))
	}
	return l.valid
}

// orTree returns the OR of one-bit nodes, as a balanced tree.
func (l *lowerer) orTree(xs []*Node) *Node {
	if len(xs) == 0 {
		return l.b.constant(0)
	}
	for len(xs) > 1 {
		var next []*Node
		for i := 0; i+1 < len(xs); i += 2 {
			next = append(next, l.b.or(xs[i], xs[i+1]))
		}
		if len(xs)%2 == 1 {
			next = append(next, xs[len(xs)-1])
		}
		xs = next
	}
	return xs[0]
}

// pool reduces a particle tensor over its real particles: per feature,
// the sum of the terms cast to the accumulator (padding gives 0), or the
// maximum (padding gives the feature's smallest value, which never
// wins); poolTail finishes.
func (l *lowerer) pool(op *quantize.Op, xs []value) ([]value, error) {
	po := op.Pool
	in := l.plan.Input
	if in.Particles() == 0 {
		return nil, fmt.Errorf("%w: pooling without a particle input", ErrUnsupported)
	}
	b := l.b
	valid := l.particleValid()
	P := len(valid)
	F := len(xs) / P
	zero := value{b.constant(0), 0}
	accs := make([]value, F)
	for f := range F {
		switch po.Op {
		case models.PoolMax:
			col := make([]value, P)
			neutral := value{b.constant(0), 0}
			for q := range P {
				col[q] = xs[q*F+f]
				neutral.frac = max(neutral.frac, col[q].frac)
			}
			var low int64
			for q := range P {
				col[q], _ = b.align(col[q], neutral)
				low = min(low, col[q].n.Min)
			}
			m := l.muxValues(valid[0], col[0], value{b.constant(low), neutral.frac})
			for q := 1; q < P; q++ {
				x := l.muxValues(valid[q], col[q], value{b.constant(low), neutral.frac})
				m = l.maxValue(m, x)
			}
			accs[f] = m
		default:
			terms := make([]value, 0, P)
			for q := range P {
				x := xs[q*F+f]
				if po.Op == models.PoolWeightedSum {
					w := l.in[q*in.Features()+po.WeightFeature]
					x = value{b.mul(w.n, x.n), w.frac + x.frac}
				}
				terms = append(terms, l.muxValues(valid[q], b.cast(x, po.Accum[f]), zero))
			}
			accs[f] = l.sumTree(terms)
		}
	}
	return l.poolTail(op, accs), nil
}
