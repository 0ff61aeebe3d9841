// add8 registers two 8-bit operands and their 9-bit sum: 25 flip-flops
// and one 9-bit carry chain (three CARRY4 in Yosys 0.23).
module add8 (
  input  wire       clk,
  input  wire [7:0] a,
  input  wire [7:0] b,
  output reg  [8:0] y
);
  reg [7:0] ra, rb;
  always @(posedge clk) begin
    ra <= a;
    rb <= b;
    y  <= {1'b0, ra} + {1'b0, rb};
  end
endmodule
