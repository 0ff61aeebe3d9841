package netlist

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// errTooWide is recorded when a value needs more than MaxWidth bits.
var errTooWide = errors.New("netlist: value needs more than 62 bits")

// builder appends nodes to a netlist. Every constructor folds constant
// operands (through compute, the same code Eval runs) and sizes the node
// from the interval of its result. A value that does not fit MaxWidth
// bits records errTooWide and yields a zero constant, so that lowering
// can go on and report every problem at once.
type builder struct {
	n      *Netlist
	layer  int
	region int // the region new nodes belong to, 0 outside any
	consts map[int64]*Node
	err    error // the first width problem of the current layer
}

func newBuilder(n *Netlist) *builder {
	return &builder{n: n, consts: make(map[int64]*Node)}
}

// limit is the largest magnitude a node's interval may reach.
const limit = int64(1) << (MaxWidth - 1)

// fits reports whether [lo, hi] fits MaxWidth bits, and records the
// problem when it does not.
func (b *builder) fits(lo, hi int64) bool {
	if lo < -limit || hi >= limit {
		if b.err == nil {
			b.err = errTooWide
		}
		return false
	}
	return true
}

// add appends a node with the given interval; its shape follows from it.
func (b *builder) add(m *Node, lo, hi int64) *Node {
	if !b.fits(lo, hi) {
		return b.constant(0)
	}
	if lo > hi {
		panic(fmt.Sprintf("netlist: empty interval [%d, %d] for %s", lo, hi, m.Kind))
	}
	m.Min, m.Max = lo, hi
	if m.Width == 0 {
		m.Width, m.Signed = shapeOf(lo, hi)
	}
	m.ID = len(b.n.Nodes)
	m.Layer = b.layer
	m.Region = b.region
	m.Stage = 0
	b.n.Nodes = append(b.n.Nodes, m)
	return m
}

// fold returns the constant m computes when all its operands are
// constants, and m itself otherwise (not yet appended).
func (b *builder) fold(m *Node) (*Node, bool) {
	for _, a := range m.Args {
		if !a.IsConst() {
			return m, false
		}
	}
	v := compute(m, func(i int) int64 { return m.Args[i].Value })
	return b.constant(v), true
}

// constant returns the constant node of value v.
func (b *builder) constant(v int64) *Node {
	if c, ok := b.consts[v]; ok {
		return c
	}
	c := &Node{Kind: KConst, Value: v, Stage: -1, ID: len(b.n.Nodes), Layer: -1}
	c.Min, c.Max = v, v
	c.Width, c.Signed = shapeOf(v, v)
	b.n.Nodes = append(b.n.Nodes, c)
	b.consts[v] = c
	return c
}

// checked interval arithmetic: ok is false on int64 overflow.

func addOK(x, y int64) (int64, bool) {
	s := x + y
	return s, (s > x) == (y > 0) || y == 0
}

func subOK(x, y int64) (int64, bool) {
	if y == math.MinInt64 {
		return 0, false
	}
	return addOK(x, -y)
}

func mulOK(x, y int64) (int64, bool) {
	if x == 0 || y == 0 {
		return 0, true
	}
	hi, lo := bits.Mul64(absU(x), absU(y))
	if hi != 0 || lo >= 1<<62 {
		return 0, false
	}
	p := int64(lo)
	if (x < 0) != (y < 0) {
		p = -p
	}
	return p, true
}

func absU(x int64) uint64 {
	if x < 0 {
		return uint64(-x)
	}
	return uint64(x)
}

// sum returns a + c.
func (b *builder) sum(a, c *Node) *Node {
	switch {
	case a.IsConst() && a.Value == 0:
		return c
	case c.IsConst() && c.Value == 0:
		return a
	}
	m := &Node{Kind: KAdd, Args: []*Node{a, c}}
	if f, ok := b.fold(m); ok {
		return f
	}
	lo, ok1 := addOK(a.Min, c.Min)
	hi, ok2 := addOK(a.Max, c.Max)
	if !ok1 || !ok2 {
		return b.tooWide()
	}
	return b.add(m, lo, hi)
}

// diff returns a - c.
func (b *builder) diff(a, c *Node) *Node {
	if c.IsConst() && c.Value == 0 {
		return a
	}
	m := &Node{Kind: KSub, Args: []*Node{a, c}}
	if f, ok := b.fold(m); ok {
		return f
	}
	lo, ok1 := subOK(a.Min, c.Max)
	hi, ok2 := subOK(a.Max, c.Min)
	if !ok1 || !ok2 {
		return b.tooWide()
	}
	return b.add(m, lo, hi)
}

// mulConst returns a * k.
func (b *builder) mulConst(a *Node, k int64) *Node {
	switch {
	case k == 0:
		return b.constant(0)
	case k == 1:
		return a
	case k == -1:
		return b.diff(b.constant(0), a)
	}
	m := &Node{Kind: KMulConst, Args: []*Node{a}, Value: k}
	if f, ok := b.fold(m); ok {
		return f
	}
	p1, ok1 := mulOK(a.Min, k)
	p2, ok2 := mulOK(a.Max, k)
	if !ok1 || !ok2 {
		return b.tooWide()
	}
	return b.add(m, min(p1, p2), max(p1, p2))
}

