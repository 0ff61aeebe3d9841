package main

import (
	"fmt"
	"image/color"
	"io"
	"math"

	"github.com/urfave/cli/v2"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"kd2fpga/fixedpoint"
	"kd2fpga/models"
	"kd2fpga/quantize"
)

// profileCommand returns the "profile" command: the ranges each layer's
// values take on data, against the ranges of their types.
func profileCommand() *cli.Command {
	return &cli.Command{
		Name:  "profile",
		Usage: "compare the values each layer takes on data with the ranges of its types",
		UsageText: "kd2fpga profile --model M.hcl --data D.npz|X.npy [--plot profile.png] [--json]\n\n" +
			"Example:\n" +
			"   kd2fpga profile --model models/examples/jet_mlp/model.hcl --data test.npz --plot profile.png",
		Description: "Profile runs the model in float64 and in fixed point on the inputs (the array\n" +
			"x of a .npz, or a .npy file) and prints, per layer, the smallest and largest\n" +
			"weight, bias, accumulator sum and result, next to the range of each type.\n" +
			"A '!' marks a range the type cannot hold. For each result it suggests a\n" +
			"precision: the same fractional bits, and the integer bits that hold the\n" +
			"float run's range with --margin-bits spare bits (1 by default). --plot draws\n" +
			"one row per layer: the type's range and the observed ranges.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "model", Usage: "the model file (`M.hcl`)", Required: true},
			&cli.StringFlag{Name: "data", Usage: "the inputs (`D.npz` with x, X.npy, or jets " +
				"as kd2fpga jets writes them, read through the model's features block)", Required: true},
			&cli.StringFlag{Name: "plot", Usage: "also draw the ranges to `PNG`"},
			&cli.IntFlag{Name: "margin-bits", Value: 1, Usage: "spare integer bits in the suggestions"},
			&cli.BoolFlag{Name: "json", Usage: "print the profile as JSON"},
			&cli.IntFlag{Name: "workers", Usage: "goroutines (0: one per CPU)"},
		},
		Action: runProfile,
	}
}

// runProfile is the profile command.
func runProfile(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("profile: unexpected argument %q", c.Args().First())
	}
	plotPath := c.String("plot")
	if plotPath != "" {
		if err := checkDir(plotPath); err != nil {
			return fmt.Errorf("profile: %w", err)
		}
	}
	m, p, err := loadPlan(c.String("model"))
	if err != nil {
		return err
	}
	data := c.String("data")
	var x []float64
	var n int
	if isJets(data) {
		// jets: the model's features, as evaluate computes them
		d, err := jetInputs(data, m, 0)
		if err != nil {
			return fmt.Errorf("profile: %w", err)
		}
		x, n = d.X, d.N()
	} else if x, n, err = readInputs(data, m); err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	prof, err := profileModel(m, p, x, n, c.Int("margin-bits"), c.Int("workers"))
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	prof.Data = data
	if plotPath != "" {
		if err := prof.plot(plotPath); err != nil {
			return fmt.Errorf("profile: %w", err)
		}
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, prof)
	}
	prof.print(c.App.Writer)
	return nil
}

// profile is the outcome of profiling a model.
type profile struct {
	Model   string       `json:"model"`
	Data    string       `json:"data,omitempty"`
	Samples int          `json:"samples"`
	Layers  []profileRow `json:"layers"`
}

// profileRow describes one op of the plan.
type profileRow struct {
	Op      string    `json:"op"`
	Kind    string    `json:"kind"`
	Weights *quantity `json:"weights,omitempty"`
	Biases  *quantity `json:"biases,omitempty"`
	// Accum's fixed range is that of the exact sums before the cast to
	// the accumulator; the float run has no accumulator.
	Accum  *quantity `json:"accum,omitempty"`
	Result *quantity `json:"result,omitempty"`
	// Suggest is a result precision that holds the float range.
	Suggest string `json:"suggested_result,omitempty"`
}

// quantity is a set of values against its type.
type quantity struct {
	Type  string `json:"type"` // the format, or "per-element (N formats)"
	Range span   `json:"type_range"`
	Float *span  `json:"float,omitempty"` // float constants, or the float run
	Fixed *span  `json:"fixed,omitempty"` // quantized constants, or the emulation
}

// span is a closed range of values.
type span struct {
	Min float64 `json:"min"`
	Max float64 `json:"max"`
}

// widen returns s widened to hold v (s nil: just v).
func (s *span) widen(v float64) *span {
	if s == nil {
		return &span{v, v}
	}
	s.Min, s.Max = math.Min(s.Min, v), math.Max(s.Max, v)
	return s
}

// fits reports whether s lies within r.
func (s *span) fits(r span) bool { return s == nil || s.Min >= r.Min && s.Max <= r.Max }

