package models

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"codeberg.org/sbinet/npyio/npy"
)

// ErrNoArray is returned (wrapped) by an ArraySource asked for an array
// it does not hold.
var ErrNoArray = errors.New("models: no such array")

// maxArrayBytes bounds the size of one array, so that a corrupt header
// cannot make the loader allocate without limit.
const maxArrayBytes = 1 << 31

// Array is an n-dimensional array of numbers in row-major (C) order.
type Array struct {
	Data  []float64
	Shape []int
}

// ArraySource gives the arrays of a model by name. Names are those of the
// model file, such as "fc1.weight"; a trailing ".npy" is ignored.
type ArraySource interface {
	// Array returns the named array in row-major order. An error wraps
	// ErrNoArray when the source holds no such array.
	Array(name string) (data []float64, shape []int, err error)
	// Names lists the arrays of the source, sorted.
	Names() []string
}

// MapArrays returns an ArraySource that serves the arrays of m. It keeps
// m and its arrays and returns them without copying.
func MapArrays(m map[string]Array) ArraySource {
	return mapSource(m)
}

// mapSource is an in-memory ArraySource.
type mapSource map[string]Array

// Array returns the named array.
func (ms mapSource) Array(name string) ([]float64, []int, error) {
	a, ok := ms[strings.TrimSuffix(name, ".npy")]
	if !ok {
		a, ok = ms[name]
	}
	if !ok {
		return nil, nil, fmt.Errorf("array %q: %w", name, ErrNoArray)
	}
	return a.Data, a.Shape, nil
}

// Names lists the arrays, sorted.
func (ms mapSource) Names() []string {
	names := make([]string, 0, len(ms))
	for n := range ms {
		names = append(names, strings.TrimSuffix(n, ".npy"))
	}
	sort.Strings(names)
	return names
}

// OpenArrays opens a .npz file or a directory of .npy files. In a
// directory, an array's name is the path of its file relative to the
// directory, with slashes and without ".npy" (so "dense/kernel" is
// dense/kernel.npy). Arrays are read when asked for; errors name the file
// and the array.
func OpenArrays(path string) (ArraySource, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, pathErr(err))
	}
	if st.IsDir() {
		return openDir(path)
	}
	return openNPZ(path)
}

// pathErr strips the operation and path from a file system error, which
// the caller already names.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// npzSource reads arrays from a .npz file held in memory.
type npzSource struct {
	path  string
	files map[string]*zip.File
	names []string
}

// openNPZ reads the zip directory of a .npz file.
func openNPZ(path string) (*npzSource, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, pathErr(err))
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil, fmt.Errorf("%s: not a valid .npz file (%v)", path, err)
	}
	src := &npzSource{path: path, files: make(map[string]*zip.File)}
	for _, f := range zr.File {
		name := strings.TrimSuffix(f.Name, ".npy")
		if _, dup := src.files[name]; dup || strings.HasSuffix(f.Name, "/") {
			continue
		}
		src.files[name] = f
		src.names = append(src.names, name)
	}
	sort.Strings(src.names)
	return src, nil
}

// Names lists the arrays of the file, sorted.
func (s *npzSource) Names() []string { return s.names }

// Array reads and decodes one entry of the file.
func (s *npzSource) Array(name string) ([]float64, []int, error) {
	name = strings.TrimSuffix(name, ".npy")
	f, ok := s.files[name]
	if !ok {
		return nil, nil, fmt.Errorf("%s: array %q: %w", s.path, name, ErrNoArray)
	}
	fail := func(err error) ([]float64, []int, error) {
		return nil, nil, fmt.Errorf("%s: array %q: %w", s.path, name, err)
	}
	if f.UncompressedSize64 > maxArrayBytes {
		return fail(fmt.Errorf("%d bytes is too large", f.UncompressedSize64))
	}
	rc, err := f.Open()
	if err != nil {
		return fail(err)
	}
	defer rc.Close()
	raw, err := io.ReadAll(io.LimitReader(rc, maxArrayBytes+1))
	if err != nil {
		return fail(err)
	}
	data, shape, err := decodeNPY(raw)
	if err != nil {
		return fail(err)
	}
	return data, shape, nil
}

