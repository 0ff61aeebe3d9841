package hlsgen

import (
	"errors"
	"fmt"
	"strings"

	"kd2fpga/fixedpoint"
	"kd2fpga/models"
	"kd2fpga/quantize"
)

// hlsDesign is everything the HLS templates print for one plan. Every
// number and type name in it is decided here; the templates only lay
// them out.
type hlsDesign struct {
	Top         string // top function and file stem
	Macro       string // the upper-case stem of macros and include guards
	Guard       string // include guard of <top>.h
	Model       string // the model name, comment-safe
	Description string // the model description, comment-safe
	Part        string
	Clock       string // clock period in ns, as Tcl and comments print it
	Strategy    string
	II          int    // initiation interval of the top function
	Block       string // block-level protocol: ap_ctrl_none or ap_ctrl_hs
	IntMaxW     int    // AP_INT_MAX_W to define, 0 when the default suffices
	MaxVectors  int    // the co-simulation's cap on vectors, 0: all

	InW, OutW       int // bus widths
	InPadW, OutPadW int // bus widths rounded up to whole hex digits

	Input  *hlsArray // the unpacked network input
	Output *hlsArray // the array packed onto the output bus
	Unpack []hlsRun  // input elements on the input bus
	Pack   []hlsRun  // output elements on the output bus
	// InRow and OutRow are the bits of one particle on a particle bus
	// (0 for a flat tensor); InIndent and OutIndent indent the body of
	// the particle loop.
	InRow, OutRow       int
	InIndent, OutIndent string

	Groups []*hlsGroup // the typedefs, by op
	Consts []*hlsConst // the constant arrays, by op
	Ops    []*hlsOp
}

// hlsGroup is the typedefs of one op (or of the input), under a comment.
type hlsGroup struct {
	Comment string
	Types   []hlsType
}

// hlsArray is a tensor held in a C++ array.
type hlsArray struct {
	Name      string
	Type      string // the element (container) type
	Dims      string // such as "[30][4]" or "[16]"
	Particles int    // P of a particle tensor, 0 for a flat one
	Features  int
	family    *family
}

// P returns the particle subscript of an element access: "[p]" inside
// the particle loop of a particle tensor, "" for a flat one.
func (a *hlsArray) P() string {
	if a.Particles > 0 {
		return "[p]"
	}
	return ""
}

// hlsOp is one op of the plan as a C++ function.
type hlsOp struct {
	Template string // the template that prints it
	Kind     string // the element an elementwise op computes: relu, linear, ...
	Func     string // function name, also the stem of its other names
	Comment  string
	In, Out  *hlsArray
	Network  *hlsArray // pooling: the network input (for padding)
	// Particles is P when the op runs once per particle, else 0; P is
	// then the subscript "[p]" and Indent the body's extra indentation.
	Particles int
	P, Indent string
	// Inline is true for a fully parallel op; otherwise it is pipelined
	// at II with at most MulLimit multipliers.
	Inline       bool
	II, MulLimit int
	Runs         []hlsRun
	N            int // dense: inputs per unit; softmax: inputs

	// the constants and their value types
	W, B, Slope, Recip                 string
	WType, BType, SlopeType, RecipType string
	Partition                          []string // arrays to partition

	Pool            string // pool: sum, mean, max or weighted_sum
	WeightFeature   int    // weighted sum: the input feature that weights
	Index, Exp, Inv *hlsLookup

	consts []*hlsConst // the op's constants
}

// hlsLookup is how a table is indexed: the index type, its width and the
// offset that turns an index word into an entry number.
type hlsLookup struct {
	Index  string
	Width  int
	Offset string // -MinRaw modulo 2^Width, as a C++ unsigned literal
	Entry  string // entry type
	Sum    string // softmax: the exact sum of the exponentials
	Table  string // the table array

	comment string
}

