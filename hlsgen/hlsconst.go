package hlsgen

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"

	"kd2fpga/fixedpoint"
)

// hlsConst is a constant of the generated C++ (weights, biases, a table,
// a slope), stored as the raw words of its values in a plain C integer
// array: value k is Raw[k] * 2^-Frac of the fixed-point type ValueType,
// which the generated code rebuilds with kd2fpga::from_raw. Integer
// literals are exact whatever the type's quantization mode, and compile
// fast: an array of ap_fixed initialised from literals costs g++ several
// milliseconds an element.
type hlsConst struct {
	Name      string
	Type      string // the C integer type of the raw words, such as int16_t
	ValueType string // the fixed-point type of the values
	Scale     string // the weight of a raw word's unit, such as 2^-10
	Dims      string // such as "[64][16]"; empty for a scalar
	Comment   string

	// raw holds the raw words by row: one row for a 1-D array or a
	// scalar, whose Dims have one subscript or none.
	raw [][]int64
	// formats[i][j] is the format of raw[i][j]; nil when every word is
	// in format itself.
	formats [][]fixedpoint.Format
	format  fixedpoint.Format // the format of ValueType
}

// newConst returns the constant name holding the raw words raw, each in
// its format formats[i][j] (nil: in vt's format), as values of the type
// vt, which holds each exactly.
func newConst(name string, vt hlsType, dims string, raw [][]int64, formats [][]fixedpoint.Format,
	comment string) (*hlsConst, error) {
	f := vt.format
	if f.Width > 64 {
		return nil, fmt.Errorf("%s: values of type %s are wider than 64 bits", comment, vt.Spelling)
	}
	return &hlsConst{Name: name, Type: cInt(f), ValueType: vt.Name, Scale: fmt.Sprintf("2^%d", -f.Frac()),
		Dims: dims, Comment: comment, raw: raw, formats: formats, format: f}, nil
}

// cInt returns the narrowest C integer type that holds every raw word of
// f.
func cInt(f fixedpoint.Format) string {
	bits := 8
	for bits < f.Width {
		bits *= 2
	}
	if f.Signed {
		return fmt.Sprintf("int%d_t", bits)
	}
	return fmt.Sprintf("uint%d_t", bits)
}

// valuesPerLine is how many literals a line of an initializer holds.
const valuesPerLine = 16

// writeValues prints the initializer of c (after its "= ") and ";\n". It
// writes straight to w, so a model with hundreds of thousands of weights
// never holds their text in memory.
func (c *hlsConst) writeValues(w *bufio.Writer) error {
	var buf []byte
	lit := func(i, j int) error {
		word, err := c.word(i, j)
		if err != nil {
			return err
		}
		buf = c.appendWord(buf[:0], word)
		w.Write(buf)
		return nil
	}
	if c.Dims == "" {
		if err := lit(0, 0); err != nil {
			return err
		}
		w.WriteString(";\n")
		return nil
	}

	// 1-D: valuesPerLine values a line; 2-D: a brace per row too
	twoD := strings.Count(c.Dims, "[") == 2
	ind := "\n    "
	if twoD {
		ind = "\n     "
	}
	w.WriteString("{")
	for i, row := range c.raw {
		if twoD {
			w.WriteString("\n    {")
		}
		for j := range row {
			switch {
			case j%valuesPerLine == 0 && (j > 0 || !twoD):
				w.WriteString(ind)
			case j > 0:
				w.WriteString(" ")
			}
			if err := lit(i, j); err != nil {
				return err
			}
			if j != len(row)-1 {
				w.WriteString(",")
			}
		}
		if twoD {
			w.WriteString("}")
			if i != len(c.raw)-1 {
				w.WriteString(",")
			}
		}
	}
	w.WriteString("\n};\n")
	return nil
}

// word returns the raw word (i, j) of c in c's own format: the value's raw
// word in its format, shifted to c's fractional bits (exact, since c's
// format holds every value), as the low Width bits.
func (c *hlsConst) word(i, j int) (uint64, error) {
	raw, f := c.raw[i][j], c.format
	if c.formats != nil {
		f = c.formats[i][j]
	}
	if raw == 0 {
		return 0, nil
	}
	if f.Width == 0 {
		return 0, fmt.Errorf("%s: pruned entry [%d][%d] is %d, not zero", c.Name, i, j, raw)
	}
	sh := c.format.Frac() - f.Frac()
	if sh < 0 || sh > 63 {
		return 0, fmt.Errorf("internal error: %s: format %s does not hold %s", c.Name, c.format, f)
	}
	return uint64(raw) << sh, nil
}

// appendWord appends the C literal of the raw word b of c's format.
func (c *hlsConst) appendWord(buf []byte, b uint64) []byte {
	f := c.format
	suffix := ""
	if f.Width > 32 {
		suffix = "LL"
		if !f.Signed {
			suffix = "ULL"
		}
	}
	if !f.Signed {
		buf = strconv.AppendUint(buf, b&mask(f.Width), 10)
		return append(buf, suffix...)
	}
	v := f.FromBits(b)
	if v == -1<<63 {
		// no literal spells -2^63: it would be minus a positive literal
		// that does not fit
		return append(buf, "(-9223372036854775807LL - 1)"...)
	}
	buf = strconv.AppendInt(buf, v, 10)
	return append(buf, suffix...)
}

// mask returns a word with the low w bits set, 1 <= w <= 64.
func mask(w int) uint64 { return ^uint64(0) >> (64 - w) }
