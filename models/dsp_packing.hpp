// DSP packing: several low-bit products that share an operand, computed by one slice.
//
// The packed operands x_0 .. x_{n-1} sit in fields of `stride` bits of the multiplicand,
// X = sum_k x_k * 2^(k * stride), and the shared operand y is the multiplier's other input, so
// that P = X * y = sum_k (x_k * y) * 2^(k * stride). With accumulation (P += X * y), field k
// holds F_k, the sum of its products. A negative sum below field k borrows one from it: the raw
// bits P[k*stride + stride - 1 : k*stride] are F_k - 1 whenever the fields below sum to a negative
// number, and that is exactly when P[k*stride - 1] is 1. The correction adds that bit back.
// It is exact when every F_k fits `stride` signed bits, X fits the multiplicand port, y the
// multiplier port, and all fields fit P.
//
// Needs: operand widths of 1..24 bits. Guarantees: a configuration that best_packing() returns
// satisfies those conditions, and add_packed_products() builds it so that every product field
// equals its product (sign-extended to `stride` bits) for every operand value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "netlist/eval.hpp"
#include "netlist/netlist.hpp"

namespace lutforge::models {

enum class DspFamily { DSP48E1, DSP48E2 };
const char* family_name(DspFamily f);
bool family_from_name(const std::string& name, DspFamily& f);

// The slice's port widths, all signed: the multiplicand (A or the pre-adder's AD), the
// multiplier's B, and P.
struct SlicePorts {
  unsigned multiplicand, multiplier, p;
};
SlicePorts slice_ports(DspFamily f);

struct PackingConfig {
  unsigned x_bits = 0, y_bits = 0;  // the packed operands (such as weights) and the shared one
  bool x_signed = true, y_signed = false;
  unsigned count = 1;   // products per slice
  unsigned stride = 0;  // bits per field of X and of P
  // Products that each field can sum without overflow, from its guard bits.
  uint64_t accumulations = 1;
};

// The range of one product x * y.
struct ProductRange {
  int64_t min = 0, max = 0;
};
ProductRange product_range(unsigned x_bits, bool x_signed, unsigned y_bits, bool y_signed);

// How many products a field of `stride` signed bits can sum without overflow (0 if not one).
uint64_t max_accumulations(const ProductRange& r, unsigned stride);

// Whether `c` (count, stride, widths) is exact on the slice for c.accumulations sums; if not and
// `why` is given, the first condition that fails.
bool packing_fits(const PackingConfig& c, DspFamily f, std::string* why = nullptr);

// The configuration with the most products for these operands and at least `min_accumulations`
// sums per field, then the widest stride (the most guard bits); nullopt when not even one
// product fits the slice.
std::optional<PackingConfig> best_packing(DspFamily f, unsigned x_bits, bool x_signed,
                                          unsigned y_bits, bool y_signed,
                                          uint64_t min_accumulations = 1);

// Adds one slice computing c.count products to `nl`: x[k] (c.x_bits signals each) times y
// (c.y_bits), X formed by an Adder of the shifted fields, a PackedDsp, and per field k >= 1 an
// Adder for the borrow correction. Returns each product as c.stride signals (the product,
// sign-extended). Without `borrow_correction` the fields are P's raw bits: wrong whenever a
// lower field is negative, which is the bug that a proof must find.
std::vector<std::vector<Signal>> add_packed_products(
    Netlist& nl, const PackingConfig& c, DspFamily f, const std::vector<std::vector<Signal>>& x,
    const std::vector<Signal>& y, const std::string& name, bool borrow_correction = true);

// The same slice for constant packed operands (weights): X is a constant, and there is no Adder
// in front of the slice. weights.size() <= c.count.
std::vector<std::vector<Signal>> add_packed_constant_products(Netlist& nl, const PackingConfig& c,
                                                              DspFamily f,
                                                              const std::vector<int64_t>& weights,
                                                              const std::vector<Signal>& y,
                                                              const std::string& name);

// The slice alone, for a multiplicand X that the caller forms (x_word: the multiplicand port's
// bits, such as LUTs that give a different packed word in every cycle), with `count` <= c.count
// fields extracted. The caller guarantees that X holds count operands of c.x_bits bits packed at
// c.stride, as packed_word() forms them.
std::vector<std::vector<Signal>> add_packed_slice(Netlist& nl, const PackingConfig& c, DspFamily f,
                                                  const std::vector<Signal>& x_word, unsigned count,
                                                  const std::vector<Signal>& y,
                                                  const std::string& name,
                                                  bool borrow_correction = true);
// X = sum_k weights[k] * 2^(k * c.stride), the low bit_count bits (bit_count <= 63).
int64_t packed_word(const PackingConfig& c, const std::vector<int64_t>& weights,
                    unsigned bit_count);

// The same products without packing, one multiplier (a PackedDsp) each.
std::vector<std::vector<Signal>> add_unpacked_products(Netlist& nl, const PackingConfig& c,
                                                       const std::vector<std::vector<Signal>>& x,
                                                       const std::vector<Signal>& y,
                                                       const std::string& name);

// A netlist with inputs x0 .. x{n-1} and y and outputs p0 .. p{n-1}: the packed products, or the
// unpacked ones, for proofs and benchmarks of a configuration.
Netlist packing_netlist(const PackingConfig& c, DspFamily f, bool packed,
                        bool borrow_correction = true);

// Exhaustive check of a configuration: the packed slice and the unpacked products, simulated on
// every operand value (bit-parallel, 4,096 vectors per pass). At most 32 operand bits.
struct PackingCheck {
  uint64_t vectors = 0;      // operand values simulated: 2^(count * x_bits + y_bits)
  uint64_t mismatching = 0;  // of those, the ones on which some product differs
  std::string first;         // the first mismatch, such as "x0=-2 x1=0 y=1: p1 = -1 (expected 0)"
};
PackingCheck enumerate_packing(const PackingConfig& c, DspFamily f, bool borrow_correction = true);

}  // namespace lutforge::models