// newDesign turns p into the data the templates print.
func newDesign(p *quantize.Plan, o *HLSOptions, names *cppNames) (*hlsDesign, error) {
	d := &hlsDesign{
		Top:         o.Top,
		Macro:       macroName(o.Top),
		Guard:       macroName(o.Top) + "_H_",
		Model:       cppComment(p.Name),
		Part:        o.Part,
		Clock:       fmt.Sprint(o.ClockNs),
		Strategy:    o.Strategy,
		MaxVectors:  o.Vectors,
		Description: "",
	}
	if p.Model != nil {
		d.Description = cppComment(p.Model.Description)
	}

	// the network input and its bus
	in := newArray("input", "input", p.Input, "network input")
	d.Input = in
	d.Groups = append(d.Groups, &hlsGroup{Comment: "the network input", Types: in.family.types})
	d.Unpack, d.InRow, d.InW = busRuns(in, p.Input)
	d.InIndent = indent(in.Particles > 0)

	// the ops, each reading an earlier array
	arrays := make([]*hlsArray, len(p.Ops))
	for k, op := range p.Ops {
		src := in
		if op.In >= 0 {
			src = arrays[op.In]
		}
		reuse := max(op.Reuse, 1)
		if o.Reuse > 0 {
			reuse = o.Reuse
		}
		h, err := d.addOp(op, names.op(k), src, reuse)
		if err != nil {
			return nil, fmt.Errorf("op %d %q: %w", k, op.Name, err)
		}
		h.Inline, h.II = reuse == 1, reuse
		d.II = max(d.II, h.II)
		arrays[k] = h.Out
		d.Ops = append(d.Ops, h)
	}

	// the output bus
	last := p.Ops[len(p.Ops)-1]
	d.Output = arrays[len(arrays)-1]
	d.Pack, d.OutRow, d.OutW = busRuns(d.Output, last.Out)
	d.OutIndent = indent(d.Output.Particles > 0)

	// interface and widths
	d.Block = "ap_ctrl_none"
	if d.II > 1 {
		d.Block = "ap_ctrl_hs"
	}
	d.InPadW, d.OutPadW = (d.InW+3)/4*4, (d.OutW+3)/4*4
	widest := max(d.InPadW, d.OutPadW)
	for _, g := range d.Groups {
		for _, t := range g.Types {
			widest = max(widest, t.format.Width)
		}
	}
	if widest > apIntMaxWidth {
		return nil, fmt.Errorf("a bus or type of %d bits exceeds ap_int's limit of %d bits",
			widest, apIntMaxWidth)
	}
	if widest > apIntDefaultWidth {
		d.IntMaxW = widest
	}
	return d, nil
}

// The widths ap_int allows: 1024 bits unless AP_INT_MAX_W says more, and
// never more than 32768.
const (
	apIntDefaultWidth = 1024
	apIntMaxWidth     = 32768
)

// newArray describes tensor t held in array name, with element types named
// after stem (see newFamily).
func newArray(name, stem string, t quantize.Tensor, what string) *hlsArray {
	a := &hlsArray{Name: name, Particles: t.Particles(), Features: t.Features()}
	a.family = newFamily(stem, t.Formats, what)
	a.Type = a.family.Container
	if a.Particles > 0 {
		a.Dims = fmt.Sprintf("[%d][%d]", a.Particles, a.Features)
	} else {
		a.Dims = fmt.Sprintf("[%d]", a.Features)
	}
	return a
}

// indent returns the extra indentation of a loop body inside the particle
// loop.
func indent(particles bool) string {
	if particles {
		return "    "
	}
	return ""
}

// busRuns places the elements of a on a bus as docs/firmware.md lays it
// out: row-major, element 0 in the least significant bits, each element
// its own format's width. It returns the runs of features sharing a
// format, the bits of one particle (0 for a flat tensor) and the total.
func busRuns(a *hlsArray, t quantize.Tensor) ([]hlsRun, int, int) {
	rs := runs(a.Features, a.family)
	off := 0
	for i := range rs {
		w := t.Formats[rs[i].Lo].Width
		rs[i].Width, rs[i].Offset = w, off
		off += w * (rs[i].Hi - rs[i].Lo)
	}
	if a.Particles > 0 {
		return rs, off, off * a.Particles
	}
	return rs, 0, off
}

