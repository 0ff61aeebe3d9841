package netlist

import (
	"kd2fpga/models"
	"kd2fpga/quantize"
)

// This file lowers the two kinds of loops (see Region): a dense layer
// with a reuse factor, and the per-particle network of a Deep Set shared
// by the particles.

// beginRegion opens a region of the given number of steps and returns
// its counter; every node built until endRegion belongs to it.
func (b *builder) beginRegion(steps int) *Node {
	b.n.Regions = append(b.n.Regions, Region{Steps: steps, Layer: b.layer})
	b.region = len(b.n.Regions)
	return b.add(&Node{Kind: KCounter, Value: int64(steps)}, 0, int64(steps))
}

func (b *builder) endRegion() { b.region = 0 }

// hold returns x captured for the steps of the current region.
func (b *builder) hold(x *Node) *Node {
	if x.IsConst() {
		return x
	}
	return b.add(&Node{Kind: KHold, Args: []*Node{x}, Width: x.Width, Signed: x.Signed}, x.Min, x.Max)
}

// step returns xs[t] in step t of counter c.
func (b *builder) step(c *Node, xs []*Node) *Node {
	same := true
	lo, hi := xs[0].Min, xs[0].Max
	for _, x := range xs {
		same = same && x == xs[0]
		lo, hi = min(lo, x.Min), max(hi, x.Max)
	}
	if same {
		return xs[0]
	}
	return b.add(&Node{Kind: KStep, Args: append([]*Node{c}, xs...)}, lo, hi)
}

// accumulate returns the sum (AccSum) or maximum (AccMax) of x over the
// steps of counter c. The interval of a sum covers every partial sum.
func (b *builder) accumulate(c, x *Node, mode int) *Node {
	steps := c.Value
	lo, hi := x.Min, x.Max
	if mode == AccSum {
		var ok1, ok2 bool
		lo, ok1 = mulOK(min(lo, 0), steps)
		hi, ok2 = mulOK(max(hi, 0), steps)
		if !ok1 || !ok2 {
			return b.tooWide()
		}
	}
	return b.add(&Node{Kind: KAcc, Args: []*Node{c, x}, Value: int64(mode)}, lo, hi)
}

// collect returns x of step k of counter c.
func (b *builder) collect(c, x *Node, k int) *Node {
	if x.IsConst() {
		return x
	}
	return b.add(&Node{Kind: KCollect, Args: []*Node{c, x}, Value: int64(k),
		Width: x.Width, Signed: x.Signed}, x.Min, x.Max)
}

// denseReuse lowers a dense layer (or scale) with reuse factor R > 1: per
// output, ceil(n/R) multipliers for its n nonzero weights, each computing
// one product per step from a weight chosen by the step and an input
// chosen by the step, cast to the accumulator and summed over the R
// steps. The sum of the multipliers' sums, the bias and the final casts
// are ordinary logic after the loop. The sums are exact, so the result
// equals the fully parallel layer's.
func (l *lowerer) denseReuse(op *quantize.Op, xs []value, R int) []value {
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
		c := b.beginRegion(R)

		// the inputs, held and brought to a common binary point
		fx := x[0].frac
		for _, v := range x {
			fx = max(fx, v.frac)
		}
		held := make([]*Node, len(x))
		for i := range x {
			held[i] = b.shl(b.hold(x[i].n), fx-x[i].frac) // pruned if unused
		}

		// the multipliers of each output, summed over the steps
		sums := make([][]value, d.Units)
		for j := range d.Units {
			type term struct {
				i    int
				w    int64
				frac int
			}
			var terms []term
			wf := 0
			for i, w := range d.W[j] {
				if w == 0 {
					continue
				}
				f := d.WFormat[j][i].Frac()
				if op.Kind == quantize.OpScale {
					i = j // the diagonal's one weight
				}
				if len(terms) == 0 || f > wf {
					wf = f
				}
				terms = append(terms, term{i, w, f})
			}
			for m := 0; m*R < len(terms); m++ {
				xsel := make([]*Node, R)
				wsel := make([]*Node, R)
				for t := range R {
					xsel[t], wsel[t] = b.constant(0), b.constant(0)
					if k := m*R + t; k < len(terms) {
						tm := terms[k]
						xsel[t] = held[tm.i]
						wsel[t] = b.shl(b.constant(tm.w), wf-tm.frac)
					}
				}
				p := value{b.mul(b.step(c, xsel), b.step(c, wsel)), fx + wf}
				t := b.cast(p, d.Accum[j])
				sums[j] = append(sums[j], value{b.accumulate(c, t.n, AccSum), t.frac})
			}
		}
		b.endRegion()

		// the bias and the casts, after the loop
		for j := range d.Units {
			terms := sums[j]
			if d.B != nil && d.B[j] != 0 {
				terms = append(terms, b.cast(b.constValue(d.B[j], d.BFormat[j].Frac()), d.Accum[j]))
			}
			sum := b.cast(l.sumTree(terms), d.Accum[j])
			ys = append(ys, b.cast(sum, op.Out.Formats[j]))
		}
	}
	return ys
}

