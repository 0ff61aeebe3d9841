package report

import (
	"bytes"
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The plot size and palette of the HTML page.
const (
	plotWidth  = 7 * vg.Inch
	plotHeight = 3.6 * vg.Inch
)

var (
	colorLUT   = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	colorFF    = color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}
	colorDSP   = color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}
	colorSpan  = color.RGBA{R: 0x59, G: 0x4f, B: 0xa8, A: 0xff}
	colorAccum = color.RGBA{R: 0xae, G: 0xc7, B: 0xe8, A: 0xff}
)

// pngOf renders p as a PNG.
func pngOf(p *plot.Plot) ([]byte, error) {
	wt, err := p.WriterTo(plotWidth, plotHeight, "png")
	if err != nil {
		return nil, fmt.Errorf("report: plot %q: %w", p.Title.Text, err)
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("report: plot %q: %w", p.Title.Text, err)
	}
	return b.Bytes(), nil
}

// layerNames returns the names of the layers, for a nominal axis.
func layerNames(r *Report) []string {
	names := make([]string, len(r.Layers))
	for i, l := range r.Layers {
		names[i] = l.Name
	}
	return names
}

// ResourcesPlot draws the estimated LUTs, flip-flops and DSPs of each
// layer as grouped bars: as percentages of the device when it is known
// (so that the three share one axis), else as counts.
func ResourcesPlot(r *Report) ([]byte, error) {
	p := plot.New()
	p.Title.Text = "Estimated resources per layer"
	series := []struct {
		name  string
		col   color.Color
		value func(Resources) float64
		share func(Fractions) float64
	}{
		{"LUT", colorLUT, func(x Resources) float64 { return float64(x.LUT) },
			func(f Fractions) float64 { return f.LUT }},
		{"FF", colorFF, func(x Resources) float64 { return float64(x.FF) },
			func(f Fractions) float64 { return f.FF }},
		{"DSP", colorDSP, func(x Resources) float64 { return float64(x.DSP) },
			func(f Fractions) float64 { return f.DSP }},
	}
	p.Y.Label.Text = "count"
	if r.Device != nil {
		p.Y.Label.Text = "% of " + r.Device.Name
	}
	w := vg.Points(float64(plotWidth) / float64(4*max(len(r.Layers), 1)) * 0.8)
	for i, s := range series {
		vs := make(plotter.Values, len(r.Layers))
		for j, l := range r.Layers {
			if l.Percent != nil {
				vs[j] = 100 * s.share(*l.Percent)
			} else {
				vs[j] = s.value(l.Estimate)
			}
		}
		bars, err := plotter.NewBarChart(vs, w)
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		bars.Color = s.col
		bars.LineStyle.Width = 0
		bars.Offset = w * vg.Length(i-1)
		p.Add(bars)
		p.Legend.Add(s.name, bars)
	}
	p.Legend.Top = true
	p.NominalX(layerNames(r)...)
	p.X.Tick.Label.Rotation = 0.5
	p.X.Tick.Label.XAlign = draw.XRight
	return pngOf(p)
}

// LatencyPlot draws when each layer computes: a bar per layer over the
// pipeline stages its logic occupies, in ns at the target clock, with
// the latency and the budget as vertical lines.
func LatencyPlot(r *Report) ([]byte, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Latency: %d cycles = %s ns", r.Latency, num(r.LatencyNs))
	p.X.Label.Text = "ns after the input"
	names := layerNames(r)
	for i, l := range r.Layers {
		lo, hi := float64(l.FirstStage), float64(l.LastStage+1)
		switch {
		case i == 0: // the input register
			lo, hi = 0, 1
		case i == len(r.Layers)-1: // the output register
			lo, hi = float64(r.Latency-1), float64(r.Latency)
		case l.FirstStage < 0:
			continue
		}
		if err := addBox(p, lo*r.ClockNs, hi*r.ClockNs, float64(i)-0.35, float64(i)+0.35,
			colorSpan); err != nil {
			return nil, err
		}
	}
	l, err := addVLine(p, r.LatencyNs, float64(len(names)), color.Black)
	if err != nil {
		return nil, err
	}
	p.Legend.Add("latency", l)
	if r.Budget != nil {
		col := color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}
		if !r.Budget.Pass {
			col = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
		}
		l, err := addVLine(p, r.Budget.BudgetNs, float64(len(names)), col)
		if err != nil {
			return nil, err
		}
		p.Legend.Add("budget", l)
	}
	p.Legend.Top = true
	p.Legend.Left = true
	p.NominalY(names...)
	p.X.Min = 0
	return pngOf(p)
}

