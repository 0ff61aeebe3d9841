package models

import (
	"archive/zip"
	"bytes"
	"fmt"
	"sort"
	"time"

	"codeberg.org/sbinet/npyio/npy"
)

// zipTime is the modification time of every .npz entry Save writes, so
// that the same arrays give the same bytes.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// saveArray is an array on its way to a .npz file.
type saveArray struct {
	data  []float64
	shape []int
	ints  bool // whole numbers, stored as int32
}

// encodeNPZ builds a .npz file (an uncompressed zip of .npy files, as
// numpy.savez writes) with the entries in name order and fixed times.
func encodeNPZ(arrays map[string]saveArray) ([]byte, error) {
	names := make([]string, 0, len(arrays))
	for n := range arrays {
		names = append(names, n)
	}
	sort.Strings(names)

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range names {
		a := arrays[name]
		v, err := typed(a)
		if err != nil {
			return nil, fmt.Errorf("array %q: %w", name, err)
		}
		hdr := &zip.FileHeader{Name: name + ".npy", Method: zip.Store, Modified: zipTime}
		ew, err := zw.CreateHeader(hdr)
		if err != nil {
			return nil, err
		}
		if err := npy.Write(ew, v); err != nil {
			return nil, fmt.Errorf("array %q: %w", name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// typed converts an array to the Go value npyio writes: int32 for
// whole numbers, float32 when that loses nothing, float64 otherwise,
// nested for two dimensions.
func typed(a saveArray) (any, error) {
	exact32 := true
	for _, v := range a.data {
		if float64(float32(v)) != v {
			exact32 = false
			break
		}
	}
	switch {
	case a.ints:
		return nest[int32](a.data, a.shape)
	case exact32:
		return nest[float32](a.data, a.shape)
	}
	return nest[float64](a.data, a.shape)
}

// nest converts row-major data of one or two dimensions to a slice or a
// slice of rows of T.
func nest[T int32 | float32 | float64](data []float64, shape []int) (any, error) {
	conv := func(vs []float64) []T {
		out := make([]T, len(vs))
		for i, v := range vs {
			out[i] = T(v)
		}
		return out
	}
	switch {
	case len(shape) == 1 && shape[0] == len(data):
		return conv(data), nil
	case len(shape) == 2 && shape[0] > 0 && shape[0]*shape[1] == len(data):
		rows := make([][]T, shape[0])
		for i := range rows {
			rows[i] = conv(data[i*shape[1] : (i+1)*shape[1]])
		}
		return rows, nil
	}
	return nil, fmt.Errorf("cannot store shape %v with %d values", shape, len(data))
}
