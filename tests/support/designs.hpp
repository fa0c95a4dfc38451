// The small Verilog designs that the flow tests synthesize, simulate and prove.
#pragma once

namespace lutforge::test {

inline const char* kRipple = R"(
module ripple(input [7:0] a, input [7:0] b, input cin, output [7:0] s, output cout);
  wire [8:0] c;
  assign c[0] = cin;
  genvar i;
  generate for (i = 0; i < 8; i = i + 1) begin : fa
    assign s[i] = a[i] ^ b[i] ^ c[i];
    assign c[i + 1] = (a[i] & b[i]) | (c[i] & (a[i] ^ b[i]));
  end endgenerate
  assign cout = c[8];
endmodule
)";

inline const char* kMultiplier = R"(
module mult(input [7:0] a, input [7:0] b, input signed [5:0] c, input signed [5:0] d,
            output [15:0] p, output signed [11:0] q);
  assign p = a * b;
  assign q = c * d;
endmodule
)";

inline const char* kPipeline = R"(
module pipe(input clk, input [7:0] a, input [7:0] b, output reg [8:0] s2 = 9'h155, output reg [7:0] m2 = 8'h00);
  reg [7:0] a1 = 8'h0f, b1 = 8'hf0;
  reg [8:0] s1 = 9'h000;
  always @(posedge clk) begin
    a1 <= a; b1 <= b;
    s1 <= a1 + b1;
    s2 <= s1;
    m2 <= a1 ^ b1;
  end
endmodule
)";

inline const char* kMuxTree = R"(
module muxtree(input [3:0] sel, input [63:0] d, output [3:0] y, output z);
  assign y = d[sel * 4 +: 4];
  assign z = d[{sel, 2'b00}] ^ d[63 - sel];
endmodule
)";

inline const char* kEnables = R"(
module enables(input clk, input rst, input arst, input en, input [7:0] d,
               output reg [7:0] q1 = 8'h12, output reg [7:0] q2 = 8'h34,
               output reg [7:0] cnt = 8'h00, output reg [3:0] q3 = 4'h5);
  always @(posedge clk) if (en) q1 <= d;
  always @(posedge clk) if (rst) q2 <= 8'ha5; else if (en) q2 <= d ^ q2;
  always @(posedge clk or posedge arst) if (arst) cnt <= 8'h00; else if (en) cnt <= cnt + 8'd1;
  always @(posedge clk) if (en) begin if (rst) q3 <= 4'h0; else q3 <= d[3:0]; end
endmodule
)";

}  // namespace lutforge::test