// PrecisionPlot draws the precision profile: for each layer's result, a
// bar over the bit weights its formats cover, from 2^LSB to 2^MSB, in
// front of a wider, lighter one for its accumulators.
func PrecisionPlot(r *Report) ([]byte, error) {
	p := plot.New()
	p.Title.Text = "Bit weights covered by each result (dark) and accumulator (light)"
	p.Y.Label.Text = "log2 of the bit weight"
	p.Y.Min, p.Y.Max = 0, 0
	for _, pass := range []struct {
		accum bool
		half  float64
		col   color.Color
	}{{true, 0.42, colorAccum}, {false, 0.25, colorLUT}} {
		for i, l := range r.Layers {
			pr := l.Precision
			if pass.accum {
				pr = l.Accum
			}
			if pr == nil {
				continue
			}
			lo, hi := float64(pr.LSB)-0.5, float64(pr.MSB)+0.5
			p.Y.Min, p.Y.Max = min(p.Y.Min, lo-1), max(p.Y.Max, hi+1)
			x := float64(i)
			if err := addBox(p, x-pass.half, x+pass.half, lo, hi, pass.col); err != nil {
				return nil, err
			}
		}
	}
	p.NominalX(layerNames(r)...)
	p.X.Tick.Label.Rotation = 0.5
	p.X.Tick.Label.XAlign = draw.XRight
	p.Add(plotter.NewGrid())
	return pngOf(p)
}

// WeightsPlot draws the precision profile of the weights: for each
// dense or scale layer, a bar over the bit weights its weight formats
// cover (sign bit included) behind a narrower, darker one over the bit
// weights its nonzero weights use. Bits of the formats outside the dark
// bar are never set. It returns nil when no layer has weights.
func WeightsPlot(r *Report) ([]byte, error) {
	var names []string
	var profiles []*WeightProfile
	for _, l := range r.Layers {
		if l.Weights != nil && l.Weights.Formats != nil {
			names = append(names, l.Name)
			profiles = append(profiles, l.Weights)
		}
	}
	if len(profiles) == 0 {
		return nil, nil
	}
	p := plot.New()
	p.Title.Text = "Bit weights of the weight formats (light) and of the weights (dark)"
	p.Y.Label.Text = "log2 of the bit weight"
	p.Y.Min, p.Y.Max = 0, 0
	type span struct {
		msb, lsb int
		half     float64
		col      color.Color
	}
	for i, w := range profiles {
		x := float64(i)
		boxes := []span{{w.Formats.MSB, w.Formats.LSB, 0.42, colorAccum}}
		if w.Nonzero > 0 {
			boxes = append(boxes, span{w.MSB, w.LSB, 0.25, colorLUT})
		}
		for _, b := range boxes {
			lo, hi := float64(b.lsb)-0.5, float64(b.msb)+0.5
			p.Y.Min, p.Y.Max = min(p.Y.Min, lo-1), max(p.Y.Max, hi+1)
			if err := addBox(p, x-b.half, x+b.half, lo, hi, b.col); err != nil {
				return nil, err
			}
		}
	}
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = 0.5
	p.X.Tick.Label.XAlign = draw.XRight
	p.Add(plotter.NewGrid())
	return pngOf(p)
}

// addBox adds a filled rectangle.
func addBox(p *plot.Plot, x0, x1, y0, y1 float64, c color.Color) error {
	poly, err := plotter.NewPolygon(plotter.XYs{{X: x0, Y: y0}, {X: x1, Y: y0},
		{X: x1, Y: y1}, {X: x0, Y: y1}})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	poly.Color = c
	poly.LineStyle.Width = 0
	p.Add(poly)
	return nil
}

// addVLine adds a vertical line at x over y in [-0.5, top-0.5].
func addVLine(p *plot.Plot, x, top float64, c color.Color) (*plotter.Line, error) {
	l, err := plotter.NewLine(plotter.XYs{{X: x, Y: -0.5}, {X: x, Y: top - 0.5}})
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	l.Color = c
	l.Width = vg.Points(1.5)
	p.Add(l)
	return l, nil
}
