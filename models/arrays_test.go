package models

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio/npy"
)

// npyFile builds a version 1.0 .npy file by hand, for types and orders
// npyio does not write.
func npyFile(descr string, fortran bool, shape []int, data []byte) []byte {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = fmt.Sprint(d)
	}
	tuple := "(" + strings.Join(dims, ", ") + ")"
	if len(shape) == 1 {
		tuple = fmt.Sprintf("(%d,)", shape[0])
	}
	order := "False"
	if fortran {
		order = "True"
	}
	hdr := fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr, order, tuple)
	for (10+len(hdr)+1)%64 != 0 {
		hdr += " "
	}
	hdr += "\n"
	var b bytes.Buffer
	b.Write(npy.Magic[:])
	b.Write([]byte{1, 0})
	binary.Write(&b, binary.LittleEndian, uint16(len(hdr)))
	b.WriteString(hdr)
	b.Write(data)
	return b.Bytes()
}

// npyOf writes v with npyio.
func npyOf(t testing.TB, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := npy.Write(&b, v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDecodeNPY(t *testing.T) {
	f64 := func(vs ...float64) []byte {
		var b bytes.Buffer
		binary.Write(&b, binary.LittleEndian, vs)
		return b.Bytes()
	}
	cases := []struct {
		name  string
		raw   []byte
		data  []float64
		shape []int
		err   string
	}{
		{"float32 2-D", npyOf(t, [][]float32{{1, 2, 3}, {4, 5, 6}}),
			[]float64{1, 2, 3, 4, 5, 6}, []int{2, 3}, ""},
		{"float64", npyOf(t, []float64{0.1, -2}), []float64{0.1, -2}, []int{2}, ""},
		{"int8", npyOf(t, []int8{-3, 7}), []float64{-3, 7}, []int{2}, ""},
		{"uint16", npyOf(t, []uint16{3, 65535}), []float64{3, 65535}, []int{2}, ""},
		{"int64", npyOf(t, []int64{-1 << 40}), []float64{-1 << 40}, []int{1}, ""},
		{"bool", npyOf(t, []bool{true, false}), []float64{1, 0}, []int{2}, ""},
		{"big endian", npyFile(">f8", false, []int{1}, []byte{0x3f, 0xf0, 0, 0, 0, 0, 0, 0}),
			[]float64{1}, []int{1}, ""},
		{"fortran order", npyFile("<f8", true, []int{2, 3}, f64(1, 4, 2, 5, 3, 6)),
			[]float64{1, 2, 3, 4, 5, 6}, []int{2, 3}, ""},
		{"empty", npyFile("<f8", false, []int{0}, nil), []float64{}, []int{0}, ""},
		{"strings", npyFile("<U5", false, []int{1}, make([]byte, 20)), nil, nil,
			`type "<U5" is not a real number type`},
		{"complex", npyFile("<c16", false, []int{1}, make([]byte, 16)), nil, nil,
			`type "<c16" is not a real number type`},
		{"objects", npyFile("|O", false, []int{1}, make([]byte, 8)), nil, nil,
			`type "|O" is not a real number type`},
		{"float16", npyFile("<f2", false, []int{1}, make([]byte, 2)), nil, nil,
			`type "<f2" is not a real number type`},
		{"too much data", npyFile("<f8", false, []int{1}, make([]byte, 16)), nil, nil,
			`16 bytes of data, want 8 for shape [1] <f8`},
		{"not npy", []byte("PK\x03\x04 hello"), nil, nil, `not a .npy array (no NUMPY magic)`},
		{"version", append(append([]byte{}, npy.Magic[:]...), 9, 0, 0, 0), nil, nil,
			`unsupported .npy version 9`},
		{"garbage header", npyFile("<f8", false, []int{1}, f64(1))[:10+5], nil, nil,
			`truncated header`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data, shape, err := decodeNPY(c.raw)
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(data, c.data) || !reflect.DeepEqual(shape, c.shape) {
				t.Errorf("got %v %v, want %v %v", data, shape, c.data, c.shape)
			}
		})
	}
}

// TestDecodeNPYTruncated cuts a file at every length: each must give an
// error, never a panic or a silently short array.
func TestDecodeNPYTruncated(t *testing.T) {
	for _, raw := range [][]byte{
		npyOf(t, [][]float32{{1, 2}, {3, 4}}),
		npyFile("<f8", true, []int{2, 2}, make([]byte, 32)),
	} {
		for n := range len(raw) {
			if _, _, err := decodeNPY(raw[:n]); err == nil {
				t.Errorf("no error for %d of %d bytes", n, len(raw))
			}
		}
	}
}

// TestDecodeNPYHeaders feeds malformed headers that make npyio's parser
// index out of range.
func TestDecodeNPYHeaders(t *testing.T) {
	for _, hdr := range []string{
		"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", // no newline
		"{'shape': (2,), 'fortran_order': False, 'descr': '<f8', }\n",
		"{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2,), }\n",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (-4,), }\n",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (x,), }\n",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (1<<62, 1<<62), }\n",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }\n",
		"\n",
	} {
		var b bytes.Buffer
		b.Write(npy.Magic[:])
		b.Write([]byte{1, 0})
		binary.Write(&b, binary.LittleEndian, uint16(len(hdr)))
		b.WriteString(hdr)
		b.Write(make([]byte, 16))
		if _, _, err := decodeNPY(b.Bytes()); err == nil {
			t.Errorf("no error for header %q", hdr)
		}
	}
}