// newQuantity describes values of the formats fs.
func newQuantity(fs []fixedpoint.Format) *quantity {
	q := &quantity{Type: fs[0].String(), Range: span{fs[0].Min(), fs[0].Max()}}
	for _, f := range fs {
		if f.Width == 0 {
			continue // pruned
		}
		if f != fs[0] {
			q.Type = fmt.Sprintf("per-element (%d formats)", len(fs))
		}
		q.Range.Min, q.Range.Max = math.Min(q.Range.Min, f.Min()), math.Max(q.Range.Max, f.Max())
	}
	return q
}

// profileModel runs m in float and p in fixed point on x and gathers the
// ranges per op.
func profileModel(m *models.Model, p *quantize.Plan, x []float64, n, margin, workers int) (*profile, error) {
	res, err := p.Emulate(x, n, quantize.Options{Workers: workers, Stats: true})
	if err != nil {
		return nil, err
	}
	floats := map[string]*span{}
	quantize.FloatLayers(m, x, n, func(_ int, l *models.Layer, y []float64) {
		s := floats[l.Name]
		for _, v := range y {
			s = s.widen(v)
		}
		floats[l.Name] = s
	})
	folded, _, err := quantize.FoldBatchNorm(m)
	if err != nil {
		return nil, err
	}
	layers := map[string]*models.Layer{}
	for _, l := range folded.Layers {
		layers[l.Name] = l
	}

	prof := &profile{Model: m.Name, Samples: n}
	for k, op := range p.Ops {
		row := profileRow{Op: op.Name, Kind: op.Kind.String()}
		st := res.Stats.Ops[k]
		if d := op.Dense; d != nil {
			row.Weights, row.Biases = constants(d, layers[op.Name], op.Kind)
			row.Accum = newQuantity(d.Accum)
			row.Accum.Fixed = rangeOf(st.Sum)
		}
		if pl := op.Pool; pl != nil && pl.Accum != nil {
			row.Accum = newQuantity(pl.Accum)
			row.Accum.Fixed = rangeOf(st.Sum)
		}
		if op.Kind != quantize.OpFlatten {
			row.Result = newQuantity(op.Out.Formats)
			row.Result.Fixed = rangeOf(st.Value)
			row.Result.Float = floats[op.Source]
			row.Suggest = suggest(op.Out.Formats, row.Result.Float, margin)
		}
		prof.Layers = append(prof.Layers, row)
	}
	return prof, nil
}

// constants describes the weights and biases of a dense or scale op: the
// float values (after batch-norm folding; for a scale op only the
// quantized ones) and the quantized ones.
func constants(d *quantize.DenseOp, l *models.Layer, kind quantize.OpKind) (w, b *quantity) {
	var wfs []fixedpoint.Format
	for _, row := range d.WFormat {
		wfs = append(wfs, row...)
	}
	w = newQuantity(wfs)
	for j, row := range d.W {
		for i, raw := range row {
			if f := d.WFormat[j][i]; f.Width > 0 {
				w.Fixed = w.Fixed.widen(f.Float(raw))
			}
			if kind == quantize.OpDense && l != nil {
				w.Float = w.Float.widen(l.Weight[j][i])
			}
		}
	}
	if d.B == nil {
		return w, nil
	}
	b = newQuantity(d.BFormat)
	for j, raw := range d.B {
		if f := d.BFormat[j]; f.Width > 0 {
			b.Fixed = b.Fixed.widen(f.Float(raw))
		}
		if kind == quantize.OpDense && l != nil {
			b.Float = b.Float.widen(l.Bias[j])
		}
	}
	return w, b
}

// rangeOf converts an observed range, nil when nothing was observed.
func rangeOf(r quantize.Range) *span {
	if r.N == 0 {
		return nil
	}
	return &span{r.Min, r.Max}
}

// suggest returns a format with the fractional bits of fs (which must all
// be one format) and the fewest integer bits holding the observed range,
// plus margin spare bits; "" when fs differ per element or nothing was
// observed.
func suggest(fs []fixedpoint.Format, seen *span, margin int) string {
	f := fs[0]
	for _, g := range fs {
		if g != f {
			return ""
		}
	}
	if seen == nil {
		return ""
	}
	frac := f.Frac()
	for i := -frac + 1; i <= fixedpoint.MaxWidth; i++ {
		g := f
		g.Signed = f.Signed || seen.Min < 0
		g.Int, g.Width = i, i+frac
		if g.Width >= 1 && g.Min() <= seen.Min && seen.Max <= g.Max() {
			g.Int += margin
			g.Width += margin
			if g.Validate() != nil {
				return ""
			}
			return g.String()
		}
	}
	return ""
}