// addOp describes op, which reads src, as a C++ function named base, run
// with the reuse factor reuse.
func (d *hlsDesign) addOp(op *quantize.Op, base string, src *hlsArray, reuse int) (*hlsOp, error) {
	out := newArray(base+"_out", base+"_result", op.Out, "results")
	h := &hlsOp{Func: base, In: src, Out: out}
	if src.Particles > 0 && out.Particles > 0 {
		h.Particles, h.P, h.Indent = src.Particles, "[p]", indent(true)
	}
	g := &hlsGroup{Types: append([]hlsType(nil), out.family.types...)}
	d.Groups = append(d.Groups, g)
	add := func(ts ...hlsType) { g.Types = append(g.Types, ts...) }
	var errs []error
	constant := func(name string, vt hlsType, dims string, raw [][]int64,
		formats [][]fixedpoint.Format, comment string) *hlsConst {
		c, err := newConst(name, vt, dims, raw, formats, comment)
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		h.consts = append(h.consts, c)
		return c
	}

	var what string
	switch op.Kind {
	case quantize.OpDense, quantize.OpScale:
		dn := op.Dense
		acc := newFamily(base+"_accum", dn.Accum, "accumulators")
		terms := dn.In
		if op.Kind == quantize.OpScale {
			terms = 1
		}
		if dn.B != nil {
			terms++
		}
		sum := sumFamily(base, acc, terms)
		add(acc.types...)
		add(sum.types...)
		h.Runs = runs(dn.Units, out.family, acc, sum)
		h.N = dn.In

		// the weights and biases
		wt := valueType(base+"_weight_t", dn.WFormat, "weights")
		add(wt)
		h.W, h.WType = base+"_w", wt.Name
		if op.Kind == quantize.OpScale {
			constant(h.W, wt, fmt.Sprintf("[%d]", dn.Units), [][]int64{column(dn.W)},
				[][]fixedpoint.Format{column(dn.WFormat)}, "scales: raw words of "+wt.Name)
		} else {
			constant(h.W, wt, fmt.Sprintf("[%d][%d]", dn.Units, dn.In), dn.W, dn.WFormat,
				"weights [unit][input]: raw words of "+wt.Name)
		}
		h.Partition = append(h.Partition, h.W)
		if dn.B != nil {
			bt := valueType(base+"_bias_t", [][]fixedpoint.Format{dn.BFormat}, "biases")
			add(bt)
			h.B, h.BType = base+"_b", bt.Name
			constant(h.B, bt, fmt.Sprintf("[%d]", dn.Units), [][]int64{dn.B},
				[][]fixedpoint.Format{dn.BFormat}, "biases: raw words of "+bt.Name)
			h.Partition = append(h.Partition, h.B)
		}

		mults := nonzero(dn.W) * max(h.Particles, 1)
		h.MulLimit = max((mults+reuse-1)/reuse, 1)
		if op.Kind == quantize.OpDense {
			h.Template = "dense"
			what = fmt.Sprintf("dense, %d inputs -> %d units", dn.In, dn.Units)
		} else {
			h.Template = "scale"
			what = fmt.Sprintf("elementwise scale and offset of %d features", dn.Units)
		}
		what += folded(op)

	case quantize.OpReLU, quantize.OpLinear:
		h.Template, h.Kind, what = "elementwise", "relu", "ReLU"
		if op.Kind == quantize.OpLinear {
			h.Kind, what = "linear", "linear (a cast)"
		}
		h.Runs = runs(out.Features, out.family)

	case quantize.OpLeakyReLU:
		h.Template, h.Kind, what = "elementwise", "leaky_relu", "leaky ReLU"
		h.Runs = runs(out.Features, out.family)
		f := op.Leaky.SlopeFormat
		st := hlsType{Name: base + "_slope_t", Spelling: f.String(), format: f, Comment: "the slope"}
		add(st)
		h.Slope, h.SlopeType = base+"_slope", st.Name
		constant(h.Slope, st, "", [][]int64{{op.Leaky.Slope}}, nil,
			"the slope for negative inputs: raw word of "+st.Name)

	case quantize.OpTable:
		h.Template, h.Kind, what = "elementwise", "table", string(op.Activate)+" (lookup table)"
		h.Runs = runs(out.Features, out.family)
		lk, ts, err := d.lookup(base, "", op.Table, string(op.Activate))
		if err != nil {
			return nil, err
		}
		add(ts...)
		constant(lk.Table, ts[1], fmt.Sprintf("[%d]", len(op.Table.Entries)),
			[][]int64{op.Table.Entries}, nil, lk.comment)
		h.Index = lk

	case quantize.OpSoftmax:
		h.Template, what = "softmax", "softmax"
		h.Runs = runs(out.Features, out.family)
		h.N = src.Features
		sm := op.Softmax
		for _, t := range []struct {
			role, what string
			table      *quantize.TableOp
			lk         **hlsLookup
		}{
			{"exp", "exp(-d), d = max - x", &sm.Exp, &h.Exp},
			{"inv", "1/s, s the sum of the exponentials", &sm.Inv, &h.Inv},
		} {
			lk, ts, err := d.lookup(base, t.role, t.table, t.what)
			if err != nil {
				return nil, err
			}
			add(ts...)
			constant(lk.Table, ts[1], fmt.Sprintf("[%d]", len(t.table.Entries)),
				[][]int64{t.table.Entries}, nil, lk.comment)
			*t.lk = lk
		}
		s := sumType(sm.Exp.Entry, h.N)
		st := hlsType{Name: base + "_exp_sum_t", Spelling: s.String(), format: s,
			Comment: fmt.Sprintf("the exact sum of %d exponentials", h.N)}
		add(st)
		h.Exp.Sum = st.Name

	case quantize.OpPool:
		pl := op.Pool
		h.Template, h.Pool = "pool", string(pl.Op)
		h.Network, h.N = d.Input, src.Particles
		what = fmt.Sprintf("%s pooling over %d particles, padding excluded", pl.Op, src.Particles)
		switch pl.Op {
		case models.PoolMax:
			h.Runs = runs(out.Features, out.family)
		case models.PoolSum, models.PoolMean, models.PoolWeightedSum:
			acc := newFamily(base+"_accum", pl.Accum, "sums")
			sum := sumFamily(base, acc, src.Particles)
			add(acc.types...)
			add(sum.types...)
			h.Runs = runs(out.Features, out.family, acc, sum)
			h.WeightFeature = pl.WeightFeature
		default:
			return nil, fmt.Errorf("unknown pooling %q", pl.Op)
		}
		if pl.Op == models.PoolMean {
			f := pl.RecipFormat
			rt := hlsType{Name: base + "_recip_t", Spelling: f.String(), format: f, Comment: "1/n"}
			add(rt)
			h.Recip, h.RecipType = base+"_recip", rt.Name
			constant(h.Recip, rt, fmt.Sprintf("[%d]", len(pl.Recip)), [][]int64{pl.Recip}, nil,
				"1/n for n real particles: raw words of "+rt.Name)
		}

	case quantize.OpFlatten:
		h.Template, what = "flatten", fmt.Sprintf("flatten [%d, %d] -> [%d]",
			src.Particles, src.Features, out.Features)
		h.Particles, h.N = src.Particles, src.Features

	default:
		return nil, fmt.Errorf("op kind %v has no HLS implementation", op.Kind)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	h.Comment = cppComment(fmt.Sprintf("%s: %s (layer %q)", base, what, op.Name))
	g.Comment = h.Comment
	layoutRuns(h)
	d.Consts = append(d.Consts, h.consts...)
	return h, nil
}

// layoutRuns decides how each run of h prints: a loop over j, or for a
// run of one element a single statement with its index written out.
func layoutRuns(h *hlsOp) {
	for i := range h.Runs {
		r := &h.Runs[i]
		r.Loop = r.Hi-r.Lo > 1
		r.J, r.Ind = "j", h.Indent+"        "
		if !r.Loop {
			r.J, r.Ind = fmt.Sprint(r.Lo), h.Indent+"    "
		}
	}
}

// lookup describes the table t of the op base: its index and entry
// types (named base_<role>_index_t and base_<role>_t, or base_index_t and
// base_table_t without a role) and its constant array.
func (d *hlsDesign) lookup(base, role string, t *quantize.TableOp, what string) (
	*hlsLookup, []hlsType, error) {

	if n := len(t.Entries); t.Index.Width > 20 || n != 1<<t.Index.Width {
		return nil, nil, fmt.Errorf("table %s has %d entries for a %d-bit index", what, n, t.Index.Width)
	}
	// TODO: a table gets no partitioning pragma; with many lookups per
	// cycle Vitis must replicate its ROM to meet the interval.
	stem := base
	if role != "" {
		stem = base + "_" + role
	}
	idx := hlsType{Name: stem + "_index_t", Spelling: t.Index.String(), format: t.Index,
		Comment: "the table index: the input cast to it addresses the table"}
	ent := hlsType{Name: stem + "_table_t", Spelling: t.Entry.String(), format: t.Entry,
		Comment: "the table entries"}
	if role != "" {
		ent.Name = stem + "_t"
	}
	lk := &hlsLookup{Index: idx.Name, Width: t.Index.Width, Entry: ent.Name, Table: stem + "_table",
		Offset: fmt.Sprintf("%dULL", t.Index.Bits(-t.Index.MinRaw())),
		comment: fmt.Sprintf("%s: entry k is for the %s word MinRaw+k; raw words of %s",
			what, idx.Name, ent.Name)}
	return lk, []hlsType{idx, ent}, nil
}

// folded describes the batch normalizations folded into op, if any.
func folded(op *quantize.Op) string {
	if len(op.Folded) == 0 {
		return ""
	}
	return fmt.Sprintf(", batch norm %s folded in", strings.Join(quoteAll(op.Folded), ", "))
}

// quoteAll returns each of ss quoted.
func quoteAll(ss []string) []string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return q
}

// column returns the first element of every row of m.
func column[T any](m [][]T) []T {
	out := make([]T, len(m))
	for j, r := range m {
		out[j] = r[0]
	}
	return out
}

// nonzero counts the nonzero entries of m: the multiplications a dense
// op really performs.
func nonzero(m [][]int64) int {
	n := 0
	for _, r := range m {
		for _, v := range r {
			if v != 0 {
				n++
			}
		}
	}
	return n
}
