package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"kd2fpga/fixedpoint"
)

// fixedCommand returns the "fixed" command: convert values into an
// ap_fixed type as the C++ headers do, and show the stored word.
func fixedCommand() *cli.Command {
	return &cli.Command{
		Name:      "fixed",
		Usage:     "convert values into an ap_fixed type bit-exactly and show the stored words",
		ArgsUsage: "TYPE [VALUE...]",
		UsageText: "kd2fpga fixed [--status] TYPE [VALUE...]\n\n" +
			"Example:\n" +
			"   kd2fpga fixed 'ap_fixed<8,3,AP_RND_CONV,AP_SAT>' 1.3 -9\n" +
			"   1.3\t42\t1.3125\n" +
			"   -9\t-128\t-4",
		Description: "Fixed converts each VALUE (a decimal or hex float literal, read as a\n" +
			"double first, as a C++ initializer is) into TYPE, such as ap_fixed<16,6>,\n" +
			"ap_ufixed<8,0,AP_RND,AP_SAT>, fixed<8,3,RND_CONV,SAT> or int<8>, with the\n" +
			"type's quantization and overflow modes. Without VALUE arguments it reads one\n" +
			"value a line from standard input. It prints one tab-separated line a value:\n" +
			"the value as given, the stored W-bit word as a decimal integer (two's\n" +
			"complement for signed types) and the exact decimal value of the result;\n" +
			"--status adds what the conversion did (exact, inexact, saturated, wrapped).",
		Flags: []cli.Flag{
			&cli.BoolFlag{
				Name:  "status",
				Usage: "add a fourth column: exact, inexact, saturated, wrapped",
			},
		},
		Action: runFixed,
	}
}

// runFixed is the fixed command.
func runFixed(c *cli.Context) error {
	if c.NArg() < 1 {
		return errors.New("fixed: missing TYPE (usage: kd2fpga fixed TYPE [VALUE...])")
	}
	f, err := fixedpoint.ParseFormat(c.Args().First())
	if err != nil {
		return fmt.Errorf("fixed: %w", err)
	}
	w := bufio.NewWriter(c.App.Writer)
	defer w.Flush()
	conv := func(where, s string) error {
		line, err := convertFixed(f, s, c.Bool("status"))
		if err != nil {
			return fmt.Errorf("fixed: %s%w", where, err)
		}
		_, err = fmt.Fprintln(w, line)
		return err
	}

	// values from the arguments, all checked before any is printed
	if c.NArg() > 1 {
		var lines []string
		for _, s := range c.Args().Tail() {
			line, err := convertFixed(f, s, c.Bool("status"))
			if err != nil {
				return fmt.Errorf("fixed: %w", err)
			}
			lines = append(lines, line)
		}
		for _, line := range lines {
			if _, err := fmt.Fprintln(w, line); err != nil {
				return err
			}
		}
		return nil
	}

	// or one a line from standard input
	in := c.App.Reader
	if in == nil {
		return errors.New("fixed: no VALUE and no standard input")
	}
	sc := bufio.NewScanner(in)
	for n := 1; sc.Scan(); n++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" {
			continue
		}
		if err := conv(fmt.Sprintf("stdin:%d: ", n), s); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil && err != io.EOF {
		return fmt.Errorf("fixed: stdin: %w", err)
	}
	return nil
}

// convertFixed converts the literal s into f and returns the output line.
func convertFixed(f fixedpoint.Format, s string, status bool) (string, error) {
	x, err := strconv.ParseFloat(s, 64)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return "", fmt.Errorf("value %q is beyond the range of a double", s)
	case err != nil:
		return "", fmt.Errorf("value %q is not a decimal or hex float", s)
	case math.IsNaN(x):
		return "", fmt.Errorf("value %q is not a number", s)
	}
	raw, st := f.Quantize(x)
	line := s + "\t" + strconv.FormatInt(raw, 10) + "\t" + f.Text(raw)
	if status {
		line += "\t" + st.String()
	}
	return line, nil
}