// dirSource reads arrays from the .npy files of a directory tree.
type dirSource struct {
	dir   string
	names []string
}

// openDir lists the .npy files under dir.
func openDir(dir string) (*dirSource, error) {
	src := &dirSource{dir: dir}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".npy") {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		src.names = append(src.names, strings.TrimSuffix(filepath.ToSlash(rel), ".npy"))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	sort.Strings(src.names)
	return src, nil
}

// Names lists the arrays of the directory, sorted.
func (s *dirSource) Names() []string { return s.names }

// Array reads and decodes one .npy file.
func (s *dirSource) Array(name string) ([]float64, []int, error) {
	name = strings.TrimSuffix(name, ".npy")
	path := filepath.Join(s.dir, filepath.FromSlash(name)+".npy")
	i := sort.SearchStrings(s.names, name)
	if i == len(s.names) || s.names[i] != name {
		return nil, nil, fmt.Errorf("%s: %w", path, ErrNoArray)
	}
	return ReadNPY(path)
}

// ReadNPY reads one .npy file as the model loader reads its arrays:
// numbers of any real type, in either byte order and either C or Fortran
// order, returned as float64 in row-major order with their shape. Errors
// name the file; a truncated or malformed file is an error, never a
// panic.
func ReadNPY(path string) (data []float64, shape []int, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, pathErr(err))
	}
	if st.Size() > maxArrayBytes {
		return nil, nil, fmt.Errorf("%s: %d bytes is too large", path, st.Size())
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, pathErr(err))
	}
	if data, shape, err = decodeNPY(raw); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return data, shape, nil
}

// decodeNPY decodes a whole .npy file: numbers of any real type (floats,
// integers, booleans) in either byte order and either C or Fortran order,
// returned as float64 in row-major order. Malformed or truncated data gives
// an error, never a panic.
func decodeNPY(raw []byte) (data []float64, shape []int, err error) {
	// the preamble: magic, version and header length
	if len(raw) < 10 || !bytes.Equal(raw[:6], npy.Magic[:]) {
		return nil, nil, errors.New("not a .npy array (no NUMPY magic)")
	}
	var start, hdrLen int
	switch raw[6] {
	case 1:
		start, hdrLen = 10, int(binary.LittleEndian.Uint16(raw[8:]))
	case 2:
		if len(raw) < 12 {
			return nil, nil, errors.New("truncated header")
		}
		start, hdrLen = 12, int(binary.LittleEndian.Uint32(raw[8:]))
	default:
		return nil, nil, fmt.Errorf("unsupported .npy version %d", raw[6])
	}
	if hdrLen > len(raw)-start {
		return nil, nil, errors.New("truncated header")
	}

	// the header dictionary, parsed by npyio (which panics on some
	// malformed headers)
	hdr, err := readHeader(raw[:start+hdrLen])
	if err != nil {
		return nil, nil, err
	}
	dtype := strings.Trim(hdr.Descr.Type, `'"`)
	kind, size, err := numericType(dtype)
	if err != nil {
		return nil, nil, err
	}

	// the data must fill the rest of the file exactly
	n := 1
	for _, d := range hdr.Descr.Shape {
		if d < 0 || (d > 0 && n > maxArrayBytes/d) {
			return nil, nil, fmt.Errorf("bad shape %v", hdr.Descr.Shape)
		}
		n *= d
	}
	shape = append([]int{}, hdr.Descr.Shape...)
	body := raw[start+hdrLen:]
	if want := n * size; len(body) != want {
		if len(body) < want {
			return nil, nil, fmt.Errorf("truncated data: %d bytes, want %d for shape %v %s",
				len(body), want, shape, dtype)
		}
		return nil, nil, fmt.Errorf("%d bytes of data, want %d for shape %v %s",
			len(body), want, shape, dtype)
	}

	// the values, converted to float64
	data, err = readValues(raw, kind, size, n)
	if err != nil {
		return nil, nil, err
	}
	if hdr.Descr.Fortran {
		data = fromFortran(data, shape)
	}
	return data, shape, nil
}

