// two_adders instantiates add8 twice and adds the results: a hierarchy
// for the per-module figures.
module two_adders (
  input  wire       clk,
  input  wire [7:0] a,
  input  wire [7:0] b,
  input  wire [7:0] c,
  output reg  [9:0] z
);
  wire [8:0] y0, y1;
  add8 u0 (.clk(clk), .a(a), .b(b), .y(y0));
  add8 u1 (.clk(clk), .a(b), .b(c), .y(y1));
  always @(posedge clk) z <= {1'b0, y0} + {1'b0, y1};
endmodule
