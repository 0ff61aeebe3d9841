package fixedpoint

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ParseFormat parses a type as C++ or hls4ml spells it:
//
//	ap_fixed<W,I[,Q[,O[,N]]]>   ap_ufixed<W,I[,Q[,O[,N]]]>
//	ap_int<W>                   ap_uint<W>
//	fixed<W,I[,Q[,O[,N]]]>      ufixed<W,I[,Q[,O[,N]]]>
//	int<W>                      uint<W>
//
// Modes are written as in C++ ("AP_RND_CONV") or without the "AP_" prefix
// ("RND_CONV"), in any case; blanks may surround every token. An integer
// type ap_int<W> is the format ap_fixed<W,W> with the default modes (see
// the package documentation for how this differs from C++ when a value
// with a fraction is converted to it). The result is valid: ParseFormat
// refuses what Validate refuses, naming the string and the fault, as in
// `format "ap_fixed<0,3>": width 0 is below 1`.
func ParseFormat(s string) (Format, error) {
	f, p := parseFormat(s)
	if p == "" {
		p = f.problem(false)
	}
	if p != "" {
		return Format{}, fmt.Errorf("format %q: %s", s, p)
	}
	return f, nil
}

// typeNames maps each accepted type name to whether it is signed and
// whether it is an integer type (one parameter).
var typeNames = map[string]struct{ signed, integer bool }{
	"ap_fixed":  {true, false},
	"ap_ufixed": {false, false},
	"ap_int":    {true, true},
	"ap_uint":   {false, true},
	"fixed":     {true, false},
	"ufixed":    {false, false},
	"int":       {true, true},
	"uint":      {false, true},
}

const formatSyntax = "want ap_fixed<W,I[,Q[,O[,N]]]>, ap_ufixed<...>, ap_int<W> or ap_uint<W>"

// parseFormat splits s into its name and parameters and reads them; it
// returns what is wrong with s, or "" (the format may still be invalid).
func parseFormat(s string) (Format, string) {
	// name<params>
	t := strings.TrimSpace(s)
	lt := strings.IndexByte(t, '<')
	if lt < 0 || !strings.HasSuffix(t, ">") {
		return Format{}, formatSyntax
	}
	name := strings.TrimSpace(t[:lt])
	kind, ok := typeNames[strings.ToLower(name)]
	if !ok {
		return Format{}, fmt.Sprintf("unknown type %q: %s", name, formatSyntax)
	}
	params := strings.Split(t[lt+1:len(t)-1], ",")
	for i := range params {
		params[i] = strings.TrimSpace(params[i])
	}

	// the parameter count
	lo, hi := 2, 5
	if kind.integer {
		lo, hi = 1, 1
	}
	if len(params) < lo || len(params) > hi {
		if lo == hi {
			return Format{}, fmt.Sprintf("%s takes %d parameter, not %d", name, lo, len(params))
		}
		return Format{}, fmt.Sprintf("%s takes %d to %d parameters, not %d",
			name, lo, hi, len(params))
	}

	// W and I
	f := Format{Signed: kind.signed}
	var err error
	if f.Width, err = parseParam(params[0]); err != nil {
		return Format{}, "width " + err.Error()
	}
	f.Int = f.Width
	if !kind.integer {
		if f.Int, err = parseParam(params[1]); err != nil {
			return Format{}, "integer bits " + err.Error()
		}
	}

	// Q, O, N
	if len(params) > 2 {
		if f.Quant, err = ParseQuant(params[2]); err != nil {
			return Format{}, err.Error()
		}
	}
	if len(params) > 3 {
		if f.Overflow, err = ParseOverflow(params[3]); err != nil {
			return Format{}, err.Error()
		}
	}
	if len(params) > 4 {
		if f.SatBits, err = parseParam(params[4]); err != nil {
			return Format{}, "saturation bits " + err.Error()
		}
	}
	return f, ""
}

// parseParam reads a decimal integer parameter.
func parseParam(s string) (int, error) {
	n, err := strconv.ParseInt(s, 10, 32)
	if errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("%s is out of range", s)
	}
	if err != nil {
		return 0, fmt.Errorf("%q is not an integer", s)
	}
	return int(n), nil
}

// String returns the C++ spelling of f, leaving out trailing parameters
// that have their default values: "ap_fixed<16,6>",
// "ap_fixed<8,3,AP_RND_CONV,AP_SAT>", "ap_ufixed<8,0,AP_TRN,AP_WRAP,2>".
// Integer types print as ap_fixed<W,W> and ap_ufixed<W,W>. For every valid
// f, ParseFormat(f.String()) returns f.
func (f Format) String() string {
	var b strings.Builder
	if f.Signed {
		b.WriteString("ap_fixed<")
	} else {
		b.WriteString("ap_ufixed<")
	}
	fmt.Fprintf(&b, "%d,%d", f.Width, f.Int)
	switch {
	case f.SatBits != 0:
		fmt.Fprintf(&b, ",%s,%s,%d", f.Quant, f.Overflow, f.SatBits)
	case f.Overflow != Wrap:
		fmt.Fprintf(&b, ",%s,%s", f.Quant, f.Overflow)
	case f.Quant != Trn:
		fmt.Fprintf(&b, ",%s", f.Quant)
	}
	b.WriteByte('>')
	return b.String()
}
