package jets

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func TestPlotPhysics(t *testing.T) {
	cfg := DefaultConfig()
	cfg.N = 400
	s, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "physics.png")
	if err := PlotPhysics(s, path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", path, err)
	}

	// a real drawing: wide, and both curve colours present
	b := img.Bounds()
	if b.Dx() < 500 || b.Dy() < 200 {
		t.Errorf("image %v, want at least 500 x 200", b)
	}
	var red, blue bool
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			red = red || r>>8 > 180 && g>>8 < 80 && bl>>8 < 80
			blue = blue || bl>>8 > 150 && r>>8 < 80
		}
	}
	if !red || !blue {
		t.Errorf("top curve drawn %v, QCD curve drawn %v", red, blue)
	}
}
