package models

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Error is one problem found in a model description. It prints as one
// line: the file, the position when known, the layer the problem belongs
// to, and the message, as in
//
//	model.hcl:12,3: layer "fc2": weight "fc2.weight" has shape [64 32], want [16 32]
type Error struct {
	File string
	// Pos is where the problem is; a zero Line means the problem is
	// about the file as a whole.
	Pos hcl.Pos
	// Layer names the layer the problem belongs to, or is empty.
	Layer string
	Msg   string
}

// Error formats e on one line.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Pos.Line > 0 {
		fmt.Fprintf(&b, ":%d,%d", e.Pos.Line, e.Pos.Column)
	}
	b.WriteString(": ")
	if e.Layer != "" {
		fmt.Fprintf(&b, "layer %q: ", e.Layer)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is the list of every problem found in a model description,
// in the order of their positions. It prints one problem per line.
type Errors []*Error

// Error joins the problems, one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems as a list of errors, so that errors.As
// finds a single *Error among them.
func (es Errors) Unwrap() []error {
	errs := make([]error, len(es))
	for i, e := range es {
		errs[i] = e
	}
	return errs
}

// errList collects the problems of one file.
type errList struct {
	file string
	errs Errors
}

// add records a problem at rng (a zero range means the whole file).
func (el *errList) add(rng hcl.Range, layer, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	el.errs = append(el.errs, &Error{
		File:  el.file,
		Pos:   rng.Start,
		Layer: layer,
		Msg:   oneLine(msg),
	})
}

// diags records HCL diagnostics, rewritten as one-line messages after
// prefix.
func (el *errList) diags(ds hcl.Diagnostics, layer, prefix string) {
	for _, d := range ds {
		if d.Severity != hcl.DiagError {
			continue
		}
		var rng hcl.Range
		if d.Subject != nil {
			rng = *d.Subject
		}
		el.add(rng, layer, "%s%s", prefix, diagMessage(d))
	}
}

// result returns the problems sorted by position, or nil when there
// are none.
func (el *errList) result() error {
	if len(el.errs) == 0 {
		return nil
	}
	sort.SliceStable(el.errs, func(i, j int) bool {
		a, b := el.errs[i].Pos, el.errs[j].Pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return el.errs
}

// The HCL diagnostics that are rewritten in the words of this package.
var (
	reUnsupportedArg = regexp.MustCompile(
		`^An argument named ("[^"]*") is not expected here\.(?: Did you mean ("[^"]*")\?)?`)
	reUnsupportedBlock = regexp.MustCompile(
		`^Blocks of type ("[^"]*") are not expected here\.(?: Did you mean ("[^"]*")\?)?`)
	reMissingArg = regexp.MustCompile(`^The argument ("[^"]*") is required`)
)

// diagMessage turns an HCL diagnostic into a lowercase one-line message.
func diagMessage(d *hcl.Diagnostic) string {
	// unknown attributes and blocks, missing attributes
	if m := reUnsupportedArg.FindStringSubmatch(d.Detail); m != nil {
		return "unknown attribute " + m[1] + suggest(m[2])
	}
	if m := reUnsupportedBlock.FindStringSubmatch(d.Detail); m != nil {
		return "unknown block " + m[1] + suggest(m[2])
	}
	if m := reMissingArg.FindStringSubmatch(d.Detail); m != nil {
		return "missing attribute " + m[1]
	}

	// anything else: the summary and the detail, lowercased
	msg := lowerFirst(strings.TrimSuffix(d.Summary, "."))
	if det := strings.TrimSuffix(strings.TrimSpace(d.Detail), "."); det != "" {
		msg += ": " + lowerFirst(det)
	}
	return msg
}

// suggest formats HCL's spelling suggestion, if any.
func suggest(name string) string {
	if name == "" {
		return ""
	}
	return " (did you mean " + name + "?)"
}

// lowerFirst lowercases the first letter of s unless it starts an
// acronym or a quoted name.
func lowerFirst(s string) string {
	if len(s) < 2 || s[0] < 'A' || s[0] > 'Z' || (s[1] >= 'A' && s[1] <= 'Z') {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}

// oneLine folds a message onto a single line.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// layerAtLine returns the name of the layer block that is open at the
// given line of a model file, or "" when none is. It reads the text
// itself, for syntax errors, after which there is no syntax tree: a
// line `layer "name" {` opens a block, and braces outside strings and
// comments nest.
func layerAtLine(src []byte, line int) string {
	type open struct {
		name  string
		depth int
	}
	var stack []open
	depth := 0
	for n, text := range strings.Split(string(src), "\n") {
		if n+1 > line {
			break
		}
		if name, ok := layerHeader(text); ok {
			stack = append(stack, open{name, depth})
		}
		inString := false
		for i := 0; i < len(text); i++ {
			c := text[i]
			switch {
			case inString && c == '\\':
				i++
			case c == '"':
				inString = !inString
			case inString:
			case c == '#' || c == '/' && i+1 < len(text) && text[i+1] == '/':
				i = len(text)
			case c == '{':
				depth++
			case c == '}':
				depth--
				for len(stack) > 0 && depth <= stack[len(stack)-1].depth {
					stack = stack[:len(stack)-1]
				}
			}
		}
	}
	if len(stack) == 0 {
		return ""
	}
	return stack[len(stack)-1].name
}

// layerHeader reports whether a line opens a layer block, `layer "name"`,
// and returns the name.
func layerHeader(text string) (string, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(text), "layer")
	if !ok {
		return "", false
	}
	rest = strings.TrimSpace(rest)
	if !strings.HasPrefix(rest, `"`) {
		return "", false
	}
	name, _, ok := strings.Cut(rest[1:], `"`)
	return name, ok && name != ""
}
