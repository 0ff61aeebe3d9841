package models

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"kd2fpga/fixedpoint"
)

// Save writes m as a model file at hclPath and its arrays, in the model's
// layout, next to it: weights.npz when the file is named model.hcl,
// <stem>.npz otherwise. The output is deterministic (the same model gives
// the same bytes) and is checked by parsing it back before anything is
// written; each file is replaced atomically. Loading the result gives a
// model equal to m, up to positions and paths, provided m is valid.
//
// Arrays are stored as float32 when every value is exactly a float32,
// as float64 otherwise, and per-element widths as int32. Array names are
// the layout's defaults; per-element precision arrays are named
// "<layer>.<what>_width" and "<layer>.<what>_int" ("/" in the keras
// layout), and those of the input "<input>.width" and "<input>.int".
func Save(m *Model, hclPath string) error {
	fail := func(err error) error { return fmt.Errorf("models: save %s: %w", hclPath, err) }
	stem := strings.TrimSuffix(filepath.Base(hclPath), filepath.Ext(hclPath))
	weights := stem + ".npz"
	if stem == "model" {
		weights = "weights.npz"
	}

	// the arrays and the model file, checked by reading them back
	w := &writer{m: m, arrays: make(map[string]saveArray)}
	src, err := w.model(weights)
	if err != nil {
		return fail(err)
	}
	mem := make(map[string]Array, len(w.arrays))
	for name, a := range w.arrays {
		mem[name] = Array{Data: a.data, Shape: a.shape}
	}
	if _, err := Parse(hclPath, src, MapArrays(mem)); err != nil {
		return fail(fmt.Errorf("the model is not valid:\n%w", err))
	}

	// the files
	dir := filepath.Dir(hclPath)
	if len(w.arrays) > 0 {
		npz, err := encodeNPZ(w.arrays)
		if err != nil {
			return fail(err)
		}
		if err := writeAtomic(filepath.Join(dir, weights), npz); err != nil {
			return fail(err)
		}
	}
	if err := writeAtomic(hclPath, src); err != nil {
		return fail(err)
	}
	return nil
}

// writer prints one model and collects its arrays.
type writer struct {
	m      *Model
	arrays map[string]saveArray
}

// model prints the model file.
func (w *writer) model(weights string) ([]byte, error) {
	m := w.m
	layout := m.Layout
	switch layout {
	case "":
		layout = PyTorch
	case PyTorch, Keras:
	default:
		return nil, fmt.Errorf("unknown layout %q", layout)
	}

	// the layers first, which gathers the arrays
	var lp, ip printer
	lp.depth, ip.depth = 1, 1
	prev := m.Input.Name
	for _, l := range m.Layers {
		lp.blank()
		if err := w.layer(&lp, l, prev, layout); err != nil {
			return nil, err
		}
		prev = l.Name
	}
	if err := w.input(&ip, layout); err != nil {
		return nil, err
	}

	// the model attributes and blocks
	var p printer
	p.open("model", m.Name)
	if m.Description != "" {
		p.attr("description", quote(m.Description))
	}
	if len(w.arrays) > 0 {
		p.attr("weights", quote(weights))
	}
	p.attr("layout", quote(string(layout)))
	if n := len(m.Layers); n > 0 && m.Output != m.Layers[n-1].Name {
		p.attr("output", quote(m.Output))
	}
	p.blank()
	w.target(&p)
	p.blank()
	w.precision(&p)
	if ft := m.Features; ft != nil {
		p.blank()
		p.open("features")
		if ft.Particles > 0 {
			p.attr("particles", strconv.Itoa(ft.Particles))
		}
		if len(ft.PerParticle) > 0 {
			p.attr("per_particle", strList(ft.PerParticle))
		}
		if len(ft.HighLevel) > 0 {
			p.attr("high_level", strList(ft.HighLevel))
		}
		if ft.Invariants > 0 {
			p.attr("invariants", strconv.Itoa(ft.Invariants))
		}
		p.close()
	}
	p.blank()
	p.buf.Write(ip.bytes())
	p.buf.Write(lp.bytes())
	p.close()
	return p.bytes(), nil
}

