// Package models reads the model description of kd2fpga: an HCL file that
// names the layers, their precisions and the hardware target, and a .npz
// file (or a folder of .npy files) that holds the trained arrays. It is the
// first stage of the flow: everything downstream (quantize, hlsgen, sim,
// report) starts from a validated *Model.
//
// Load reads a model file and its weights; Parse does the same with the
// arrays given in memory (MapArrays), and OpenArrays opens a weights file
// on its own. Whatever framework wrote the arrays (the file's layout), the
// Model holds them in kd2fpga's layout: dense weights as [out][in]. Every
// problem in a model is reported at once, as Errors: one line per problem,
// each starting with the file, line and column. Save writes a model back,
// deterministically, and a saved model loads back equal.
//
// The file format is documented, with a complete example, in
// docs/model-format.md.
package models