// mul returns a * c for two variable operands.
func (b *builder) mul(a, c *Node) *Node {
	if a.IsConst() {
		return b.mulConst(c, a.Value)
	}
	if c.IsConst() {
		return b.mulConst(a, c.Value)
	}
	m := &Node{Kind: KMul, Args: []*Node{a, c}}
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for _, x := range [2]int64{a.Min, a.Max} {
		for _, y := range [2]int64{c.Min, c.Max} {
			p, ok := mulOK(x, y)
			if !ok {
				return b.tooWide()
			}
			lo, hi = min(lo, p), max(hi, p)
		}
	}
	return b.add(m, lo, hi)
}

func (b *builder) tooWide() *Node {
	if b.err == nil {
		b.err = errTooWide
	}
	return b.constant(0)
}

// logic returns the one-bit a op c for op KAnd, KOr or KXor.
func (b *builder) logic(op Kind, a, c *Node) *Node {
	// identities with a constant operand
	if c.IsConst() {
		a, c = c, a
	}
	if a.IsConst() && !c.IsConst() {
		switch {
		case op == KAnd && a.Value == 0:
			return a
		case op == KAnd, op == KOr && a.Value == 0, op == KXor && a.Value == 0:
			return c
		case op == KOr:
			return a
		case op == KXor:
			return b.not(c)
		}
	}
	m := &Node{Kind: op, Args: []*Node{a, c}, Width: 1}
	if f, ok := b.fold(m); ok {
		return f
	}
	return b.add(m, 0, 1)
}

func (b *builder) and(a, c *Node) *Node { return b.logic(KAnd, a, c) }
func (b *builder) or(a, c *Node) *Node  { return b.logic(KOr, a, c) }
func (b *builder) xor(a, c *Node) *Node { return b.logic(KXor, a, c) }

// not returns the complement of the one-bit a.
func (b *builder) not(a *Node) *Node {
	return b.bits(false, 0, 1, Part{Arg: 0, Hi: 0, Lo: 0, Not: true}.of(a))
}

// orReduce returns whether any bit of a is set.
func (b *builder) orReduce(a *Node) *Node {
	if a.Width == 1 && !a.Signed {
		return a
	}
	m := &Node{Kind: KOrReduce, Args: []*Node{a}, Width: 1}
	if f, ok := b.fold(m); ok {
		return f
	}
	return b.add(m, 0, 1)
}

// less returns a < c (orEqual: a <= c), folded when the intervals decide.
func (b *builder) less(a, c *Node, orEqual bool) *Node {
	switch {
	case a.Max < c.Min, orEqual && a.Max <= c.Min:
		return b.constant(1)
	case a.Min >= c.Max && !orEqual, a.Min > c.Max:
		return b.constant(0)
	}
	k := KLess
	if orEqual {
		k = KLessEq
	}
	m := &Node{Kind: k, Args: []*Node{a, c}, Width: 1}
	return b.add(m, 0, 1)
}

// mux returns s ? x : y with the interval [lo, hi], which the caller
// knows to hold (it may be narrower than the union of x's and y's when
// the selection excludes part of an operand's range).
func (b *builder) mux(s, x, y *Node, lo, hi int64) *Node {
	switch {
	case s.IsConst() && s.Value != 0:
		return x
	case s.IsConst():
		return y
	case x == y:
		return x
	}
	m := &Node{Kind: KMux, Args: []*Node{s, x, y}}
	return b.add(m, lo, hi)
}

// muxUnion is mux with the union of the operands' intervals.
func (b *builder) muxUnion(s, x, y *Node) *Node {
	return b.mux(s, x, y, min(x.Min, y.Min), max(x.Max, y.Max))
}

// rom returns t.Entries[pattern of idx].
func (b *builder) rom(idx *Node, t *ROM) *Node {
	if idx.IsConst() {
		return b.constant(t.Entries[uint64(idx.Value)&mask(idx.Width)])
	}
	lo, hi := t.Entries[0], t.Entries[0]
	for _, e := range t.Entries {
		lo, hi = min(lo, e), max(hi, e)
	}
	m := &Node{Kind: KROM, Args: []*Node{idx}, ROM: t}
	return b.add(m, lo, hi)
}

// of returns p reading operand 0 from a, packaged for bits.
func (p Part) of(a *Node) partOf { return partOf{p, a} }

// partOf is a Part with its source node, before the source becomes an
// operand index.
type partOf struct {
	Part
	src *Node
}

// constBits returns a constant part of width w holding u.
func constBits(u uint64, w int) partOf {
	return partOf{Part: Part{Arg: -1, Hi: w - 1, Bits: u & mask(w)}}
}

