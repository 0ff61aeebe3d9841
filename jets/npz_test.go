package jets

import (
	"archive/zip"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A rawArray is an array to write as .npy with any dtype and order.
type rawArray struct {
	dtype   string
	shape   []int
	fortran bool
	data    []byte
}

// f8, f4, i8 and b1 encode values little-endian in the named dtype.
func f8(v ...float64) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	return b
}

func f4(v ...float64) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(x)))
	}
	return b
}

func i8(v ...int) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, uint64(x))
	}
	return b
}

// writeRaw writes the arrays to a new .npz file in dir, stored without
// compression as numpy.savez does, and returns its path.
func writeRaw(t *testing.T, arrays map[string]rawArray) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "raw.npz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range arrays {
			if !yield(k) {
				return
			}
		}
	}) {
		a := arrays[name]
		dims := fmt.Sprint(a.shape)
		dims = "(" + strings.ReplaceAll(dims[1:len(dims)-1], " ", ", ")
		if len(a.shape) == 1 {
			dims += ","
		}
		dims += ")"
		order := "False"
		if a.fortran {
			order = "True"
		}
		dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }",
			a.dtype, order, dims)
		dict += strings.Repeat(" ", (64-(10+len(dict)+1)%64)%64) + "\n"
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name + ".npy", Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		hdr := binary.LittleEndian.AppendUint16([]byte("\x93NUMPY\x01\x00"), uint16(len(dict)))
		w.Write(append(append(hdr, dict...), a.data...))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestNPZRoundTrip(t *testing.T) {
	cfg := DefaultConfig()
	cfg.N = 64
	s, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "jets.npz")
	if err := WriteNPZ(path, s); err != nil {
		t.Fatal(err)
	}
	r, err := ReadNPZ(path)
	if err != nil {
		t.Fatal(err)
	}
	if r.N != s.N || r.MaxParticles != s.MaxParticles || !slices.Equal(r.P4, s.P4) ||
		!slices.Equal(r.Labels, s.Labels) || !slices.Equal(r.Counts, s.Counts) {
		t.Error("the sample read back differs from the one written")
	}

	// nothing but the file is left in the directory
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after writing, want 1", len(entries))
	}
}

func TestReadNPZOtherLayouts(t *testing.T) {
	// float32 constituents, float labels, no counts: as a converted
	// dataset may store them; jet 0 has one particle, jet 1 two
	p4 := []float64{
		10, 0, 10, 0, 0, 0, 0, 0,
		20, 20, 0, 0, 5, 0, 0, 5,
	}
	path := writeRaw(t, map[string]rawArray{
		"p4": {dtype: "<f4", shape: []int{2, 2, 4}, data: f4(p4...)},
		"y":  {dtype: "<f8", shape: []int{2}, data: f8(1, 0)},
	})
	s, err := ReadNPZ(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.P4, p4) || !slices.Equal(s.Labels, []int{1, 0}) ||
		!slices.Equal(s.Counts, []int{1, 2}) {
		t.Errorf("read %v %v %v", s.P4, s.Labels, s.Counts)
	}

	// the same constituents in Fortran order (first index fastest)
	fortran := make([]float64, len(p4))
	for i := range 2 {
		for j := range 2 {
			for k := range 4 {
				fortran[i+2*(j+2*k)] = p4[(i*2+j)*4+k]
			}
		}
	}
	path = writeRaw(t, map[string]rawArray{
		"p4": {dtype: "<f8", shape: []int{2, 2, 4}, fortran: true, data: f8(fortran...)},
		"y":  {dtype: "|b1", shape: []int{2}, data: []byte{1, 0}},
		"n":  {dtype: "<i8", shape: []int{2}, data: i8(1, 2)},
	})
	if s, err = ReadNPZ(path); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.P4, p4) || !slices.Equal(s.Labels, []int{1, 0}) {
		t.Errorf("Fortran order read as %v, labels %v", s.P4, s.Labels)
	}
}

func TestReadNPZErrors(t *testing.T) {
	good := f8(10, 0, 10, 0)
	for _, tc := range []struct {
		name   string
		arrays map[string]rawArray
		want   string
	}{
		{"no y", map[string]rawArray{
			"p4": {dtype: "<f8", shape: []int{1, 1, 4}, data: good},
		}, "y: missing"},
		{"no p4", map[string]rawArray{
			"y": {dtype: "<i8", shape: []int{1}, data: i8(1)},
		}, "p4: missing"},
		{"three components", map[string]rawArray{
			"p4": {dtype: "<f8", shape: []int{1, 1, 3}, data: f8(1, 2, 3)},
			"y":  {dtype: "<i8", shape: []int{1}, data: i8(1)},
		}, "p4: shape [1 1 3]"},
		{"flat p4", map[string]rawArray{
			"p4": {dtype: "<f8", shape: []int{4}, data: good},
			"y":  {dtype: "<i8", shape: []int{1}, data: i8(1)},
		}, "p4: shape [4]"},
		{"NaN", map[string]rawArray{
			"p4": {dtype: "<f8", shape: []int{1, 1, 4}, data: f8(10, math.NaN(), 10, 0)},
			"y":  {dtype: "<i8", shape: []int{1}, data: i8(1)},
		}, "p4: [0, 0, 1] = NaN"},
		{"labels too few", map[string]rawArray{
			"p4": {dtype: "<f8", shape: []int{1, 1, 4}, data: good},
			"y":  {dtype: "<i8", shape: []int{2}, data: i8(1, 0)},
		}, "y: shape [2], want [1]"},
		{"label 2", map[string]rawArray{
			"p4": {dtype: "<f8", shape: []int{1, 1, 4}, data: good},
			"y":  {dtype: "<i8", shape: []int{1}, data: i8(2)},
		}, "y: [0] = 2"},
		{"fractional label", map[string]rawArray{
			"p4": {dtype: "<f8", shape: []int{1, 1, 4}, data: good},
			"y":  {dtype: "<f8", shape: []int{1}, data: f8(0.5)},
		}, "not a whole number"},
		{"wrong count", map[string]rawArray{
			"p4": {dtype: "<f8", shape: []int{1, 1, 4}, data: good},
			"y":  {dtype: "<i8", shape: []int{1}, data: i8(1)},
			"n":  {dtype: "<i8", shape: []int{1}, data: i8(3)},
		}, "n: [0] = 3"},
		{"complex", map[string]rawArray{
			"p4": {dtype: "<c16", shape: []int{1, 1, 2}, data: good},
			"y":  {dtype: "<i8", shape: []int{1}, data: i8(1)},
		}, `dtype "<c16"`},
	} {
		path := writeRaw(t, tc.arrays)
		_, err := ReadNPZ(path)
		if err == nil || !strings.Contains(err.Error(), path) ||
			!strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one naming the file and %q", tc.name, err, tc.want)
		}
	}

	// not a zip at all
	path := filepath.Join(t.TempDir(), "text.npz")
	os.WriteFile(path, []byte("hello"), 0o644)
	if _, err := ReadNPZ(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("text file: error %v", err)
	}
}

func TestWriteNPZLeavesNothingOnFailure(t *testing.T) {
	dir := t.TempDir()
	bad := handJets(2, [][3]float64{{10, 0, 0}})
	bad.Labels[0] = 7
	path := filepath.Join(dir, "bad.npz")
	if err := WriteNPZ(path, bad); err == nil || !strings.Contains(err.Error(), "label 7") {
		t.Errorf("label 7: error %v", err)
	}
	if err := WriteNPZ(filepath.Join(dir, "missing", "x.npz"), handJets(2)); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed writes left %d entries", len(entries))
	}
}
