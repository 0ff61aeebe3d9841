package models

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"kd2fpga/fixedpoint"
)

// The defaults of the model file.
const (
	DefaultPart      = "xcvu13p-flga2577-2-e"
	DefaultClockNs   = 5.0
	DefaultStrategy  = "latency"
	DefaultParticles = "replicate"
)

// DefaultFormat is the precision of weights, biases and results when the
// model file sets none, ap_fixed<16,6> as in hls4ml.
var DefaultFormat = fixedpoint.Fixed(16, 6)

// validName is the form of model, input and layer names: they become
// identifiers in the generated firmware.
var validName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// Load reads the model file at path and the weights file it names,
// checks them and returns the model. On failure the error is an Errors
// listing every problem found, one per line, each with its position.
func Load(path string) (*Model, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, Errors{{File: path, Msg: pathErr(err).Error()}}
	}
	return parse(path, src, nil)
}

// Parse reads a model file from src, taking its arrays from arrays
// instead of the file its weights attribute names (which is recorded in
// WeightsPath but not opened). filename is used in messages and to
// resolve relative paths. A nil arrays holds no arrays.
func Parse(filename string, src []byte, arrays ArraySource) (*Model, error) {
	if arrays == nil {
		arrays = MapArrays(nil)
	}
	return parse(filename, src, arrays)
}

// loader holds the state of reading one model file.
type loader struct {
	el *errList
	m  *Model

	arrays ArraySource // given by Parse, or opened from the weights attribute
	// weightsName is how messages name the weights ("weights.npz"),
	// empty when the model names no weights file.
	weightsName string
	// noArrays is set when the weights file could not be opened: that is
	// reported once, not again for every array.
	noArrays bool

	def         fixedpoint.Format // the model's default precision
	featuresPos hcl.Range         // where the features block is
	layers      []*layerSrc
	// badRefs is set when a layer reads an unknown or later layer, which
	// makes the unused-layer check meaningless.
	badRefs bool
}

// parse reads a model file. With arrays nil, the weights file is opened.
func parse(filename string, src []byte, arrays ArraySource) (*Model, error) {
	el := &errList{file: filename}

	// the syntax, and the single model block
	file, ds := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if ds.HasErrors() {
		// a syntax error names the layer block it sits in, when it does
		for _, d := range ds {
			layer := ""
			if d.Subject != nil {
				layer = layerAtLine(src, d.Subject.Start.Line)
			}
			el.diags(hcl.Diagnostics{d}, layer, "")
		}
		return nil, el.result()
	}
	root, ds := file.Body.Content(rootSchema)
	el.diags(ds, "", "")
	if len(root.Blocks) == 0 {
		el.add(hcl.Range{}, "", "no model block")
		return nil, el.result()
	}
	for _, b := range root.Blocks[1:] {
		el.add(b.DefRange, "", "only one model block is allowed per file (the first is at line %d)",
			root.Blocks[0].DefRange.Start.Line)
	}

	// the model
	ld := &loader{el: el, arrays: arrays}
	ld.model(filename, root.Blocks[0])
	if err := el.result(); err != nil {
		return nil, err
	}
	return ld.m, nil
}