// readHeader parses the preamble and header of a .npy file with npyio.
func readHeader(head []byte) (hdr *npy.Header, err error) {
	defer func() {
		if recover() != nil {
			hdr, err = nil, errors.New("malformed header")
		}
	}()
	r, err := npy.NewReader(bytes.NewReader(head))
	if err != nil {
		return nil, fmt.Errorf("malformed header (%v)", err)
	}
	return &r.Header, nil
}

// numericType checks that dtype (such as "<f4") is a real number type
// and returns its kind letter and size in bytes.
func numericType(dtype string) (kind byte, size int, err error) {
	bad := fmt.Errorf("type %q is not a real number type", dtype)
	if len(dtype) < 3 || !strings.ContainsRune("<>|=", rune(dtype[0])) {
		return 0, 0, bad
	}
	kind = dtype[1]
	size, convErr := strconv.Atoi(dtype[2:])
	if convErr != nil {
		return 0, 0, bad
	}
	switch {
	case kind == 'f' && (size == 4 || size == 8):
	case (kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8):
	case kind == 'b' && size == 1:
	default:
		return 0, 0, bad
	}
	return kind, size, nil
}

// readValues reads n values of the given type with npyio and converts
// them to float64.
func readValues(raw []byte, kind byte, size, n int) (data []float64, err error) {
	defer func() {
		if recover() != nil {
			data, err = nil, errors.New("malformed data")
		}
	}()
	r, err := npy.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("malformed header (%v)", err)
	}
	switch {
	case kind == 'f' && size == 4:
		return readAs[float32](r, n)
	case kind == 'f':
		return readAs[float64](r, n)
	case kind == 'i' && size == 1:
		return readAs[int8](r, n)
	case kind == 'i' && size == 2:
		return readAs[int16](r, n)
	case kind == 'i' && size == 4:
		return readAs[int32](r, n)
	case kind == 'i':
		return readAs[int64](r, n)
	case kind == 'u' && size == 1:
		return readAs[uint8](r, n)
	case kind == 'u' && size == 2:
		return readAs[uint16](r, n)
	case kind == 'u' && size == 4:
		return readAs[uint32](r, n)
	case kind == 'u':
		return readAs[uint64](r, n)
	}
	vs := make([]bool, n)
	if err := r.Read(&vs); err != nil {
		return nil, err
	}
	data = make([]float64, n)
	for i, v := range vs {
		if v {
			data[i] = 1
		}
	}
	return data, nil
}

// realNumber lists the element types readValues reads.
type realNumber interface {
	~float32 | ~float64 | ~int8 | ~int16 | ~int32 | ~int64 |
		~uint8 | ~uint16 | ~uint32 | ~uint64
}

// readAs reads n values of type T and converts them to float64.
func readAs[T realNumber](r *npy.Reader, n int) ([]float64, error) {
	vs := make([]T, n)
	if n > 0 {
		if err := r.Read(&vs); err != nil {
			return nil, err
		}
	}
	data := make([]float64, n)
	for i, v := range vs {
		data[i] = float64(v)
	}
	return data, nil
}

// fromFortran reorders column-major data into row-major order.
func fromFortran(data []float64, shape []int) []float64 {
	if len(shape) < 2 {
		return data
	}
	out := make([]float64, len(data))
	idx := make([]int, len(shape))
	for c := range data {
		// c is the row-major offset of idx; find its column-major offset
		f, stride := 0, 1
		for k := range shape {
			f += idx[k] * stride
			stride *= shape[k]
		}
		out[c] = data[f]
		for k := len(shape) - 1; k >= 0; k-- {
			idx[k]++
			if idx[k] < shape[k] {
				break
			}
			idx[k] = 0
		}
	}
	return out
}
