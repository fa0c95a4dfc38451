// A binarized neural-network layer, pipelined in two stages: 8 neurons compute XNOR-popcount of
// a 32-bit input against fixed weights, then a threshold and an argmax over the popcounts.
module bnn_layer(
  input clk,
  input [31:0] x,
  output reg [7:0] act = 8'h00,
  output reg [2:0] cls = 3'd0
);
  localparam [255:0] W = 256'h9e3779b97f4a7c15_f39cc0605cedc834_1082276bf3a27251_f86c6a11d0c18e95;

  function [5:0] popcount32(input [31:0] v);
    integer k;
    begin
      popcount32 = 6'd0;
      for (k = 0; k < 32; k = k + 1) popcount32 = popcount32 + v[k];
    end
  endfunction

  // Stage 1: popcounts, registered.
  reg [5:0] pc [0:7];
  integer i;
  initial for (i = 0; i < 8; i = i + 1) pc[i] = 6'd0;
  always @(posedge clk)
    for (i = 0; i < 8; i = i + 1) pc[i] <= popcount32(~(x ^ W[i * 32 +: 32]));

  // Stage 2: thresholds and the index of the first largest popcount.
  reg [5:0] best;
  reg [2:0] best_i;
  integer j;
  always @* begin
    best = pc[0];
    best_i = 3'd0;
    for (j = 1; j < 8; j = j + 1)
      if (pc[j] > best) begin
        best = pc[j];
        best_i = j;
      end
  end
  always @(posedge clk) begin
    for (i = 0; i < 8; i = i + 1) act[i] <= pc[i] >= 6'd16;
    cls <= best_i;
  end
endmodule
