package fixedpoint

import (
	"math"
	"math/big"
)

// This file holds the slow reference the fast code is tested against. It
// is written straight from the rules in /work/shared/apfixed/README.md
// (facts read from Xilinx's headers), with exact rationals and none of the
// package's shortcuts: q = x * 2^F, t = floor(q), the first dropped bit,
// the sticky bit, the increment of each mode, then the overflow mode on
// the rounded integer.

// refConvert returns the raw word and status of the exact value x
// converted into f. srcSigned tells whether the source type was signed
// (a double is), which AP_SAT_SYM's rule for the minimum depends on.
func refConvert(x *big.Rat, f Format, srcSigned bool) (*big.Int, Status) {
	// q = x * 2^F, t = floor(q), d = q - t in [0, 1)
	q := new(big.Rat).Mul(x, ratPow2(f.Frac()))
	t := ratFloor(q)
	d := new(big.Rat).Sub(q, new(big.Rat).SetInt(t))
	half := big.NewRat(1, 2)
	first := d.Cmp(half) >= 0
	sticky := d.Sign() != 0 && d.Cmp(half) != 0
	neg := x.Sign() < 0
	odd := t.Bit(0) == 1

	// the increment of each quantization mode
	var inc bool
	switch f.Quant {
	case Trn:
		inc = false
	case Rnd:
		inc = first
	case RndZero:
		inc = first && (neg || sticky)
	case RndMinInf:
		inc = first && sticky
	case RndInf:
		inc = first && (!neg || sticky)
	case RndConv:
		inc = first && (odd || sticky)
	case TrnZero:
		inc = neg && (first || sticky)
	}
	r := new(big.Int).Set(t)
	if inc {
		r.Add(r, big.NewInt(1))
	}
	var st Status
	if d.Sign() != 0 {
		st = Inexact
	}

	// the range of f
	pw := new(big.Int).Lsh(big.NewInt(1), uint(f.Width))
	var lo, hi *big.Int
	if f.Signed {
		hi = new(big.Int).Sub(new(big.Int).Rsh(pw, 1), big.NewInt(1))
		lo = new(big.Int).Neg(new(big.Int).Rsh(pw, 1))
	} else {
		hi = new(big.Int).Sub(pw, big.NewInt(1))
		lo = new(big.Int)
	}
	// AP_SAT_SYM's negative limit: the minimum word with its lowest bit
	// set, which is -max except in a one-bit word (where it is -1)
	symLo := new(big.Int).Neg(hi)
	if f.Width == 1 {
		symLo = lo
	}
	symMin := f.Overflow == SatSym && f.Signed && srcSigned && r.Cmp(symLo) < 0
	if r.Cmp(lo) >= 0 && r.Cmp(hi) <= 0 && !symMin {
		return r, st
	}
	above := r.Cmp(hi) > 0
	rneg := r.Sign() < 0

	// the saturating modes
	switch f.Overflow {
	case Sat:
		if above {
			return hi, st | Saturated
		}
		return lo, st | Saturated
	case SatSym:
		if above {
			return hi, st | Saturated
		}
		if f.Signed {
			return symLo, st | Saturated
		}
		return lo, st | Saturated
	case SatZero:
		return new(big.Int), st | Saturated
	}

	// the wrapping modes work on w, the low W bits of r (0 <= w < 2^W),
	// and on its bits counted from 0
	w := new(big.Int).Mod(r, pw)
	bit := func(i int) bool { return w.Bit(i) == 1 }
	set := func(i int, b bool) {
		v := uint(0)
		if b {
			v = 1
		}
		w.SetBit(w, i, v)
	}
	complement := func() { w.Sub(new(big.Int).Sub(pw, big.NewInt(1)), w) }
	W, N := f.Width, f.SatBits
	switch {
	case f.Overflow == Wrap && N > 0 && f.Signed:
		set(W-1, rneg)
		for i := W - N; i <= W-2; i++ {
			set(i, !rneg)
		}
	case f.Overflow == Wrap && N > 0:
		for i := W - N; i <= W-1; i++ {
			set(i, true)
		}
	case f.Overflow == WrapSM && N == 0:
		// lD: bit W of t in two's complement
		lD := new(big.Int).Rsh(t, uint(W)).Bit(0) == 1
		if lD != bit(W-1) {
			complement()
		}
	case f.Overflow == WrapSM && N == 1:
		if rneg != bit(W-1) {
			complement()
		}
	case f.Overflow == WrapSM:
		if bit(W-N) == rneg {
			complement()
		}
		set(W-1, rneg)
		for i := W - N; i <= W-2; i++ {
			set(i, !rneg)
		}
	}
	if f.Signed && bit(W-1) {
		w.Sub(w, pw)
	}
	return w, st | Wrapped
}

// refFloat returns the exact value the headers convert a double from:
// x itself, ±2^1024 for an infinity, and for a NaN the value its bits
// would have with an exponent of 1024: ±(1 + fraction/2^52) * 2^1024.
func refFloat(x float64) *big.Rat {
	if !math.IsInf(x, 0) && !math.IsNaN(x) {
		return new(big.Rat).SetFloat64(x)
	}
	b := math.Float64bits(x)
	m := new(big.Int).SetUint64(b&(1<<52-1) | 1<<52)
	r := new(big.Rat).SetInt(m.Lsh(m, 1024-52))
	if b>>63 != 0 {
		r.Neg(r)
	}
	return r
}

// refValue returns raw * 2^-F exactly.
func refValue(f Format, raw *big.Int) *big.Rat {
	return new(big.Rat).Mul(new(big.Rat).SetInt(raw), ratPow2(-f.Frac()))
}

// ratPow2 returns 2^n for any integer n.
func ratPow2(n int) *big.Rat {
	p := new(big.Int).Lsh(big.NewInt(1), uint(max(n, -n)))
	if n >= 0 {
		return new(big.Rat).SetInt(p)
	}
	return new(big.Rat).SetFrac(big.NewInt(1), p)
}

// ratFloor returns floor(q).
func ratFloor(q *big.Rat) *big.Int {
	// Rat keeps a positive denominator, and Int.Div rounds toward minus
	// infinity for a positive divisor
	return new(big.Int).Div(q.Num(), q.Denom())
}
