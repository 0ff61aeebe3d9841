package testbench

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"kd2fpga/fixedpoint"
)

func TestHexKnown(t *testing.T) {
	b := Bus{Formats: []fixedpoint.Format{fixedpoint.Fixed(4, 4), fixedpoint.UFixed(6, 6)}}
	cases := []struct {
		words []int64
		hex   string
	}{
		{[]int64{-3, 5}, "05d"},
		{[]int64{-8, 63}, "3f8"},
		{[]int64{7, 0}, "007"},
		{[]int64{0, 0}, "000"},
	}
	for _, c := range cases {
		if got := b.Hex(c.words); got != c.hex {
			t.Errorf("Hex(%v) = %s, want %s", c.words, got, c.hex)
		}
		back, err := b.Parse(strings.ToUpper(c.hex))
		if err != nil || fmt.Sprint(back) != fmt.Sprint(c.words) {
			t.Errorf("Parse(%s) = %v, %v; want %v", c.hex, back, err, c.words)
		}
	}
	if b.Width() != 10 || b.HexDigits() != 3 {
		t.Errorf("width %d, %d digits", b.Width(), b.HexDigits())
	}
}

// refHex packs words with math/big, the obviously right way.
func refHex(b Bus, words []int64) string {
	acc := new(big.Int)
	off := 0
	for k, f := range b.Formats {
		if f.Width == 0 {
			continue
		}
		v := new(big.Int).SetUint64(f.Bits(words[k]))
		acc.Or(acc, v.Lsh(v, uint(off)))
		off += f.Width
	}
	return fmt.Sprintf("%0*x", b.HexDigits(), acc)
}

// randomBus returns a bus of n elements of random widths from 0 (pruned)
// to 64, signed and unsigned.
func randomBus(rng *rand.Rand, n int) Bus {
	b := Bus{}
	for range n {
		f := fixedpoint.Format{Signed: rng.IntN(2) == 0, Width: rng.IntN(65)}
		if !f.Signed && f.Width == 64 {
			f.Width = 63
		}
		f.Int = rng.IntN(10) - 3
		b.Formats = append(b.Formats, f)
	}
	return b
}

func TestHexRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 300 {
		b := randomBus(rng, 1+rng.IntN(120))
		words := make([]int64, len(b.Formats))
		for k, f := range b.Formats {
			if f.Width > 0 {
				words[k] = f.FromBits(rng.Uint64())
			}
		}
		got, want := b.Hex(words), refHex(b, words)
		if got != want {
			t.Fatalf("case %d: Hex = %s\nwant   %s", i, got, want)
		}
		back, err := b.Parse(got)
		if err != nil {
			t.Fatalf("case %d: Parse: %v", i, err)
		}
		for k := range words {
			if back[k] != words[k] {
				t.Fatalf("case %d: element %d (%+v): %d back as %d", i, k, b.Formats[k], words[k], back[k])
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	b := Bus{Formats: []fixedpoint.Format{fixedpoint.Fixed(4, 4), fixedpoint.UFixed(6, 6)}}
	for _, line := range []string{"05", "0005d", "05g", "45d"} {
		if _, err := b.Parse(line); err == nil {
			t.Errorf("Parse(%q) succeeded", line)
		}
	}
	var sb strings.Builder
	WriteHex(&sb, [][]int64{{1, 2}, {-1, 0}}, b)
	if sb.String() != "021\n00f\n" {
		t.Errorf("WriteHex wrote %q", sb.String())
	}
	if _, err := ReadHex(strings.NewReader("021\nxyz\n"), "v.hex", b); err == nil ||
		!strings.HasPrefix(err.Error(), "v.hex:2: ") {
		t.Errorf("ReadHex error = %v, want v.hex:2: ...", err)
	}
}
