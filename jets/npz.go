package jets

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"codeberg.org/sbinet/npyio/npz"
)

// WriteNPZ writes s to path as a NumPy .npz archive with the arrays
//
//	p4  float64 [N, MaxParticles, 4]  (E, px, py, pz) in GeV, zero-padded
//	y   int64   [N]                   1 = top, 0 = QCD
//	n   int64   [N]                   non-padding constituents
//
// compressed with Deflate. The file appears complete or not at all: it is
// written to a temporary file in the same directory and renamed. The
// bytes depend only on s.
func WriteNPZ(path string, s *Sample) error {
	if err := s.Check(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return writeAtomic(path, func(w io.Writer) error {
		zw := zip.NewWriter(w)
		zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(out, flate.BestSpeed)
		})
		if err := writeNpy(zw, "p4", "<f8", []int{s.N, s.MaxParticles, 4}, len(s.P4),
			func(i int) uint64 { return math.Float64bits(s.P4[i]) }); err != nil {
			return err
		}
		if err := writeNpy(zw, "y", "<i8", []int{s.N}, s.N,
			func(i int) uint64 { return uint64(s.Labels[i]) }); err != nil {
			return err
		}
		if err := writeNpy(zw, "n", "<i8", []int{s.N}, s.N,
			func(i int) uint64 { return uint64(s.Counts[i]) }); err != nil {
			return err
		}
		return zw.Close()
	})
}

// writeNpy adds name.npy to zw: a version 1.0 .npy header for an array of
// the given little-endian 8-byte dtype and shape, then count elements whose
// bits elem returns.
func writeNpy(zw *zip.Writer, name, dtype string, shape []int, count int,
	elem func(i int) uint64) error {
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name + ".npy", Method: zip.Deflate})
	if err != nil {
		return err
	}

	// header padded so that the data starts on a 64-byte boundary
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	shapeText := "(" + strings.Join(dims, ", ") + ")"
	if len(shape) == 1 {
		shapeText = "(" + dims[0] + ",)"
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
		dtype, shapeText)
	pad := (64 - (10+len(dict)+1)%64) % 64
	hdr := append([]byte("\x93NUMPY\x01\x00"), 0, 0)
	binary.LittleEndian.PutUint16(hdr[8:], uint16(len(dict)+pad+1))
	hdr = append(hdr, dict...)
	hdr = append(hdr, strings.Repeat(" ", pad)+"\n"...)
	if _, err := w.Write(hdr); err != nil {
		return err
	}

	// data in chunks
	buf := make([]byte, 0, 1<<16)
	for i := range count {
		buf = binary.LittleEndian.AppendUint64(buf, elem(i))
		if len(buf) == cap(buf) {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	_, err = w.Write(buf)
	return err
}

// writeAtomic writes path through fill: into a temporary file in the same
// directory, renamed to path only when fill and the writes succeed.
func writeAtomic(path string, fill func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the temporary name means nothing to the user
		}
		return fmt.Errorf("%s: cannot create a file in %s: %w", path, dir, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("%s: %w", path, err)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := fill(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// ReadNPZ reads a sample from a .npz archive in WriteNPZ's layout, such as
// one converted from the reference dataset (docs/jets.md shows how). p4
// may be float64 or float32; y and the optional n any integer, boolean or
// float type holding whole numbers; Fortran-ordered arrays are accepted.
// ReadNPZ fails, naming the file and the array, on a missing array, a
// wrong shape, a value that is not finite, a label other than 0 or 1, or
// counts that disagree with p4's non-padding rows.
func ReadNPZ(path string) (*Sample, error) {
	r, err := npz.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer r.Close()
	fail := func(array, format string, args ...any) error {
		return fmt.Errorf("%s: %s: %s", path, array, fmt.Sprintf(format, args...))
	}

	// the arrays, stored as "name.npy" by NumPy (or bare "name")
	entries := map[string]string{}
	var keys []string
	for _, k := range r.Keys() {
		name := strings.TrimSuffix(k, ".npy")
		entries[name] = k
		keys = append(keys, name)
	}
	for _, name := range []string{"p4", "y"} {
		if entries[name] == "" {
			return nil, fail(name, "missing (arrays: %v)", keys)
		}
	}

	// the constituents
	p4, shape, err := readArray(r, entries["p4"])
	if err != nil {
		return nil, fail("p4", "%v", err)
	}
	if len(shape) != 3 || shape[1] < 1 || shape[2] != 4 {
		return nil, fail("p4", "shape %v, want [N, particles, 4]", shape)
	}
	s := &Sample{N: shape[0], MaxParticles: shape[1], P4: p4}
	for i, v := range p4 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fail("p4", "[%d, %d, %d] = %v", i/(4*s.MaxParticles),
				i/4%s.MaxParticles, i%4, v)
		}
	}
	s.Counts = make([]int, s.N)
	for i := range s.N {
		_, s.Counts[i] = jetSum(s.Jet(i))
	}

	// the labels and the optional counts
	ints := func(name string) ([]int, error) {
		v, sh, err := readArray(r, entries[name])
		if err != nil {
			return nil, fail(name, "%v", err)
		}
		if len(sh) != 1 || sh[0] != s.N {
			return nil, fail(name, "shape %v, want [%d] to match p4", sh, s.N)
		}
		out := make([]int, len(v))
		for i, x := range v {
			if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
				return nil, fail(name, "[%d] = %v is not a whole number", i, x)
			}
			out[i] = int(x)
		}
		return out, nil
	}
	if s.Labels, err = ints("y"); err != nil {
		return nil, err
	}
	for i, l := range s.Labels {
		if l != 0 && l != 1 {
			return nil, fail("y", "[%d] = %d, want 0 (QCD) or 1 (top)", i, l)
		}
	}
	if entries["n"] != "" {
		n, err := ints("n")
		if err != nil {
			return nil, err
		}
		for i := range n {
			if n[i] != s.Counts[i] {
				return nil, fail("n", "[%d] = %d, but p4 has %d non-padding constituents",
					i, n[i], s.Counts[i])
			}
		}
	}
	return s, nil
}

