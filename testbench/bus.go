package testbench

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"kd2fpga/fixedpoint"
	"kd2fpga/quantize"
)

// Bus is the bit layout of a flattened tensor: element k holds a raw word
// of Formats[k], element 0 in the least significant bits, each element
// directly above the one before it. An element of width 0 (a pruned
// value) occupies no bits and always reads as 0.
type Bus struct {
	Formats []fixedpoint.Format
}

// BusOf returns the bus of tensor t: its elements in row-major order,
// element (p, f) of a particle tensor [P, F] being element p*F + f.
func BusOf(t quantize.Tensor) Bus {
	n, nf := t.Len(), t.Features()
	b := Bus{Formats: make([]fixedpoint.Format, n)}
	for k := range n {
		b.Formats[k] = t.Formats[k%nf]
	}
	return b
}

// Width returns the number of bits of the bus.
func (b Bus) Width() int {
	w := 0
	for _, f := range b.Formats {
		w += f.Width
	}
	return w
}

// Offsets returns the bit offset of every element: the sum of the widths
// of the elements before it.
func (b Bus) Offsets() []int {
	off := make([]int, len(b.Formats))
	w := 0
	for k, f := range b.Formats {
		off[k] = w
		w += f.Width
	}
	return off
}

// HexDigits returns the number of hexadecimal digits of a vector line:
// the bus width rounded up to a multiple of 4 bits, over 4. A bus of no
// bits still takes one digit.
func (b Bus) HexDigits() int { return max(1, (b.Width()+3)/4) }

// Hex returns the vector line of the raw words: the whole bus as
// hexadecimal digits, most significant first, zero-padded on the left to
// HexDigits digits. It panics if len(words) differs from the number of
// elements.
func (b Bus) Hex(words []int64) string {
	if len(words) != len(b.Formats) {
		panic(fmt.Sprintf("testbench: %d words for a bus of %d elements", len(words), len(b.Formats)))
	}

	// the bus as a bit set of 64-bit limbs, element 0 at bit 0
	nd := b.HexDigits()
	limbs := make([]uint64, (4*nd+63)/64)
	off := 0
	for k, f := range b.Formats {
		if f.Width == 0 {
			continue
		}
		bits := f.Bits(words[k])
		i, s := off/64, uint(off%64)
		limbs[i] |= bits << s
		if s != 0 && int(s)+f.Width > 64 {
			limbs[i+1] |= bits >> (64 - s)
		}
		off += f.Width
	}

	// digits, most significant first
	const hexDigits = "0123456789abcdef"
	out := make([]byte, nd)
	for d := range nd {
		bit := 4 * (nd - 1 - d)
		out[d] = hexDigits[limbs[bit/64]>>(bit%64)&0xf]
	}
	return string(out)
}

// Parse returns the raw words of a vector line written by Hex, sign
// extended where the format is signed. Upper- and lower-case digits are
// accepted; the line must have exactly HexDigits digits and its padding
// bits must be zero.
func (b Bus) Parse(line string) ([]int64, error) {
	nd := b.HexDigits()
	line = strings.TrimSpace(line)
	if len(line) != nd {
		return nil, fmt.Errorf("%d hexadecimal digits, want %d", len(line), nd)
	}

	// the bit set, least significant digit first
	limbs := make([]uint64, (4*nd+63)/64)
	for d := range nd {
		v, ok := hexValue(line[nd-1-d])
		if !ok {
			return nil, fmt.Errorf("bad hexadecimal digit %q", line[nd-1-d])
		}
		limbs[4*d/64] |= uint64(v) << (4 * d % 64)
	}

	// the elements, then a check of the padding
	words := make([]int64, len(b.Formats))
	off := 0
	for k, f := range b.Formats {
		if f.Width == 0 {
			continue
		}
		i, s := off/64, uint(off%64)
		bits := limbs[i] >> s
		if s != 0 && int(s)+f.Width > 64 {
			bits |= limbs[i+1] << (64 - s)
		}
		words[k] = f.FromBits(bits)
		off += f.Width
	}
	for bit := off; bit < 4*nd; bit++ {
		if limbs[bit/64]>>(bit%64)&1 != 0 {
			return nil, fmt.Errorf("padding bit %d is set", bit)
		}
	}
	return words, nil
}

func hexValue(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// WriteHex writes one line per vector of words to w, in the vector file
// format of docs/firmware.md.
func WriteHex(w io.Writer, words [][]int64, b Bus) error {
	bw := bufio.NewWriter(w)
	for _, v := range words {
		bw.WriteString(b.Hex(v))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// WriteHexFile writes the vector file path (see WriteHex).
func WriteHexFile(path string, words [][]int64, b Bus) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := WriteHex(f, words, b); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

// ReadHex reads a vector file written by WriteHex. Errors name the line.
func ReadHex(r io.Reader, name string, b Bus) ([][]int64, error) {
	var words [][]int64
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<26)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		v, err := b.Parse(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		words = append(words, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return words, nil
}

// ReadHexFile reads the vector file path (see ReadHex).
func ReadHexFile(path string, b Bus) ([][]int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadHex(f, path, b)
}