// model decodes the model block and checks the whole model.
func (ld *loader) model(filename string, b *hcl.Block) {
	m := &Model{Name: b.Labels[0], Path: filename}
	ld.m = m
	content, ds := b.Body.Content(modelSchema)
	ld.el.diags(ds, "", "")
	s := &scope{el: ld.el, attrs: content.Attributes}
	if !validName.MatchString(m.Name) {
		ld.el.add(b.LabelRanges[0], "", "model name %q is not a name (letters, digits and _, "+
			"starting with a letter)", m.Name)
	}

	// the model's attributes and single blocks
	m.Description, _, _ = s.str("description")
	layout, _ := s.oneOf("layout", string(PyTorch), string(PyTorch), string(Keras))
	m.Layout = Layout(layout)
	blocks := make(map[string][]*hcl.Block)
	for _, blk := range content.Blocks {
		blocks[blk.Type] = append(blocks[blk.Type], blk)
	}
	single := func(typ string) *hcl.Block {
		bs := blocks[typ]
		if len(bs) == 0 {
			return nil
		}
		for _, extra := range bs[1:] {
			ld.el.add(extra.DefRange, "", "only one %s block is allowed (the first is at line %d)",
				typ, bs[0].DefRange.Start.Line)
		}
		return bs[0]
	}
	m.Target = ld.target(single("target"))
	m.Precision = ld.precision(single("precision"))
	m.Features = ld.features(single("features"))
	ld.openWeights(s)

	// the input
	in := single("input")
	if in == nil {
		ld.el.add(b.DefRange, "", "no input block")
	} else {
		ld.input(in)
	}

	// the layers, then the checks that need all of them
	for _, blk := range blocks["layer"] {
		ld.decodeLayer(blk)
	}
	ld.connect()
	ld.output(s, b)
	ld.checkFeatures()
}

// target decodes the target block, filling in the defaults.
func (ld *loader) target(b *hcl.Block) Target {
	t := Target{
		Part:      DefaultPart,
		ClockNs:   DefaultClockNs,
		Reuse:     1,
		Strategy:  DefaultStrategy,
		Particles: DefaultParticles,
	}
	if b == nil {
		return t
	}
	content, ds := b.Body.Content(targetSchema)
	ld.el.diags(ds, "", "")
	s := &scope{el: ld.el, attrs: content.Attributes}

	if v, a, ok := s.str("part"); ok && v == "" {
		s.errorf(a.Range, "part must not be empty")
	} else if ok {
		t.Part = v
	}
	if v, a, ok := s.float("clock_ns"); ok && v <= 0 {
		s.errorf(a.Range, "clock_ns must be positive, not %g", v)
	} else if ok {
		t.ClockNs = v
	}
	if v, a, ok := s.float("latency_budget_ns"); ok && v < 0 {
		s.errorf(a.Range, "latency_budget_ns must not be negative (0 means no budget)")
	} else if ok {
		t.LatencyBudgetNs = v
	}
	if v, _, ok := s.int("reuse", 1, maxDim); ok {
		t.Reuse = v
	}
	t.Strategy, _ = s.oneOf("strategy", DefaultStrategy, "latency", "resource")
	t.Particles, _ = s.oneOf("particles", DefaultParticles, "replicate", "share")
	return t
}

// precision decodes the model's precision block. Weight, bias and result
// are always set afterwards (from default, itself ap_fixed<16,6> unless
// given), and accum is auto unless given.
func (ld *loader) precision(b *hcl.Block) Precision {
	ld.def = DefaultFormat
	def := Spec{Set: true, Format: DefaultFormat}
	var p Precision
	if b != nil {
		content, ds := b.Body.Content(modelPrecisionSchema)
		ld.el.diags(ds, "", "")
		s := &scope{el: ld.el, attrs: content.Attributes}
		if d, _ := s.spec("default", false); d.Set {
			def = d
			ld.def = d.Format
		}
		p.Weight, _ = s.spec("weight", false)
		p.Bias, _ = s.spec("bias", false)
		p.Result, _ = s.spec("result", false)
		p.Accum, _ = s.spec("accum", true)
		p.Table, _ = s.spec("table", false)
		p.TableIndex, _ = s.spec("table_index", false)
		p.Slope, _ = s.spec("slope", false)
	}

	// what the file leaves unset
	for _, sp := range []*Spec{&p.Weight, &p.Bias, &p.Result} {
		if !sp.Set {
			*sp = def
		}
	}
	if !p.Accum.Set {
		p.Accum = Spec{Set: true, Auto: true}
	}
	return p
}