// readArray reads a numeric array of any common dtype as float64 values
// in C order, with its shape. npyio parses the header; the data are
// decoded here in bulk, which is much faster than element by element.
func readArray(r *npz.Reader, name string) ([]float64, []int, error) {
	h := r.Header(name)
	if h == nil {
		return nil, nil, errors.New("no header")
	}
	shape := slices.Clone(h.Descr.Shape)
	count := 1
	for _, d := range shape {
		count *= d
	}

	// the element decoder of the on-disk type
	dtype := strings.Trim(h.Descr.Type, `'"`)
	le := binary.LittleEndian
	var size int
	var decode func(b []byte) float64
	switch dtype {
	case "<f8":
		size, decode = 8, func(b []byte) float64 { return math.Float64frombits(le.Uint64(b)) }
	case "<f4":
		size, decode = 4, func(b []byte) float64 {
			return float64(math.Float32frombits(le.Uint32(b)))
		}
	case "<i8":
		size, decode = 8, func(b []byte) float64 { return float64(int64(le.Uint64(b))) }
	case "<i4":
		size, decode = 4, func(b []byte) float64 { return float64(int32(le.Uint32(b))) }
	case "<i2":
		size, decode = 2, func(b []byte) float64 { return float64(int16(le.Uint16(b))) }
	case "|i1":
		size, decode = 1, func(b []byte) float64 { return float64(int8(b[0])) }
	case "|u1", "|b1":
		size, decode = 1, func(b []byte) float64 { return float64(b[0]) }
	default:
		return nil, nil, fmt.Errorf("dtype %q not supported (use float64, float32, "+
			"little-endian integers or bool)", dtype)
	}

	// skip the header: magic, version, then its length in 2 or 4 bytes
	rc, err := r.Open(name)
	if err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 1<<20)
	var pre [8]byte
	if _, err := io.ReadFull(br, pre[:]); err != nil {
		return nil, nil, fmt.Errorf("header: %w", err)
	}
	var hlen int
	if pre[6] == 1 {
		var b [2]byte
		_, err = io.ReadFull(br, b[:])
		hlen = int(le.Uint16(b[:]))
	} else {
		var b [4]byte
		_, err = io.ReadFull(br, b[:])
		hlen = int(le.Uint32(b[:]))
	}
	if err == nil {
		_, err = br.Discard(hlen)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("header: %w", err)
	}

	// the data
	v := make([]float64, count)
	buf := make([]byte, 1<<16)
	per := len(buf) / size
	for i := 0; i < count; i += per {
		n := min(per, count-i)
		if _, err := io.ReadFull(br, buf[:n*size]); err != nil {
			return nil, nil, fmt.Errorf("%d values for shape %v: %w", i, shape, err)
		}
		for k := range n {
			v[i+k] = decode(buf[k*size:])
		}
	}
	if h.Descr.Fortran {
		v = toCOrder(v, shape)
	}
	return v, shape, nil
}

// toCOrder returns the values of a Fortran-ordered (first index fastest)
// array of the given shape in C order (last index fastest).
func toCOrder(v []float64, shape []int) []float64 {
	out := make([]float64, len(v))
	idx := make([]int, len(shape))
	for c := range out {
		// c is the C-order position of idx; find its Fortran position
		f, stride := 0, 1
		for k := range shape {
			f += idx[k] * stride
			stride *= shape[k]
		}
		out[c] = v[f]
		for k := len(shape) - 1; k >= 0; k-- {
			if idx[k]++; idx[k] < shape[k] {
				break
			}
			idx[k] = 0
		}
	}
	return out
}
