package quantize

import (
	"errors"
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"kd2fpga/models"
)

// A pass is one step of Build: a plain function over the plan being built.
// After it runs, the plan holds at least the parts named by done, which is
// what Verify checks between passes.
type pass struct {
	name string
	run  func(b *builder) error
	done stage
}

// passes is the order in which Build makes its decisions. Each pass may
// rely on everything the passes before it established:
//
//   - foldBatchNorm before lowerLayers: a folded batch norm is no op;
//   - assignFormats before quantizeWeights: weights are cast to formats;
//   - quantizeWeights before sizeAccumulators: an automatic accumulator
//     is sized from the integer weights it will add up;
//   - assignFormats before buildTables: tables are indexed by formats.
var passes = [...]pass{
	{"fold batch norm", foldBatchNorm, 0},
	{"lower layers", lowerLayers, stShapes},
	{"assign formats", assignFormats, stShapes | stFormats},
	{"quantize weights", quantizeWeights, stShapes | stFormats | stWeights},
	{"size accumulators", sizeAccumulators, stShapes | stFormats | stWeights | stAccums},
	{"build tables", buildTables, stComplete},
}

// builder is the state Build threads through its passes.
type builder struct {
	orig *models.Model // as loaded: Plan.Model, and what Float runs
	m    *models.Model // after folding batch norms
	p    *Plan

	folds []Fold
	// src[k] holds what op k was made from: its layer and the float
	// constants that quantizeWeights casts.
	src []opSource
}

// opSource is the model side of one op.
type opSource struct {
	layer *models.Layer
	// w and b are the float weights and biases of a dense or scale op
	// (after folding), w[j][i] as in DenseOp.W.
	w [][]float64
	b []float64
}

// Build makes every numeric decision for m and returns the Plan. The
// error lists every problem found, one per line, each prefixed with the
// position of the layer it concerns.
func Build(m *models.Model) (*Plan, error) {
	return build(m, nil)
}

// build runs the passes in order. When check is not nil it is called after
// each pass, so tests can verify the plan between passes.
func build(m *models.Model, check func(pass string, p *Plan, done stage) error) (*Plan, error) {
	b := &builder{orig: m, m: m}
	for _, ps := range passes {
		if err := ps.run(b); err != nil {
			return nil, err
		}
		if check != nil && b.p != nil {
			if err := check(ps.name, b.p, ps.done); err != nil {
				return nil, fmt.Errorf("quantize: after pass %q: %w", ps.name, err)
			}
		}
	}

	// a plan that fails its own checks is a bug in a pass, not in the
	// model: say which.
	if err := verify(b.p, stComplete); err != nil {
		return nil, fmt.Errorf("quantize: internal error: %w", err)
	}
	return b.p, nil
}

// foldBatchNorm replaces the model by a copy in which every batch norm that
// can be folded into an adjacent dense layer is.
func foldBatchNorm(b *builder) error {
	m, folds, err := FoldBatchNorm(b.orig)
	if err != nil {
		return err
	}
	b.m, b.folds = m, folds
	return nil
}

// problems collects the mistakes found in a model, each with its position.
type problems struct {
	list []error
}

// add records a problem of the layer declared at pos.
func (ps *problems) add(pos hcl.Range, layer string, format string, args ...any) {
	subject := ""
	if layer != "" {
		subject = fmt.Sprintf("layer %q", layer)
	}
	ps.addAt(pos, subject, format, args...)
}

// addAt records a problem of subject (such as `input "jets"`) at pos.
func (ps *problems) addAt(pos hcl.Range, subject string, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if subject != "" {
		msg = subject + ": " + msg
	}
	ps.list = append(ps.list, errors.New(position(pos)+msg))
}

// err returns the problems joined, one per line, or nil.
func (ps *problems) err() error { return errors.Join(ps.list...) }

// position formats pos as the "file:line,col: " prefix of a message, or
// nothing when the model was not read from a file.
func position(pos hcl.Range) string {
	if pos.Filename == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d,%d: ", pos.Filename, pos.Start.Line, pos.Start.Column)
}
