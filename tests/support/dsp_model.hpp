// An integer model of the PackedDsp arithmetic, written from the documentation in cells.hpp and
// independent of the evaluator's bit-level construction; and random cells to check it with.
#pragma once

#include <cstdint>
#include <random>

#include "netlist/cells.hpp"

namespace lutforge::testing {

inline uint64_t dsp_mask(uint32_t w) { return w >= 64 ? ~uint64_t{0} : (uint64_t{1} << w) - 1; }

// v (w bits) extended to 64 bits; arithmetic modulo 2^64 then gives every result modulo 2^p
// for p <= 64.
inline uint64_t dsp_extend(uint64_t v, uint32_t w, bool is_signed) {
  if (w == 0) return 0;
  v &= dsp_mask(w);
  if (is_signed && w < 64 && ((v >> (w - 1)) & 1)) v |= ~dsp_mask(w);
  return v;
}

struct DspOperands {
  uint64_t a = 0, b = 0, c = 0, d = 0, z = 0;
  bool zen = true;
};

// P of the cell for these operands, each given in its port's width.
inline uint64_t dsp_model(const PackedDsp& cell, const DspOperands& o) {
  const bool s = cell.is_signed;
  uint64_t ad = dsp_extend(o.a, cell.a_width, s);
  if (cell.pre_add != PackedDsp::PreAdd::None) {
    const uint64_t dv = dsp_extend(o.d, cell.d_width, s);
    ad = cell.pre_add == PackedDsp::PreAdd::Add ? dv + ad : dv - ad;
    ad = dsp_extend(ad, cell.ad_width, s);
  }
  uint64_t p = ad * dsp_extend(o.b, cell.b_width, s) + dsp_extend(o.c, cell.c_width, s);
  if (!cell.has_z_enable || o.zen) p += dsp_extend(o.z, cell.z_width, s);
  return p & dsp_mask(cell.p_width);
}

// A cell with every port present at random, widths small enough that an exhaustive or random
// check covers its corners, and P at most 64 bits.
inline PackedDsp random_dsp(std::mt19937_64& rng) {
  PackedDsp d;
  d.is_signed = rng() & 1;
  d.a_width = 1 + rng() % 7;
  d.b_width = 1 + rng() % 7;
  d.c_width = rng() % 12;
  d.p_width = 1 + rng() % 24;
  d.pre_add = static_cast<PackedDsp::PreAdd>(rng() % 3);
  if (d.pre_add != PackedDsp::PreAdd::None) {
    d.d_width = rng() % 7;
    d.ad_width = 1 + rng() % 8;
  }
  d.z_width = rng() % 12;
  d.has_z_enable = d.z_width && (rng() & 1);
  return d;
}

}  // namespace lutforge::testing