// sharedChain returns the index of the last op of the per-particle chain
// starting at op i when the model shares one copy of the per-particle
// network among the particles: ops i..last have particle outputs, each
// reads the one before (the first reads the plan input), none is read by
// any other op, and op last+1, when it exists, pools or flattens. It
// returns -1 when ops i.. are no such chain.
func (l *lowerer) sharedChain(i int) int {
	p := l.plan
	if p.Model == nil || p.Model.Target.Particles != "share" || p.Input.Particles() == 0 ||
		p.Ops[i].In != -1 || p.Ops[i].Out.Particles() == 0 {
		return -1
	}
	last := i
	for last+1 < len(p.Ops) && p.Ops[last+1].In == last && p.Ops[last+1].Out.Particles() > 0 {
		last++
	}
	for k, op := range p.Ops {
		if (k < i || k > last+1) && op.In >= i && op.In < last {
			return -1
		}
	}
	return last
}

// shared lowers ops first..last (a chain, see sharedChain) as one copy of
// the per-particle network used by one particle per step, and the op
// after it: a pooling accumulates over the steps, padding excluded;
// anything else collects every particle's result. It returns the values
// of op last and of the op after it (nil when there is none).
func (l *lowerer) shared(first, last int, opErr func(*quantize.Op, error)) ([]value, []value) {
	p := l.plan
	b := l.b
	P, F := p.Input.Particles(), p.Input.Features()
	var pool *quantize.Op
	if last+1 < len(p.Ops) && p.Ops[last+1].Kind == quantize.OpPool {
		pool = p.Ops[last+1]
	}
	var valid []*Node
	if pool != nil {
		valid = l.particleValid()
	}

	// the particles, held, one per step
	b.layer = l.layer(p.Ops[first].Name, "particles")
	c := b.beginRegion(P)
	row := make([]value, F)
	for f := range F {
		col := make([]*Node, P)
		for q := range P {
			col[q] = b.hold(l.in[q*F+f].n)
		}
		row[f] = value{b.step(c, col), l.in[f].frac}
	}

	// the per-particle ops on one particle
	ys := row
	for k := first; k <= last; k++ {
		op := p.Ops[k]
		b.layer = l.layer(op.Name, op.Kind.String())
		b.err = nil
		out, err := l.op(op, ys)
		if err == nil {
			err = b.err
		}
		if err != nil {
			opErr(op, err)
			b.endRegion()
			return nil, nil
		}
		ys = out
	}

	// every particle's results, when no pooling follows
	if pool == nil {
		res := make([]value, 0, P*len(ys))
		for q := range P {
			for _, y := range ys {
				res = append(res, value{b.collect(c, y.n, q), y.frac})
			}
		}
		b.endRegion()
		return res, nil
	}

	// a pooling accumulates over the steps
	b.layer = l.layer(pool.Name, pool.Kind.String())
	po := pool.Pool
	held := make([]*Node, P)
	for q := range P {
		held[q] = b.hold(valid[q])
	}
	real := b.step(c, held)
	zero := value{b.constant(0), 0}
	accs := make([]value, len(ys))
	for f, x := range ys {
		switch po.Op {
		case models.PoolMax:
			low := value{b.constant(x.n.Min), x.frac}
			m := l.muxValues(real, x, low)
			accs[f] = value{b.accumulate(c, m.n, AccMax), m.frac}
		default:
			if po.Op == models.PoolWeightedSum {
				w := row[po.WeightFeature]
				x = value{b.mul(w.n, x.n), w.frac + x.frac}
			}
			t := l.muxValues(real, b.cast(x, po.Accum[f]), zero)
			accs[f] = value{b.accumulate(c, t.n, AccSum), t.frac}
		}
	}
	b.endRegion()
	return nil, l.poolTail(pool, accs)
}

// poolTail finishes a pooling from the per-feature sums (or maxima) of
// the real particles: the cast of a sum to the accumulator, a mean's
// reciprocal, the value 0 of a maximum over no particle, the cast to the
// result.
func (l *lowerer) poolTail(op *quantize.Op, accs []value) []value {
	po := op.Pool
	b := l.b
	valid := l.particleValid()
	fs := op.Out.Formats
	ys := make([]value, len(accs))
	var recip value
	if po.Op == models.PoolMean {
		recip = l.recip(po, valid)
	}
	for f, a := range accs {
		if po.Op == models.PoolMax {
			ys[f] = b.cast(l.muxValues(l.orTree(valid), a, value{b.constant(0), 0}), fs[f])
			continue
		}
		sum := b.cast(a, po.Accum[f])
		if po.Op == models.PoolMean {
			sum = value{b.mul(sum.n, recip.n), sum.frac + recip.frac}
		}
		ys[f] = b.cast(sum, fs[f])
	}
	return ys
}

// recip returns 1/n in the mean's format, n the number of real
// particles, from a ROM indexed by n.
func (l *lowerer) recip(po *quantize.PoolOp, valid []*Node) value {
	ones := make([]value, len(valid))
	for q, v := range valid {
		ones[q] = value{v, 0}
	}
	count := l.sumTree(ones).n
	rom := &ROM{Entries: make([]int64, 1<<count.Width)}
	for u := range rom.Entries {
		rom.Entries[u] = po.Recip[min(u, len(valid))]
	}
	return value{l.b.rom(count, rom), po.RecipFormat.Frac()}
}

// reuseOf returns the reuse factor to build op with: the op's, when it
// is a dense layer or a scale outside a shared region and above 1.
func (l *lowerer) reuseOf(op *quantize.Op) int {
	if l.b.region != 0 || (op.Kind != quantize.OpDense && op.Kind != quantize.OpScale) {
		return 1
	}
	return max(op.Reuse, 1)
}
