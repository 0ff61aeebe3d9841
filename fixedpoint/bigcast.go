package fixedpoint

import (
	"fmt"
	"math/big"
)

// castBig sets z to the integer m * 2^s converted into f: quantized when
// s < 0 drops bits, then overflow-handled. It follows the same rules as the
// int64 core (target.convert) for formats of any width. z and m may be the
// same Int.
func castBig(z, m *big.Int, s int, f Format) Status {
	lo, hi := bigRange(f)
	if symmetric(f) {
		lo.Add(lo, bigOne)
	}

	// t = floor(m * 2^s), then r = t plus the quantization increment
	var t, r big.Int
	var st Status
	if s >= 0 {
		t.Lsh(m, uint(s))
		r.Set(&t)
	} else {
		k := uint(-s)
		first := m.Bit(int(k-1)) == 1
		sticky := k > 1 && m.Sign() != 0 && m.TrailingZeroBits() < k-1
		neg := m.Sign() < 0
		t.Rsh(m, k)
		r.Set(&t)
		if roundUp(f.Quant, neg, first, sticky, t.Bit(0) == 1) {
			r.Add(&r, bigOne)
		}
		if first || sticky {
			st = Inexact
		}
	}

	// in range
	if r.Cmp(lo) >= 0 && r.Cmp(hi) <= 0 {
		z.Set(&r)
		return st
	}

	// overflow
	neg := r.Sign() < 0
	switch f.Overflow {
	case Sat, SatSym:
		if neg {
			z.Set(lo)
		} else {
			z.Set(hi)
		}
		return st | Saturated
	case SatZero:
		z.SetInt64(0)
		return st | Saturated
	}
	w, n := f.Width, f.SatBits
	word := r.And(&r, bigMask(w)) // two's complement low bits
	switch {
	case f.Overflow == Wrap && n > 0 && !f.Signed:
		for i := w - n; i < w; i++ {
			word.SetBit(word, i, 1)
		}
	case f.Overflow == Wrap && n > 0:
		setSignAndSatBits(word, w, n, neg)
	case f.Overflow == WrapSM:
		top := word.Bit(w-1) == 1
		var flip bool
		switch n {
		case 0:
			flip = (t.Bit(w) == 1) != top
		case 1:
			flip = neg != top
		default:
			flip = (word.Bit(w-n) == 1) == neg
		}
		if flip {
			word.Xor(word, bigMask(w))
		}
		if n > 1 {
			setSignAndSatBits(word, w, n, neg)
		}
	}
	z.Set(word)
	if f.Signed && z.Bit(w-1) == 1 {
		z.Sub(z, new(big.Int).Lsh(bigOne, uint(w)))
	}
	return st | Wrapped
}

// setSignAndSatBits gives a signed w-bit word the sign neg in its top bit
// and the complement of neg in the n-1 bits below.
func setSignAndSatBits(word *big.Int, w, n int, neg bool) {
	sign, rest := uint(0), uint(1)
	if neg {
		sign, rest = 1, 0
	}
	word.SetBit(word, w-1, sign)
	for i := w - n; i < w-1; i++ {
		word.SetBit(word, i, rest)
	}
}

var bigOne = big.NewInt(1)

// bigMask returns 2^w - 1.
func bigMask(w int) *big.Int {
	m := new(big.Int).Lsh(bigOne, uint(w))
	return m.Sub(m, bigOne)
}

// bigRange returns the smallest and largest raw words of f, of any width.
func bigRange(f Format) (lo, hi *big.Int) {
	if !f.Signed {
		return new(big.Int), bigMask(f.Width)
	}
	hi = bigMask(f.Width - 1)
	lo = new(big.Int).Not(hi) // -hi - 1
	return lo, hi
}

// wrapBig reduces x to the raw word of a value of f: its low Width bits,
// read as two's complement when f is signed.
func wrapBig(x *big.Int, f Format) {
	lo, hi := bigRange(f)
	if x.Cmp(lo) >= 0 && x.Cmp(hi) <= 0 {
		return
	}
	x.And(x, bigMask(f.Width))
	if f.Signed && x.Bit(f.Width-1) == 1 {
		x.Sub(x, new(big.Int).Lsh(bigOne, uint(f.Width)))
	}
}

// checkWide panics if f cannot be the format of a Value.
func checkWide(f Format) {
	if p := f.problem(true); p != "" {
		panic(fmt.Sprintf("fixedpoint: invalid format %s: %s", f, p))
	}
}