func TestFromFortran(t *testing.T) {
	// a [2 3 2] array whose row-major values are 0..11
	shape := []int{2, 3, 2}
	colMajor := make([]float64, 12)
	for i := range 2 {
		for j := range 3 {
			for k := range 2 {
				colMajor[i+2*j+6*k] = float64(i*6 + j*2 + k)
			}
		}
	}
	got := fromFortran(colMajor, shape)
	for i, v := range got {
		if v != float64(i) {
			t.Fatalf("got %v", got)
		}
	}
}

// writeNPZ writes a .npz of the given entries with npyio.
func writeNPZ(t testing.TB, path string, arrays map[string]saveArray) {
	t.Helper()
	raw, err := encodeNPZ(arrays)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestOpenArrays(t *testing.T) {
	dir := t.TempDir()
	npz := filepath.Join(dir, "w.npz")
	writeNPZ(t, npz, map[string]saveArray{
		"fc1.weight": {data: []float64{1, 2, 3, 4, 5, 6}, shape: []int{2, 3}},
		"d/kernel":   {data: []float64{0.5, 0.25}, shape: []int{2}},
	})
	npyDir := filepath.Join(dir, "arrays")
	os.MkdirAll(filepath.Join(npyDir, "d"), 0o755)
	os.WriteFile(filepath.Join(npyDir, "fc1.weight.npy"),
		npyOf(t, [][]float64{{1, 2, 3}, {4, 5, 6}}), 0o644)
	os.WriteFile(filepath.Join(npyDir, "d", "kernel.npy"), npyOf(t, []float32{0.5, 0.25}), 0o644)
	os.WriteFile(filepath.Join(npyDir, "notes.txt"), []byte("ignored"), 0o644)

	for _, path := range []string{npz, npyDir} {
		src, err := OpenArrays(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := src.Names(); !reflect.DeepEqual(got, []string{"d/kernel", "fc1.weight"}) {
			t.Errorf("%s: names %v", path, got)
		}
		for _, name := range []string{"fc1.weight", "fc1.weight.npy"} {
			data, shape, err := src.Array(name)
			if err != nil || !reflect.DeepEqual(shape, []int{2, 3}) || data[5] != 6 {
				t.Errorf("%s: %s: %v %v %v", path, name, data, shape, err)
			}
		}
		data, _, err := src.Array("d/kernel")
		if err != nil || data[1] != 0.25 {
			t.Errorf("%s: d/kernel: %v %v", path, data, err)
		}
		if _, _, err := src.Array("nope"); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: missing array gives %v", path, err)
		}
	}
}

// TestTruncatedNPZ cuts a .npz file at many lengths; opening and reading
// must fail with a message naming the file, never panic.
func TestTruncatedNPZ(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full.npz")
	writeNPZ(t, full, map[string]saveArray{
		"a": {data: make([]float64, 40), shape: []int{5, 8}},
		"b": {data: []float64{1, 2, 3}, shape: []int{3}},
	})
	raw, _ := os.ReadFile(full)
	cut := filepath.Join(dir, "cut.npz")
	for n := 0; n < len(raw); n += 7 {
		os.WriteFile(cut, raw[:n], 0o644)
		src, err := OpenArrays(cut)
		if err != nil {
			if !strings.HasPrefix(err.Error(), cut+": ") || strings.Contains(err.Error(), "\n") {
				t.Errorf("%d bytes: bad message %q", n, err)
			}
			continue
		}
		for _, name := range src.Names() {
			if _, _, err := src.Array(name); err != nil &&
				!strings.HasPrefix(err.Error(), cut+": array ") {
				t.Errorf("%d bytes: bad message %q", n, err)
			}
		}
	}

	// a corrupt entry inside a well-formed zip
	data := bytes.Replace(raw, []byte("'shape': (3,)"), []byte("'shape': (9,)"), 1)
	os.WriteFile(cut, data, 0o644)
	src, err := OpenArrays(cut)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := src.Array("b"); err == nil {
		t.Error("no error for a corrupt entry")
	} else if want := cut + `: array "b": `; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q does not start with %q", err, want)
	}
}

func TestNPZDeterministicAndExact(t *testing.T) {
	arrays := map[string]saveArray{
		"w":  {data: []float64{0.1, 0.5, -2}, shape: []int{3}},        // 0.1 needs float64
		"w2": {data: []float64{0.5, 0.25, -2, 8}, shape: []int{2, 2}}, // float32 suffices
		"n":  {data: []float64{0, 8, -3}, shape: []int{3}, ints: true},
	}
	a, err := encodeNPZ(arrays)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := encodeNPZ(arrays)
	if !bytes.Equal(a, b) {
		t.Fatal("two encodings differ")
	}
	path := filepath.Join(t.TempDir(), "x.npz")
	os.WriteFile(path, a, 0o644)
	src, err := OpenArrays(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range arrays {
		data, shape, err := src.Array(name)
		if err != nil || !reflect.DeepEqual(data, want.data) ||
			!reflect.DeepEqual(shape, want.shape) {
			t.Errorf("%s: got %v %v %v, want %v %v", name, data, shape, err, want.data, want.shape)
		}
	}
}
