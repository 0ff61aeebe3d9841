package distill

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"kd2fpga/jets"
	"kd2fpga/metrics"
	"kd2fpga/models"
	"kd2fpga/quantize"
)

// ScanBetas returns the boost speeds of the method's robustness study:
// 0, 0.05, ..., 0.95.
func ScanBetas() []float64 {
	betas := make([]float64, 20)
	for i := range betas {
		betas[i] = float64(i) / 20
	}
	return betas
}

// ScanPoint scores one model on jets boosted with speed Beta along x,
// in float64 and in fixed point (the golden emulator, which is the
// firmware).
type ScanPoint struct {
	Beta         float64
	Float, Fixed *metrics.Summary
}

// Scan is one model's robustness curve.
type Scan struct {
	Model  string
	Points []ScanPoint
}

// BoostScan boosts the jets of s along x with every speed of betas and
// scores every model on them, each reading its own features (from its
// features block) of the boosted jets. Models that read the same
// features share their extraction, and each model is quantized once.
func BoostScan(ms []*models.Model, s *jets.Sample, betas []float64, workers int) ([]Scan, error) {
	scans := make([]Scan, len(ms))
	plans := make([]*quantize.Plan, len(ms))
	for k, m := range ms {
		scans[k].Model = m.Name
		var err error
		if plans[k], err = quantize.Build(m); err != nil {
			return nil, fmt.Errorf("model %q: %w", m.Name, err)
		}
	}
	for _, beta := range betas {
		b, err := s.Boost(beta)
		if err != nil {
			return nil, err
		}
		inputs := map[string]*Data{} // by feature spec
		for k, m := range ms {
			spec, err := FeatureSpec(m)
			if err != nil {
				return nil, err
			}
			key := fmt.Sprintf("%+v", spec)
			d := inputs[key]
			if d == nil {
				if d, err = JetData(m, b); err != nil {
					return nil, fmt.Errorf("beta %g: %w", beta, err)
				}
				inputs[key] = d
			}
			pt := ScanPoint{Beta: beta}
			if pt.Float, err = scorePlan(m, nil, d, workers); err == nil {
				pt.Fixed, err = scorePlan(m, plans[k], d, workers)
			}
			if err != nil {
				return nil, fmt.Errorf("model %q, beta %g: %w", m.Name, beta, err)
			}
			scans[k].Points = append(scans[k].Points, pt)
		}
	}
	return scans, nil
}

// PlotBoostScan writes to path a PNG of the scans: accuracy, ROC AUC and
// background rejection at 30% signal efficiency against the boost speed,
// fixed point in solid lines and float64 dashed (for the models listed
// in floatOnly, float64 only). The file appears complete or not at all.
func PlotBoostScan(scans []Scan, floatOnly map[string]bool, path string) error {
	panels := []struct {
		title string
		value func(*metrics.Summary) float64
		log   bool
	}{
		{"Accuracy (solid: fixed point, dashed: float64)",
			func(s *metrics.Summary) float64 { return s.Accuracy }, false},
		{"ROC AUC", func(s *metrics.Summary) float64 { return s.AUC }, false},
		{"Rejection at 30% signal efficiency", func(s *metrics.Summary) float64 {
			if len(s.Rejection) == 0 || math.IsInf(s.Rejection[0], 0) {
				return math.NaN()
			}
			return s.Rejection[0]
		}, true},
	}
	var row []*plot.Plot
	for i, pn := range panels {
		p := plot.New()
		p.Title.Text = pn.title
		p.X.Label.Text = "boost speed beta along x"
		p.X.Min, p.X.Max = 0, 1
		// one legend, in the first panel's empty lower left: a colour per
		// model; solid lines are fixed point, dashed float64
		legend := i == 0
		p.Legend.Top, p.Legend.Left = false, true
		p.Legend.TextStyle.Font.Size = vg.Points(9)
		if pn.log {
			p.Y.Scale = plot.LogScale{}
			p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
		}
		for k, sc := range scans {
			col := palette[k%len(palette)]
			for _, fixed := range []bool{true, false} {
				if fixed && floatOnly[sc.Model] {
					continue
				}
				var xys plotter.XYs
				for _, pt := range sc.Points {
					s := pt.Float
					if fixed {
						s = pt.Fixed
					}
					if v := pn.value(s); !math.IsNaN(v) && (!pn.log || v > 0) {
						xys = append(xys, plotter.XY{X: pt.Beta, Y: v})
					}
				}
				if len(xys) == 0 {
					continue
				}
				line, err := plotter.NewLine(xys)
				if err != nil {
					return fmt.Errorf("%s: %w", path, err)
				}
				line.Color, line.Width = col, vg.Points(1.5)
				if !fixed {
					line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
				}
				p.Add(line)
				if legend && (fixed || floatOnly[sc.Model]) {
					label := sc.Model
					if floatOnly[sc.Model] {
						label += " (float64 only)"
					}
					p.Legend.Add(label, line)
				}
			}
		}
		row = append(row, p)
	}

	img := vgimg.New(16*vg.Inch, 5*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(row), PadX: vg.Inch / 3, PadTop: vg.Inch / 8,
		PadBottom: vg.Inch / 8, PadLeft: vg.Inch / 8, PadRight: vg.Inch / 8}
	canvases := plot.Align([][]*plot.Plot{row}, tiles, dc)
	for i, p := range row {
		p.Draw(canvases[0][i])
	}
	return writeFileAtomic(path, func(f *os.File) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(f)
		return err
	})
}

// palette colours the models of a plot.
var palette = []color.Color{
	color.RGBA{R: 31, G: 119, B: 180, A: 255},
	color.RGBA{R: 214, G: 39, B: 40, A: 255},
	color.RGBA{R: 44, G: 160, B: 44, A: 255},
	color.RGBA{R: 255, G: 127, B: 14, A: 255},
	color.RGBA{R: 148, G: 103, B: 189, A: 255},
	color.RGBA{R: 140, G: 86, B: 75, A: 255},
	color.RGBA{R: 23, G: 190, B: 207, A: 255},
}

// writeFileAtomic writes path through a temporary file in the same
// folder, renamed into place when fill succeeds.
func writeFileAtomic(path string, fill func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	if err := fill(f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	os.Chmod(f.Name(), 0o644)
	return os.Rename(f.Name(), path)
}
