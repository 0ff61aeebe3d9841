// tb_toy.sv: self-checking SystemVerilog testbench of toy, written
// by kd2fpga, for Verilator (--binary) and Icarus Verilog (-g2012).
//
// It reads one input vector per line of INPUT_FILE (hexadecimal), applies
// one every II cycles, compares every bit of each output with the same line
// of EXPECTED_FILE, prints at most 10 KD2FPGA MISMATCH lines and one
// KD2FPGA RESULT line, then ends with $finish when every output arrived and
// matched and with $fatal otherwise (docs/firmware.md). With PROGRESS_STEP
// set above 0 it also prints a KD2FPGA PROGRESS line each time that many
// more outputs have been compared. The parameters N_VECTORS, INPUT_FILE,
// EXPECTED_FILE, II and PROGRESS_STEP can also be set when the simulation
// starts, as plusargs: +N_VECTORS=100 +INPUT_FILE=path +PROGRESS_STEP=10.
//
//   $ verilator --binary -Wno-fatal --top-module tb_toy ../verilog/toy.v tb_toy.sv
//   $ ./obj_dir/Vtb_toy
//   $ iverilog -g2012 -s tb_toy -o tb_toy.vvp ../verilog/toy.v tb_toy.sv
//   $ vvp -n tb_toy.vvp
`timescale 1ns / 1ps

module tb_toy;
  parameter N_VECTORS = 1000;
  parameter INPUT_FILE = "input.hex";
  parameter EXPECTED_FILE = "expected.hex";
  parameter II = 2;
  // cycles allowed beyond N_VECTORS * II before the design counts as hung
  parameter SLACK = 120;
  // outputs compared between two progress lines; 0 prints none
  parameter PROGRESS_STEP = 0;

  localparam IN_W = 10;
  localparam OUT_W = 13;
  // the bus widths rounded up to whole hexadecimal digits
  localparam IN_PAD = 12;
  localparam OUT_PAD = 16;
  localparam RESET_CYCLES = 4;
  localparam DRAIN_CYCLES = 12;
  localparam MAX_SHOWN = 10;

  reg clk = 1'b0;
  reg rst = 1'b1;
  reg in_valid = 1'b0;
  reg [IN_W-1:0] in_data = {IN_W{1'b0}};
  wire out_valid;
  wire [OUT_W-1:0] out_data;

  reg [IN_PAD-1:0] vin;
  reg [OUT_PAD-1:0] vexp, got;

  toy dut (
      .clk(clk),
      .rst(rst),
      .in_valid(in_valid),
      .in_data(in_data),
      .out_valid(out_valid),
      .out_data(out_data)
  );

  // the settings, from the plusargs or the parameters, and the files
  integer n_vectors = N_VECTORS;
  integer ii = II;
  integer progress_step = PROGRESS_STEP;
  reg [8*4096-1:0] input_file = INPUT_FILE;
  reg [8*4096-1:0] expected_file = EXPECTED_FILE;
  integer inputs = 0, expected = 0, scanned = 0;
  initial begin
    if ($value$plusargs("N_VECTORS=%d", n_vectors)) begin
    end
    if ($value$plusargs("II=%d", ii)) begin
    end
    if ($value$plusargs("PROGRESS_STEP=%d", progress_step)) begin
    end
    if ($value$plusargs("INPUT_FILE=%s", input_file)) begin
    end
    if ($value$plusargs("EXPECTED_FILE=%s", expected_file)) begin
    end
    inputs = $fopen(input_file, "r");
    expected = $fopen(expected_file, "r");
    if (inputs == 0) $fatal(1, "KD2FPGA ERROR cannot open the input file");
    if (expected == 0) $fatal(1, "KD2FPGA ERROR cannot open the expected file");
  end

  always #5 clk = ~clk;

  integer cycle = 0;  // edges since reset was released
  integer resets = 0;
  integer sent = 0;  // inputs driven
  integer seen = 0;  // inputs the DUT sampled
  integer received = 0;  // outputs compared
  integer mismatches = 0;
  integer spurious = 0;  // outputs no input produced
  integer first_in = -1;
  integer last_in = -1;
  integer first_out = -1;
  integer measured = -1;  // cycles between the first two inputs
  integer last_event = 0;
  integer pause = 0;
  integer stopped = 0;

  // finish_run prints the result line and ends the simulation, with a
  // failure when failed is not 0 or outputs mismatched.
  task finish_run(input integer failed);
    integer latency, ii_seen;
    begin
      latency = (first_out >= 0 && first_in >= 0) ? first_out - first_in : -1;
      ii_seen = (measured >= 0) ? measured : ii;
      $display("KD2FPGA RESULT vectors=%0d mismatches=%0d latency=%0d ii=%0d",
               sent, mismatches, latency, ii_seen);
      stopped = 1;
      if (failed != 0 || mismatches != 0) $fatal(1, "KD2FPGA FAILED");
      else $finish;
    end
  endtask

  // One block drives the inputs and checks the outputs, so that both are
  // sampled at the same clock edge: the latency is the number of edges
  // between the DUT seeing in_valid and the testbench seeing out_valid.
  always @(posedge clk) begin
    if (stopped != 0) begin
      // the simulator is finishing
    end else if (resets < RESET_CYCLES) begin
      resets = resets + 1;
      rst <= 1'b1;
      in_valid <= 1'b0;
    end else begin
      rst <= 1'b0;
      cycle = cycle + 1;

      // what the DUT samples at this edge
      if (in_valid) begin
        if (first_in < 0) first_in = cycle;
        else if (measured < 0) measured = cycle - last_in;
        last_in = cycle;
        seen = seen + 1;
      end

      // check the output present at this edge
      if (out_valid) begin
        last_event = cycle;
        if (received >= seen || received >= n_vectors) begin
          spurious = spurious + 1;
        end else begin
          if (first_out < 0) first_out = cycle;
          scanned = $fscanf(expected, "%h\n", vexp);
          if (scanned != 1) begin
            $display("KD2FPGA ERROR expected file has fewer than %0d vectors", n_vectors);
            finish_run(1);
          end else begin
            got = {OUT_PAD{1'b0}};
            got[OUT_W-1:0] = out_data;
            if (got !== vexp) begin
              mismatches = mismatches + 1;
              if (mismatches <= MAX_SHOWN)
                $display("KD2FPGA MISMATCH sample=%0d expected=%h got=%h", received, vexp, got);
            end
            received = received + 1;
            // flushed, or a pipe would hold it back until the end
            if (progress_step > 0 && received % progress_step == 0) begin
              $display("KD2FPGA PROGRESS received=%0d", received);
              $fflush;
            end
          end
        end
      end

      // drive the next input, one every II cycles
      in_valid <= 1'b0;
      if (pause > 0) begin
        pause = pause - 1;
      end else if (sent < n_vectors && stopped == 0) begin
        scanned = $fscanf(inputs, "%h\n", vin);
        if (scanned != 1) begin
          $display("KD2FPGA ERROR input file has fewer than %0d vectors", n_vectors);
          finish_run(1);
        end else begin
          in_data <= vin[IN_W-1:0];
          in_valid <= 1'b1;
          sent = sent + 1;
          pause = ii - 1;
          last_event = cycle;
        end
      end

      // stop once every output arrived and nothing more came for a while
      if (stopped != 0) begin
        // a file ended early
      end else if (spurious > 0) begin
        $display("KD2FPGA ERROR %0d output(s) that no input produced", spurious);
        finish_run(1);
      end else if (received == n_vectors && cycle - last_event >= DRAIN_CYCLES) begin
        finish_run(0);
      end else if (cycle > n_vectors * ii + SLACK) begin
        $display("KD2FPGA ERROR timeout: %0d of %0d outputs after %0d cycles",
                 received, n_vectors, cycle);
        finish_run(1);
      end
    end
  end
endmodule
