package models

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// printer writes HCL in the canonical layout of terraform fmt: two-space
// indentation, and the equals signs of consecutive attributes aligned.
type printer struct {
	buf   bytes.Buffer
	depth int
	run   [][2]string // attributes waiting to be aligned
}

// attr adds an attribute whose value is already printed.
func (p *printer) attr(name, value string) {
	p.run = append(p.run, [2]string{name, value})
}

// open starts a block.
func (p *printer) open(typ string, labels ...string) {
	p.flush()
	p.indent()
	p.buf.WriteString(typ)
	for _, l := range labels {
		p.buf.WriteString(" " + quote(l))
	}
	p.buf.WriteString(" {\n")
	p.depth++
}

// close ends a block.
func (p *printer) close() {
	p.flush()
	p.depth--
	p.indent()
	p.buf.WriteString("}\n")
}

// blank writes an empty line.
func (p *printer) blank() {
	p.flush()
	p.buf.WriteByte('\n')
}

// flush writes the pending attributes, aligned.
func (p *printer) flush() {
	width := 0
	for _, kv := range p.run {
		width = max(width, len(kv[0]))
	}
	for _, kv := range p.run {
		p.indent()
		fmt.Fprintf(&p.buf, "%-*s = %s\n", width, kv[0], kv[1])
	}
	p.run = p.run[:0]
}

// indent writes the indentation of the current depth.
func (p *printer) indent() {
	p.buf.WriteString(strings.Repeat("  ", p.depth))
}

// bytes returns what was printed.
func (p *printer) bytes() []byte {
	p.flush()
	return p.buf.Bytes()
}

// quote prints s as an HCL string literal. HCL knows fewer escapes than
// Go, and "${" and "%{" start templates, so they are doubled.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch {
		case r == '\\' || r == '"':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, r)
		case (r == '$' || r == '%') && strings.HasPrefix(s[i+1:], "{"):
			b.WriteRune(r)
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// number prints a float64 so that it reads back exactly, with a short
// exponent ("1e-5").
func number(v float64) string {
	s := strconv.FormatFloat(v, 'g', -1, 64)
	return strings.NewReplacer("e-0", "e-", "e+0", "e+").Replace(s)
}

// strList prints a list of strings.
func strList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// intList prints a list of whole numbers.
func intList(ns []int) string {
	q := make([]string, len(ns))
	for i, n := range ns {
		q[i] = strconv.Itoa(n)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
