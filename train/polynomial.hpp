// PolyLUT's neuron function: per neuron, a weighted sum of all monomials of its F inputs up to
// degree D. Internal to train/ (it includes LibTorch).
//
// The monomials are never stored as a tensor. With F = 6 and D = 4 there are 210 of them, and a
// [batch, neurons, 210] tensor and its gradient cost far more memory traffic than the arithmetic.
// Instead a kernel computes each (sample, neuron) pair's monomials in a small local array: the
// forward pass sums them with the weights, the backward pass recomputes them and propagates the
// gradient through the product tree. Each pair's sum runs in a fixed order over the terms and the
// weight gradient sums the samples in order, so the results depend neither on the batch a sample
// is in nor on the thread count.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace lutforge::train {

// The terms of a polynomial in F variables up to degree D, in a fixed order: the constant 1, the F
// variables, then degree by degree each monomial of degree d as (a monomial of degree d - 1)
// times (a variable no lower than that monomial's highest one).
struct Monomials {
  Monomials(int64_t fan_in, unsigned degree);
  int64_t fan_in;
  int64_t terms;                     // C(F + D, D)
  std::vector<int32_t> parent, var;  // for term t > F: term t = term parent[t] * variable var[t]
};

// y[b, n] = sum over t of w[n, t] * term_t(x[b, n, :]); x [B, N, F] and w [N, T] are float.
// Differentiable in x and w.
torch::Tensor polynomial(const torch::Tensor& x, const torch::Tensor& w, const Monomials& m);

}  // namespace lutforge::train
