#include "train/polynomial.hpp"

#include <ATen/Parallel.h>

#include "base/error.hpp"

namespace lutforge::train {

Monomials::Monomials(int64_t f, unsigned degree) : fan_in(f) {
  parent.assign(static_cast<size_t>(1 + f), -1);
  var.assign(static_cast<size_t>(1 + f), -1);
  // Each term of the previous degree with its highest variable; degree 1: the variables.
  std::vector<int32_t> prev_terms, prev_last;
  for (int32_t j = 0; j < f; ++j) {
    prev_terms.push_back(1 + j);
    prev_last.push_back(j);
  }
  for (unsigned d = 2; d <= degree; ++d) {
    std::vector<int32_t> terms, last;
    for (size_t p = 0; p < prev_terms.size(); ++p)
      for (int32_t j = prev_last[p]; j < f; ++j) {
        terms.push_back(static_cast<int32_t>(parent.size()));
        last.push_back(j);
        parent.push_back(prev_terms[p]);
        var.push_back(j);
      }
    prev_terms = std::move(terms);
    prev_last = std::move(last);
  }
  terms = static_cast<int64_t>(parent.size());
}

namespace {

// The terms of one (sample, neuron) pair's inputs xb into m[0 .. T).
inline void eval_terms(const float* xb, const Monomials& mono, float* m) {
  const int64_t f = mono.fan_in, t_end = mono.terms;
  m[0] = 1.0f;
  for (int64_t j = 0; j < f; ++j) m[1 + j] = xb[j];
  for (int64_t t = 1 + f; t < t_end; ++t)
    m[t] = m[mono.parent[static_cast<size_t>(t)]] * xb[mono.var[static_cast<size_t>(t)]];
}

class PolynomialFunction : public torch::autograd::Function<PolynomialFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x_in,
                               const torch::Tensor& w_in, const Monomials* mono) {
    const torch::Tensor x = x_in.contiguous(), w = w_in.contiguous();
    const int64_t b_count = x.size(0), n_count = x.size(1), f = mono->fan_in, t_count = mono->terms;
    torch::Tensor y = torch::empty({b_count, n_count}, x.options());
    const float* xp = x.data_ptr<float>();
    const float* wp = w.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    at::parallel_for(0, n_count, 1, [&](int64_t n0, int64_t n1) {
      std::vector<float> m(static_cast<size_t>(t_count));
      for (int64_t n = n0; n < n1; ++n) {
        const float* wn = wp + n * t_count;
        for (int64_t b = 0; b < b_count; ++b) {
          eval_terms(xp + (b * n_count + n) * f, *mono, m.data());
          float acc = 0.0f;
          for (int64_t t = 0; t < t_count; ++t) acc += wn[t] * m[static_cast<size_t>(t)];
          yp[b * n_count + n] = acc;
        }
      }
    });
    ctx->save_for_backward({x, w});
    ctx->saved_data["monomials"] = reinterpret_cast<int64_t>(mono);
    return y;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& x = saved[0];
    const torch::Tensor& w = saved[1];
    const auto* mono = reinterpret_cast<const Monomials*>(ctx->saved_data["monomials"].toInt());
    const torch::Tensor gy = grads[0].contiguous();
    const int64_t b_count = x.size(0), n_count = x.size(1), f = mono->fan_in, t_count = mono->terms;
    const bool want_x = ctx->needs_input_grad(0), want_w = ctx->needs_input_grad(1);
    torch::Tensor gx = want_x ? torch::zeros_like(x) : torch::Tensor();
    torch::Tensor gw = want_w ? torch::zeros_like(w) : torch::Tensor();
    const float* xp = x.data_ptr<float>();
    const float* wp = w.data_ptr<float>();
    const float* gyp = gy.data_ptr<float>();
    float* gxp = want_x ? gx.data_ptr<float>() : nullptr;
    float* gwp = want_w ? gw.data_ptr<float>() : nullptr;
    at::parallel_for(0, n_count, 1, [&](int64_t n0, int64_t n1) {
      std::vector<float> m(static_cast<size_t>(t_count)), gm(static_cast<size_t>(t_count));
      for (int64_t n = n0; n < n1; ++n) {
        const float* wn = wp + n * t_count;
        for (int64_t b = 0; b < b_count; ++b) {
          const float g = gyp[b * n_count + n];
          const float* xb = xp + (b * n_count + n) * f;
          eval_terms(xb, *mono, m.data());
          if (want_w) {
            float* gwn = gwp + n * t_count;
            for (int64_t t = 0; t < t_count; ++t) gwn[t] += g * m[static_cast<size_t>(t)];
          }
          if (!want_x) continue;
          // Back through the product tree: term t = term parent[t] * x[var[t]].
          for (int64_t t = 0; t < t_count; ++t) gm[static_cast<size_t>(t)] = g * wn[t];
          float* gxb = gxp + (b * n_count + n) * f;
          for (int64_t t = t_count - 1; t > f; --t) {
            const int32_t p = mono->parent[static_cast<size_t>(t)],
                          v = mono->var[static_cast<size_t>(t)];
            gm[static_cast<size_t>(p)] += gm[static_cast<size_t>(t)] * xb[v];
            gxb[v] += gm[static_cast<size_t>(t)] * m[static_cast<size_t>(p)];
          }
          for (int64_t j = 0; j < f; ++j) gxb[j] += gm[static_cast<size_t>(1 + j)];
        }
      }
    });
    return {gx, gw, torch::Tensor()};
  }
};

}  // namespace

torch::Tensor polynomial(const torch::Tensor& x, const torch::Tensor& w, const Monomials& m) {
  if (x.dim() != 3 || x.size(2) != m.fan_in || w.dim() != 2 || w.size(0) != x.size(1) ||
      w.size(1) != m.terms || x.scalar_type() != torch::kFloat || w.scalar_type() != torch::kFloat)
    throw Error("polynomial: expected float x [B, N, " + std::to_string(m.fan_in) + "] and w [N, " +
                std::to_string(m.terms) + "]");
  return PolynomialFunction::apply(x, w, &m);
}

}  // namespace lutforge::train