// features decodes the features block.
func (ld *loader) features(b *hcl.Block) *Features {
	if b == nil {
		return nil
	}
	ld.featuresPos = b.DefRange
	content, ds := b.Body.Content(featuresSchema)
	ld.el.diags(ds, "", "")
	s := &scope{el: ld.el, attrs: content.Attributes}
	f := &Features{}
	f.Particles, _, _ = s.int("particles", 1, maxDim)
	for _, name := range []string{"per_particle", "high_level"} {
		list, a, ok := s.strs(name)
		if !ok {
			continue
		}
		seen := make(map[string]bool)
		for _, v := range list {
			if seen[v] {
				s.errorf(a.Range, "%s lists %q twice", name, v)
			}
			seen[v] = true
		}
		if name == "per_particle" {
			f.PerParticle = list
		} else {
			f.HighLevel = list
		}
	}
	f.Invariants, _, _ = s.int("invariants", 1, maxInvariants)
	return f
}

// openWeights opens the weights file (unless Parse was given arrays).
func (ld *loader) openWeights(s *scope) {
	w, a, ok := s.str("weights")
	if ok {
		ld.weightsName = w
		ld.m.WeightsPath = w
		if !filepath.IsAbs(w) {
			ld.m.WeightsPath = filepath.Join(filepath.Dir(ld.m.Path), w)
		}
	}
	switch {
	case ld.arrays != nil:
		return
	case a == nil:
		ld.arrays = MapArrays(nil)
		return
	case !ok:
		ld.arrays, ld.noArrays = MapArrays(nil), true
		return
	}
	arrays, err := OpenArrays(ld.m.WeightsPath)
	if err != nil {
		s.errorf(a.Range, "weights: %v", err)
		ld.arrays, ld.noArrays = MapArrays(nil), true
		return
	}
	ld.arrays = arrays
}

// input decodes the input block. Per-element widths are read here too,
// so the weights must be open.
func (ld *loader) input(b *hcl.Block) {
	in := &ld.m.Input
	in.Name, in.Pos = b.Labels[0], b.DefRange
	content, ds := b.Body.Content(inputSchema)
	prefix := fmt.Sprintf("input %q: ", in.Name)
	ld.el.diags(ds, "", prefix)
	s := &scope{el: ld.el, prefix: prefix, attrs: content.Attributes}
	if !validName.MatchString(in.Name) {
		s.errorf(b.LabelRanges[0], "not a name (letters, digits and _, starting with a letter)")
	}

	// the shape
	shape, a, ok := s.ints("shape", 1, maxDim)
	if ok && (len(shape) < 1 || len(shape) > 2) {
		s.errorf(a.Range, "shape must be [F] or [P, F], not %v", shape)
		ok = false
	}
	if !ok {
		in.Type = Spec{Set: true, Format: ld.def}
		return
	}
	in.Shape = shape
	nf := shape[len(shape)-1]

	// the type: one format, or one per feature
	in.Type = Spec{Set: true, Format: ld.def}
	v, a, ok := s.value("type")
	switch {
	case a == nil || !ok:
	case v.Type().IsTupleType() || v.Type().IsListType():
		types, _, ok := s.strs("type")
		if !ok {
			break
		}
		if len(types) != nf {
			s.errorf(a.Range, "type lists %d formats for %d features", len(types), nf)
			break
		}
		elems := make([]fixedpoint.Format, nf)
		for i, t := range types {
			if elems[i], ok = s.format(a, fmt.Sprintf("type[%d]", i), t); !ok {
				return
			}
		}
		in.Type = Spec{Set: true, Format: elems[0], Elems: elems, Pos: a.Range}
	default:
		if sp, ok := s.spec("type", false); ok {
			in.Type = sp
		}
	}

	// per-feature widths from arrays
	if a != nil && in.Type.Elems != nil && (s.attrs["width"] != nil || s.attrs["int"] != nil) {
		s.errorf(a.Range, "width and int need a single type, not a list")
		return
	}
	elems, rng, ok := ld.elems(s, "width", "int", in.Type.Format, []int{nf}, false)
	if ok && elems != nil {
		if a == nil {
			in.Type.Pos = rng
		}
		in.Type.Elems = elems
	}
}
