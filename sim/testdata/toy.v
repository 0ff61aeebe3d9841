// toy: the Verilog twin of toy.vhd (see there).
module toy (
    input  wire        clk,
    input  wire        rst,
    input  wire        in_valid,
    input  wire [9:0]  in_data,
    output wire        out_valid,
    output wire [12:0] out_data
);
  reg signed [3:0] a1;
  reg        [5:0] b1;
  reg signed [7:0] s2;
  reg signed [4:0] n2;
  reg       [12:0] d3;
  reg v1, v2, v3;
  always @(posedge clk) begin
    a1 <= in_data[3:0];
    b1 <= in_data[9:4];
    s2 <= {{4{a1[3]}}, a1} + {2'b00, b1};
    n2 <= -{a1[3], a1};
    d3 <= {n2, s2};
    if (rst) begin
      v1 <= 1'b0;
      v2 <= 1'b0;
      v3 <= 1'b0;
    end else begin
      v1 <= in_valid;
      v2 <= v1;
      v3 <= v2;
    end
  end
  assign out_valid = v3;
  assign out_data = d3;
endmodule