// print writes the profile as a table.
func (pr *profile) print(w io.Writer) {
	fmt.Fprintf(w, "profile of %s on %s (%d samples); ranges are [min, max], '!' = outside the type\n\n",
		pr.Model, pr.Data, pr.Samples)
	fmt.Fprintf(w, "%-14s %-10s %-7s %-28s %-22s %-24s %-24s %s\n",
		"layer", "kind", "value", "type", "type range", "float", "fixed", "suggested")
	for _, r := range pr.Layers {
		first := true
		for _, q := range []struct {
			name string
			q    *quantity
		}{{"weight", r.Weights}, {"bias", r.Biases}, {"accum", r.Accum}, {"result", r.Result}} {
			if q.q == nil {
				continue
			}
			name, kind := "", ""
			if first {
				name, kind, first = r.Op, r.Kind, false
			}
			sug := ""
			if q.name == "result" {
				sug = r.Suggest
			}
			fmt.Fprintf(w, "%-14s %-10s %-7s %-28s %-22s %-24s %-24s %s\n", name, kind, q.name,
				q.q.Type, spanText(&q.q.Range, q.q.Range), spanText(q.q.Float, q.q.Range),
				spanText(q.q.Fixed, q.q.Range), sug)
		}
		if first {
			fmt.Fprintf(w, "%-14s %-10s (values unchanged)\n", r.Op, r.Kind)
		}
	}
}

// spanText formats s, marked when it does not fit r.
func spanText(s *span, r span) string {
	if s == nil {
		return "-"
	}
	mark := ""
	if !s.fits(r) {
		mark = " !"
	}
	return fmt.Sprintf("[%.4g, %.4g]%s", s.Min, s.Max, mark)
}

// plot draws one row per layer with a result: its type's range, the float
// run's range and the emulation's range.
func (pr *profile) plot(path string) error {
	var rows []profileRow
	for _, r := range pr.Layers {
		if r.Result != nil {
			rows = append(rows, r)
		}
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: result ranges (%d samples)", pr.Model, pr.Samples)
	p.X.Label.Text = "value"
	bars := &rangeBars{}
	names := make([]string, len(rows))
	for i, r := range rows {
		// the first op at the top.
		y := float64(len(rows) - 1 - i)
		names[len(rows)-1-i] = r.Op
		bars.add(y, &r.Result.Range, 0.36, color.RGBA{200, 200, 200, 255})
		bars.add(y+0.09, r.Result.Float, 0.14, color.RGBA{31, 119, 180, 255})
		bars.add(y-0.09, r.Result.Fixed, 0.14, color.RGBA{255, 127, 14, 255})
	}
	p.Add(bars)
	p.NominalY(names...)
	p.Legend.Top = true
	p.Legend.Add("type range", swatch{color.RGBA{200, 200, 200, 255}})
	p.Legend.Add("float", swatch{color.RGBA{31, 119, 180, 255}})
	p.Legend.Add("fixed point", swatch{color.RGBA{255, 127, 14, 255}})

	wt, err := p.WriterTo(8*vg.Inch, vg.Length(1.5+0.45*float64(len(rows)))*vg.Inch, "png")
	if err != nil {
		return err
	}
	return writeAtomic(path, wt)
}

// rangeBars is a plotter of horizontal bars, one per range.
type rangeBars struct {
	bars []bar
}

type bar struct {
	y, lo, hi, height float64
	color             color.Color
}

func (rb *rangeBars) add(y float64, s *span, height float64, c color.Color) {
	if s != nil {
		rb.bars = append(rb.bars, bar{y, s.Min, s.Max, height, c})
	}
}

// Plot draws the bars.
func (rb *rangeBars) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	for _, b := range rb.bars {
		x0, x1 := tx(b.lo), tx(b.hi)
		if x1-x0 < 1 {
			x1 = x0 + 1 // a single value stays visible
		}
		y0, y1 := ty(b.y-b.height/2), ty(b.y+b.height/2)
		c.FillPolygon(b.color, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
	}
}

// DataRange returns the extent of the bars.
func (rb *rangeBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax, ymin, ymax = math.Inf(1), math.Inf(-1), -0.5, 0.5
	for _, b := range rb.bars {
		xmin, xmax = math.Min(xmin, b.lo), math.Max(xmax, b.hi)
		ymax = math.Max(ymax, b.y+1.2) // room for the legend above
	}
	if xmin > xmax {
		xmin, xmax = -1, 1
	}
	return xmin, xmax, ymin, ymax
}

// swatch is a legend entry: a filled square.
type swatch struct{ color color.Color }

// Thumbnail draws the swatch.
func (s swatch) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	c.FillPolygon(s.color, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
}
