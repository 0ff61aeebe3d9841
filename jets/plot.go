package jets

import (
	"fmt"
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// PlotPhysics writes to path a PNG image with two panels: the jet-mass
// distributions of the top and QCD jets of s (0 to 300 GeV) and their
// tau32 distributions, each normalised to unit area. The top jets should
// peak near the top mass and at low tau32. The file appears complete or
// not at all.
func PlotPhysics(s *Sample, path string) error {
	// the two observables of every jet
	if err := s.Check(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	spec := FeatureSpec{HighLevel: []HighLevelFeature{HighLevelMass, HighLevelT32}}
	x, _, err := spec.Extract(s)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var mass, tau32 [2][]float64
	for i, l := range s.Labels {
		mass[l] = append(mass[l], x[2*i])
		tau32[l] = append(tau32[l], x[2*i+1])
	}

	// one panel per observable
	left, err := panel("Jet mass", "jet mass [GeV]", mass, 0, 300, 60, false)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	right, err := panel("N-subjettiness ratio", "tau32", tau32, 0, 1, 50, true)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	img := vgimg.New(11*vg.Inch, 4.5*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Inch / 3, PadTop: vg.Inch / 8,
		PadBottom: vg.Inch / 8, PadLeft: vg.Inch / 8, PadRight: vg.Inch / 8}
	plots := [][]*plot.Plot{{left, right}}
	canvases := plot.Align(plots, tiles, dc)
	left.Draw(canvases[0][0])
	right.Draw(canvases[0][1])

	return writeAtomic(path, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
}

// panel returns a plot of the normalised histograms of values[0] (QCD)
// and values[1] (top) with the given bins over [lo, hi); values outside
// go to the edge bins. The legend goes top left or top right.
func panel(title, xlabel string, values [2][]float64, lo, hi float64,
	bins int, legendLeft bool) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = "fraction of jets per bin"
	p.X.Min, p.X.Max = lo, hi
	p.Legend.Top, p.Legend.Left = true, legendLeft

	styles := [2]struct {
		name  string
		color color.Color
	}{
		{"QCD", color.RGBA{R: 31, G: 119, B: 180, A: 255}},
		{"top", color.RGBA{R: 214, G: 39, B: 40, A: 255}},
	}
	width := (hi - lo) / float64(bins)
	for class, vs := range values {
		if len(vs) == 0 {
			continue
		}
		counts := make([]float64, bins)
		for _, v := range vs {
			b := min(max(int((v-lo)/width), 0), bins-1)
			counts[b] += 1 / float64(len(vs))
		}
		xys := make(plotter.XYs, bins+1)
		for b := range xys {
			xys[b].X = lo + float64(b)*width
			xys[b].Y = counts[min(b, bins-1)]
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		line.StepStyle = plotter.PostStep
		line.Color = styles[class].color
		line.Width = vg.Points(1.5)
		p.Add(line)
		p.Legend.Add(fmt.Sprintf("%s (%d jets)", styles[class].name, len(vs)), line)
	}
	return p, nil
}
