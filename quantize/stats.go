package quantize

import (
	"math"

	"kd2fpga/fixedpoint"
)

// Stats counts what the casts of an emulation did, per op, and records
// the range of the values each op saw. Counts cover every cast of every
// sample, constant ones (a bias cast to its accumulator) included.
type Stats struct {
	Samples int64
	Input   Counts // quantizing the float inputs into the input formats
	Ops     []OpStats
}

// OpStats describes one op of an emulation.
type OpStats struct {
	Name string
	// Accum counts the casts into an accumulator: each product and bias,
	// and the exact sum (dense, scale, pooling).
	Accum Counts
	// Index counts the casts of table inputs into their index formats
	// (sigmoid, tanh, softmax). Saturation there is by design: an input
	// beyond the table's range reads its first or last entry.
	Index Counts
	// Result counts the casts into the op's result formats.
	Result Counts
	// Sum is the range of the exact sums before their cast to the
	// accumulator (dense, scale, sum, mean and weighted-sum pooling):
	// what an accumulator must hold never to overflow.
	Sum Range
	// Value is the range of the op's output values.
	Value Range
}

// Counts tallies the outcome of casts.
type Counts struct {
	Casts     int64
	Inexact   int64 // rounded or truncated
	Saturated int64 // out of range, clamped (or zeroed)
	Wrapped   int64 // out of range, wrapped
}

// Overflows returns the number of casts that were out of range.
func (c Counts) Overflows() int64 { return c.Saturated + c.Wrapped }

// add counts one cast that reported st.
func (c *Counts) add(st fixedpoint.Status) {
	c.Casts++
	if st != 0 {
		c.addFlags(st)
	}
}

// addFlags counts the flags of st, not the cast itself.
func (c *Counts) addFlags(st fixedpoint.Status) {
	if st&fixedpoint.Inexact != 0 {
		c.Inexact++
	}
	if st&fixedpoint.Saturated != 0 {
		c.Saturated++
	}
	if st&fixedpoint.Wrapped != 0 {
		c.Wrapped++
	}
}

// merge adds the counts of o to c.
func (c *Counts) merge(o Counts) {
	c.Casts += o.Casts
	c.Inexact += o.Inexact
	c.Saturated += o.Saturated
	c.Wrapped += o.Wrapped
}

// Range is the smallest and largest of a set of values; N counts them.
type Range struct {
	Min, Max float64
	N        int64
}

// add widens r to hold x.
func (r *Range) add(x float64) {
	if r.N == 0 || x < r.Min {
		r.Min = x
	}
	if r.N == 0 || x > r.Max {
		r.Max = x
	}
	r.N++
}

// merge widens r to hold o.
func (r *Range) merge(o Range) {
	if o.N == 0 {
		return
	}
	if r.N == 0 {
		*r = o
		return
	}
	r.Min, r.Max, r.N = math.Min(r.Min, o.Min), math.Max(r.Max, o.Max), r.N+o.N
}

// newStats returns empty Stats for the ops of p.
func newStats(p *Plan) *Stats {
	s := &Stats{Ops: make([]OpStats, len(p.Ops))}
	for k, op := range p.Ops {
		s.Ops[k].Name = op.Name
	}
	return s
}

// Merge adds the counts and ranges of o, which must describe the same
// plan, to s.
func (s *Stats) Merge(o *Stats) {
	s.Samples += o.Samples
	s.Input.merge(o.Input)
	for k := range s.Ops {
		a, b := &s.Ops[k], &o.Ops[k]
		a.Accum.merge(b.Accum)
		a.Index.merge(b.Index)
		a.Result.merge(b.Result)
		a.Sum.merge(b.Sum)
		a.Value.merge(b.Value)
	}
}
