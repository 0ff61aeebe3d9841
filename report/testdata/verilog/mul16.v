// mul16 multiplies a registered 16-bit word by the constant 77, spelled
// as kd2fpga's Verilog spells a constant multiplication (both operands
// extended to the product width): Yosys maps it to one DSP48E2.
module mul16 (
  input  wire        clk,
  input  wire [15:0] x,
  output reg  [15:0] y
);
  reg  [15:0] rx;
  wire [15:0] p;
  assign p = rx * 16'd77;
  always @(posedge clk) begin
    rx <= x;
    y  <= p;
  end
endmodule