// target prints the target block.
func (w *writer) target(p *printer) {
	t := w.m.Target
	p.open("target")
	p.attr("part", quote(t.Part))
	p.attr("clock_ns", number(t.ClockNs))
	if t.LatencyBudgetNs > 0 {
		p.attr("latency_budget_ns", number(t.LatencyBudgetNs))
	}
	p.attr("reuse", strconv.Itoa(t.Reuse))
	p.attr("strategy", quote(t.Strategy))
	p.attr("particles", quote(t.Particles))
	p.close()
}

// precision prints the model's precision block; weight, bias and result
// become a single default when they agree.
func (w *writer) precision(p *printer) {
	mp := w.m.Precision
	p.open("precision")
	same := mp.Weight.Set && mp.Bias.Set && mp.Result.Set && mp.Weight.Elems == nil &&
		mp.Weight.Format == mp.Bias.Format && mp.Weight.Format == mp.Result.Format
	if same {
		p.attr("default", quote(mp.Weight.Format.String()))
	} else {
		setSpec(p, "weight", mp.Weight)
		setSpec(p, "bias", mp.Bias)
		setSpec(p, "result", mp.Result)
	}
	setSpec(p, "accum", mp.Accum)
	setSpec(p, "table", mp.Table)
	setSpec(p, "table_index", mp.TableIndex)
	setSpec(p, "slope", mp.Slope)
	p.close()
}

// input prints the input block.
func (w *writer) input(p *printer, layout Layout) error {
	in := w.m.Input
	p.open("input", in.Name)
	p.attr("shape", intList(in.Shape))
	t := in.Type
	switch {
	case t.Elems == nil:
		setSpec(p, "type", t)
	case sharesModes(t):
		p.attr("type", quote(t.Format.String()))
		wn, bn := w.elemArrays(arrayPrefix(layout, in.Name), "", t.Elems, []int{len(t.Elems)})
		p.attr("width", quote(wn))
		p.attr("int", quote(bn))
	default:
		types := make([]string, len(t.Elems))
		for i, f := range t.Elems {
			if f.Width == 0 {
				return fmt.Errorf("input %q: feature %d has width 0 and formats that differ "+
					"in signedness or modes", in.Name, i)
			}
			types[i] = f.String()
		}
		p.attr("type", strList(types))
	}
	p.close()
	return nil
}