// slice returns the part bits hi..lo of a.
func slice(a *Node, hi, lo int) partOf {
	return partOf{Part: Part{Hi: hi, Lo: lo}, src: a}
}

// bits returns the concatenation of parts (most significant first) as a
// value of the given signedness, known to lie in [lo, hi]. A single part
// taking the whole of a node of the same shape is that node.
func (b *builder) bits(signed bool, lo, hi int64, parts ...partOf) *Node {
	m := &Node{Kind: KBits, Signed: signed}
	for i, p := range parts {
		if p.src != nil && p.src.IsConst() {
			// a slice of a constant is constant bits
			w := p.Hi - p.Lo + 1
			u := uint64(p.src.Value>>min(p.Lo, 63)) & mask(w)
			if p.Not {
				u = ^u & mask(w)
			}
			r := uint64(0)
			for range max(p.Rep, 1) {
				r = r<<w | u
			}
			parts[i] = constBits(r, w*max(p.Rep, 1))
		}
	}
	for _, p := range parts {
		q := p.Part
		if p.src != nil {
			q.Arg = -1
			for i, a := range m.Args {
				if a == p.src {
					q.Arg = i
				}
			}
			if q.Arg < 0 {
				q.Arg = len(m.Args)
				m.Args = append(m.Args, p.src)
			}
			if q.Hi >= p.src.Width || q.Lo < 0 || q.Lo > q.Hi {
				panic(fmt.Sprintf("netlist: slice [%d:%d] of a %d-bit node", q.Hi, q.Lo, p.src.Width))
			}
		}
		m.Parts = append(m.Parts, q)
		m.Width += q.Width()
	}
	if m.Width > MaxWidth {
		return b.tooWide()
	}

	// the whole of a node, unchanged
	if len(parts) == 1 && parts[0].src != nil {
		p, a := parts[0], parts[0].src
		if !p.Not && max(p.Rep, 1) == 1 && p.Lo == 0 && p.Hi == a.Width-1 && a.Signed == signed {
			return a
		}
	}
	if f, ok := b.fold(m); ok {
		return f
	}
	flo, fhi := rangeOf(m.Width, signed)
	return b.add(m, max(lo, flo), min(hi, fhi))
}

// ext returns a sign- or zero-extended (or, when a's width exceeds what
// its interval needs, truncated) to w bits as a value of the given
// signedness; a's interval must fit that shape.
func (b *builder) ext(a *Node, w int, signed bool) *Node {
	if w == a.Width && signed == a.Signed {
		return a
	}
	if w < a.Width {
		return b.bits(signed, a.Min, a.Max, slice(a, w-1, 0))
	}
	parts := []partOf{}
	if k := w - a.Width; k > 0 {
		if a.Signed {
			p := slice(a, a.Width-1, a.Width-1)
			p.Rep = k
			parts = append(parts, p)
		} else {
			parts = append(parts, constBits(0, k))
		}
	}
	parts = append(parts, slice(a, a.Width-1, 0))
	return b.bits(signed, a.Min, a.Max, parts...)
}

// shl returns a * 2^k, k >= 0, as a concatenation with k zero bits.
func (b *builder) shl(a *Node, k int) *Node {
	if k == 0 || a.IsConst() && a.Value == 0 {
		return a
	}
	if a.IsConst() {
		v, ok := mulOK(a.Value, 1<<min(k, 62))
		if !ok || k >= 62 {
			return b.tooWide()
		}
		return b.constant(v)
	}
	lo, ok1 := mulOK(a.Min, 1<<min(k, 62))
	hi, ok2 := mulOK(a.Max, 1<<min(k, 62))
	if !ok1 || !ok2 || k >= 62 {
		return b.tooWide()
	}
	return b.bits(a.Signed, lo, hi, slice(a, a.Width-1, 0), constBits(0, k))
}

// shr returns floor(a / 2^k), k >= 1, as a slice of a's high bits.
func (b *builder) shr(a *Node, k int) *Node {
	lo, hi := a.Min>>min(k, 63), a.Max>>min(k, 63)
	if k >= a.Width {
		if !a.Signed {
			return b.constant(0)
		}
		return b.bits(true, lo, hi, slice(a, a.Width-1, a.Width-1))
	}
	return b.bits(a.Signed, lo, hi, slice(a, a.Width-1, k))
}

// bitAt returns bit i of a, sign-extended beyond its width, as a one-bit
// unsigned node.
func (b *builder) bitAt(a *Node, i int) *Node {
	if i >= a.Width {
		if !a.Signed {
			return b.constant(0)
		}
		i = a.Width - 1
	}
	return b.bits(false, 0, 1, slice(a, i, i))
}

// sign returns whether a is negative, as a one-bit node.
func (b *builder) sign(a *Node) *Node {
	switch {
	case a.Min >= 0:
		return b.constant(0)
	case a.Max < 0:
		return b.constant(1)
	}
	return b.bitAt(a, a.Width-1)
}