// layer prints one layer block and collects its arrays.
func (w *writer) layer(p *printer, l *Layer, prev string, layout Layout) error {
	p.open("layer", l.Name)
	p.attr("type", quote(string(l.Kind)))
	if l.Input != prev {
		p.attr("input", quote(l.Input))
	}
	names := arrayNames(layout, l.Name)
	prefix := arrayPrefix(layout, l.Name)

	// the attributes and arrays of the kind
	var wshape []int
	switch l.Kind {
	case Dense:
		p.attr("units", strconv.Itoa(l.Units))
		if l.Bias == nil {
			p.attr("bias", "false")
		}
		data, shape, err := flatten(l.Weight, layout == Keras)
		if err != nil {
			return fmt.Errorf("layer %q: %w", l.Name, err)
		}
		wshape = shape
		w.arrays[names["weight_array"]] = saveArray{data: data, shape: shape}
		if l.Bias != nil {
			w.arrays[names["bias_array"]] = saveArray{data: l.Bias, shape: []int{len(l.Bias)}}
		}
	case BatchNorm:
		p.attr("eps", number(l.Eps))
		for attr, data := range map[string][]float64{"gamma_array": l.Gamma,
			"beta_array": l.Beta, "mean_array": l.Mean, "var_array": l.Var} {
			w.arrays[names[attr]] = saveArray{data: data, shape: []int{len(data)}}
		}
	case LeakyReLU:
		p.attr("slope", number(l.Slope))
	case Pool:
		p.attr("op", quote(string(l.Pool)))
		if l.Pool == PoolWeightedSum {
			p.attr("weight_feature", strconv.Itoa(l.WeightFeature))
		}
	}
	if l.Reuse > 0 {
		p.attr("reuse", strconv.Itoa(l.Reuse))
	}

	// the precision block, when the layer sets anything
	lp := l.Precision
	specs := []struct {
		name  string
		spec  Spec
		shape []int
	}{
		{"weight", lp.Weight, wshape}, {"bias", lp.Bias, []int{len(lp.Bias.Elems)}},
		{"accum", lp.Accum, nil}, {"result", lp.Result, []int{len(lp.Result.Elems)}},
		{"table", lp.Table, nil}, {"table_index", lp.TableIndex, nil}, {"slope", lp.Slope, nil},
	}
	opened := false
	for _, s := range specs {
		if !s.spec.Set {
			continue
		}
		if !opened {
			p.blank()
			p.open("precision")
			opened = true
		}
		setSpec(p, s.name, s.spec)
		if s.spec.Elems == nil {
			continue
		}
		if !sharesModes(s.spec) {
			return fmt.Errorf("layer %q: per-element %s formats differ from %s in signedness "+
				"or modes", l.Name, s.name, s.spec.Format)
		}
		elems, shape := s.spec.Elems, s.shape
		if s.name == "weight" && layout == Keras && len(shape) == 2 {
			elems = transposed(elems, shape[1], shape[0])
		}
		wn, bn := w.elemArrays(prefix, s.name+"_", elems, shape)
		p.attr(s.name+"_width", quote(wn))
		p.attr(s.name+"_int", quote(bn))
	}
	if opened {
		p.close()
	}
	p.close()
	return nil
}

// elemArrays records the width and integer-bit arrays of per-element
// formats and returns their names.
func (w *writer) elemArrays(prefix, what string, elems []fixedpoint.Format,
	shape []int) (string, string) {
	widths := make([]float64, len(elems))
	ints := make([]float64, len(elems))
	for i, f := range elems {
		widths[i], ints[i] = float64(f.Width), float64(f.Int)
	}
	wn, bn := prefix+what+"width", prefix+what+"int"
	w.arrays[wn] = saveArray{data: widths, shape: shape, ints: true}
	w.arrays[bn] = saveArray{data: ints, shape: shape, ints: true}
	return wn, bn
}

// arrayPrefix is what a layout puts before the array names of a layer.
func arrayPrefix(layout Layout, layer string) string {
	if layout == Keras {
		return layer + "/"
	}
	return layer + "."
}

// sharesModes reports whether every element of a per-element spec is the
// spec's format with another width and integer bits, as Load builds them.
func sharesModes(s Spec) bool {
	for _, e := range s.Elems {
		f := s.Format
		f.Width, f.Int = e.Width, e.Int
		f.SatBits = min(f.SatBits, f.Width)
		if e != f {
			return false
		}
	}
	return true
}

// setSpec prints a precision attribute, if set.
func setSpec(p *printer, name string, s Spec) {
	switch {
	case !s.Set:
	case s.Auto:
		p.attr(name, quote("auto"))
	default:
		p.attr(name, quote(s.Format.String()))
	}
}

// flatten turns a [out][in] weight into a row-major array of the file
// layout: [out, in], or [in, out] with transpose.
func flatten(w [][]float64, transpose bool) ([]float64, []int, error) {
	r := len(w)
	c := 0
	if r > 0 {
		c = len(w[0])
	}
	data := make([]float64, 0, r*c)
	for _, row := range w {
		if len(row) != c {
			return nil, nil, fmt.Errorf("weight rows have different lengths")
		}
		data = append(data, row...)
	}
	if transpose {
		return transposed(data, r, c), []int{c, r}, nil
	}
	return data, []int{r, c}, nil
}

// writeAtomic replaces the file at path with data: it writes a temporary
// file in the same directory and renames it.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
