// The PolyLUT polynomial kernel against LibTorch's autograd on the monomials written out as
// products of powers: every monomial up to degree D appears once, and the values and both
// gradients agree. The difflogic gate-layer kernel against autograd of its formula. And frozen
// batch norm: training then computes what evaluation computes. And the MAC family's class
// scores: the integers hardware compares rank the classes as the scores training sees do.
#include <cmath>
#include <map>

#include "train/config.hpp"
#include "train/network.hpp"
#include "train/polynomial.hpp"
// LibTorch's logging defines its own CHECK; the tests mean Catch's.
#undef CHECK
#include <catch2/catch.hpp>

using namespace lutforge::train;

namespace {

// The exponent vector of every term, from the parent/variable construction.
std::vector<std::vector<int>> exponents(const Monomials& m) {
  std::vector<std::vector<int>> e(static_cast<size_t>(m.terms),
                                  std::vector<int>(static_cast<size_t>(m.fan_in), 0));
  for (int64_t j = 0; j < m.fan_in; ++j) e[static_cast<size_t>(1 + j)][static_cast<size_t>(j)] = 1;
  for (int64_t t = 1 + m.fan_in; t < m.terms; ++t) {
    e[static_cast<size_t>(t)] = e[static_cast<size_t>(m.parent[static_cast<size_t>(t)])];
    ++e[static_cast<size_t>(t)][static_cast<size_t>(m.var[static_cast<size_t>(t)])];
  }
  return e;
}

// Every exponent vector of F variables with total degree at most D, counted independently.
size_t count_exponents(int f, int d) {
  if (f == 0) return 1;
  size_t n = 0;
  for (int k = 0; k <= d; ++k) n += count_exponents(f - 1, d - k);
  return n;
}

}  // namespace

TEST_CASE(
    "the polynomial kernel: all monomials once, values and gradients as autograd computes them",
    "[train]") {
  torch::manual_seed(5);
  for (const auto& [f, d] :
       std::vector<std::pair<int, unsigned>>{{3, 1}, {3, 2}, {4, 3}, {6, 4}, {2, 5}}) {
    INFO("F = " << f << ", D = " << d);
    const Monomials m(f, d);
    const auto e = exponents(m);
    CHECK(static_cast<size_t>(m.terms) == count_exponents(f, static_cast<int>(d)));
    std::map<std::vector<int>, int> seen;
    for (const auto& v : e) {
      int total = 0;
      for (int k : v) total += k;
      CHECK(total <= static_cast<int>(d));
      CHECK(++seen[v] == 1);
    }

    const int64_t b = 9, n = 5;
    const torch::Tensor x0 = torch::rand({b, n, f}) * 2 - 1, w0 = torch::randn({n, m.terms});
    const torch::Tensor gy = torch::randn({b, n});
    torch::Tensor x = x0.clone().requires_grad_(), w = w0.clone().requires_grad_();
    const torch::Tensor y = polynomial(x, w, m);
    (y * gy).sum().backward();

    torch::Tensor xr = x0.to(torch::kDouble).requires_grad_(),
                  wr = w0.to(torch::kDouble).requires_grad_();
    std::vector<torch::Tensor> terms;
    for (const auto& v : e) {
      torch::Tensor t = torch::ones({b, n}, torch::kDouble);
      for (int j = 0; j < f; ++j)
        if (v[static_cast<size_t>(j)]) t = t * xr.select(2, j).pow(v[static_cast<size_t>(j)]);
      terms.push_back(t);
    }
    const torch::Tensor yr = (torch::stack(terms, -1) * wr).sum(-1);
    (yr * gy.to(torch::kDouble)).sum().backward();

    CHECK(torch::allclose(y.to(torch::kDouble), yr, 1e-5, 1e-5));
    CHECK(torch::allclose(x.grad().to(torch::kDouble), xr.grad(), 1e-4, 1e-4));
    CHECK(torch::allclose(w.grad().to(torch::kDouble), wr.grad(), 1e-5, 1e-5));

    // The same pair gives the same bits in any batch, and with either thread count.
    const torch::Tensor one = polynomial(x0.narrow(0, 3, 1), w0, m);
    CHECK(torch::equal(one, y.detach().narrow(0, 3, 1)));
  }
}

TEST_CASE("frozen batch norm: training uses and keeps the running statistics, as evaluation does",
          "[train]") {
  // polylut-add, so that the sub-neurons' batch norm is covered as well as the neurons'.
  const TrainConfig c = parse_train_config(
      "[data]\ndataset = \"mnist\"\npath = \"d\"\n[model]\nfamily = \"polylut-add\"\nlayers = [8, "
      "4]\n"
      "fan_in = 2\nsub_neurons = 2\ndegree = 2\n",
      "c.toml");
  torch::manual_seed(3);
  std::mt19937_64 rng(3);
  auto net = std::make_shared<LutNetImpl>(c, 16, rng);
  const torch::Tensor x = torch::randint(0, 4, {64, 16}, torch::kLong);
  net->train();
  for (int i = 0; i < 3; ++i) net->forward(x);  // running statistics away from their initial values
  auto buffers = [&] {
    std::vector<torch::Tensor> b;
    for (const auto& t : net->buffers()) b.push_back(t.clone());
    return b;
  };
  auto same = [](const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
    for (size_t i = 0; i < a.size(); ++i)
      if (!torch::equal(a[i], b[i])) return false;
    return true;
  };
  const std::vector<torch::Tensor> before = buffers();

  TrainConfig frozen_after_0 = c;
  frozen_after_0.bn_freeze_epoch = 1;
  net->start_epoch(frozen_after_0, 1);  // frozen from epoch 1 on
  const torch::Tensor frozen = net->forward(x);
  CHECK(same(before, buffers()));
  net->eval();
  CHECK(torch::equal(frozen, net->forward(x)));

  net->train();
  net->start_epoch(frozen_after_0, 0);  // epoch 0: batch statistics
  const torch::Tensor batch = net->forward(x);
  CHECK(!same(before, buffers()));
  CHECK(!torch::equal(frozen, batch));
}

TEST_CASE("the gate-layer kernel: values and gradients as autograd computes them on the formula",
          "[train]") {
  torch::manual_seed(7);
  const int64_t batch = 37, inputs = 11, gates = 23;
  const torch::Tensor x0 = torch::rand({batch, inputs}), c0 = torch::randn({gates, 4});
  // Repeated inputs and a gate that reads one input twice, so that gradients accumulate.
  torch::Tensor ia = torch::randint(0, inputs, {gates}, torch::kLong);
  torch::Tensor ib = torch::randint(0, inputs, {gates}, torch::kLong);
  ib[0] = ia[0].item<int64_t>();
  const torch::Tensor gy = torch::randn({batch, gates});
  for (int threads : {1, 2}) {
    torch::set_num_threads(threads);
    torch::Tensor x = x0.clone().requires_grad_(), c = c0.clone().requires_grad_();
    const torch::Tensor y = gate_layer(x, c, ia, ib);
    (y * gy).sum().backward();
    torch::Tensor xr = x0.clone().requires_grad_(), cr = c0.clone().requires_grad_();
    const torch::Tensor a = xr.index_select(1, ia), b = xr.index_select(1, ib);
    const torch::Tensor yr =
        cr.select(1, 0) + cr.select(1, 1) * a + cr.select(1, 2) * b + cr.select(1, 3) * a * b;
    (yr * gy).sum().backward();
    CHECK(torch::allclose(y, yr, 1e-5, 1e-5));
    CHECK(torch::allclose(x.grad(), xr.grad(), 1e-4, 1e-5));
    CHECK(torch::allclose(c.grad(), cr.grad(), 1e-4, 1e-5));
  }
}

TEST_CASE("the DWN LUT kernel: lookups, the entries' gradient and the extended finite difference",
          "[train]") {
  torch::manual_seed(5);
  const int64_t batch = 29, inputs = 13, luts = 17;
  const double alpha = 0.3, beta = 0.4;
  const torch::Tensor x0 = torch::randint(0, 2, {batch, inputs}).to(torch::kFloat);
  const torch::Tensor gy = torch::randn({batch, luts});
  for (int64_t n : {1, 3, 6}) {
    const torch::Tensor t0 = torch::rand({luts, int64_t{1} << n}) * 2 - 1;
    torch::Tensor map = torch::randint(0, inputs, {luts, n}, torch::kLong);
    for (int threads : {1, 2}) {
      torch::set_num_threads(threads);
      torch::Tensor x = x0.clone().requires_grad_(), t = t0.clone().requires_grad_();
      const torch::Tensor y = dwn_lut_layer(x, t, map, alpha, beta);
      (y * gy).sum().backward();
      // The definitions, written out sample by sample.
      torch::Tensor yr = torch::zeros({batch, luts}), gt = torch::zeros_like(t0),
                    gx = torch::zeros_like(x0);
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t j = 0; j < luts; ++j) {
          int64_t a = 0;
          for (int64_t l = 0; l < n; ++l)
            a |= static_cast<int64_t>(x0[b][map[j][l].item<int64_t>()].item<float>() > 0.5f) << l;
          yr[b][j] = t0[j][a].item<float>() > 0 ? 1.0f : 0.0f;
          const float g = gy[b][j].item<float>();
          gt[j][a] += g;
          for (int64_t l = 0; l < n; ++l) {
            double d = 0;  // sum over a2 of sign(bit l of a2) beta^(distance off bit l) T[a2]
            for (int64_t a2 = 0; a2 < (int64_t{1} << n); ++a2) {
              const int dist = __builtin_popcountll(static_cast<uint64_t>((a ^ a2) & ~(1 << l)));
              d += ((a2 >> l) & 1 ? 1.0 : -1.0) * std::pow(beta, dist) * t0[j][a2].item<float>();
            }
            gx[b][map[j][l].item<int64_t>()] += static_cast<float>(alpha * d * g);
          }
        }
      INFO("n " << n << ", threads " << threads);
      CHECK(torch::equal(y, yr));
      CHECK(torch::allclose(t.grad(), gt, 1e-4, 1e-5));
      CHECK(torch::allclose(x.grad(), gx, 1e-4, 1e-5));
    }
  }
}

TEST_CASE("the classic coefficient kernel: values and gradients of softmax times the gates",
          "[train]") {
  torch::manual_seed(11);
  const int64_t gates = 5000;  // several chunks of the parallel loop
  const torch::Tensor w0 = 3 * torch::randn({gates, 16}), gc = torch::randn({16, 4});
  const torch::Tensor gy = torch::randn({gates, 4});
  for (int threads : {1, 2}) {
    torch::set_num_threads(threads);
    torch::Tensor w = w0.clone().requires_grad_();
    const torch::Tensor c = classic_coefficients(w, gc);
    (c * gy).sum().backward();
    torch::Tensor wr = w0.clone().requires_grad_();
    const torch::Tensor cr = torch::softmax(wr, 1).matmul(gc);
    (cr * gy).sum().backward();
    CHECK(torch::allclose(c, cr, 1e-5, 1e-5));
    CHECK(torch::allclose(w.grad(), wr.grad(), 1e-4, 1e-5));
  }
}

TEST_CASE(
    "mac: the last layer's class scores share one unit, so hardware ranks the classes as "
    "training does",
    "[train]") {
  const TrainConfig c = parse_train_config(
      "[data]\ndataset = \"mnist\"\npath = \"d\"\n[model]\nfamily = \"mac\"\nlayers = [4]\n"
      "input_bits = 4\nweight_bits = 4\n",
      "c.toml");
  torch::manual_seed(5);
  auto net = make_mac_network(c, 12);
  {
    // Classes whose largest weights differ by 100x, and one whose largest weights were pruned.
    torch::NoGradGuard no_grad;
    const torch::Tensor w = net->prunable_layers().at(0).weight;
    w[0].mul_(10);
    w[2].mul_(0.1);
    w[3].narrow(0, 0, 6).zero_();
  }
  net->eval();
  const torch::Tensor codes = torch::randint(0, 16, {200, 12}, torch::kLong);
  const torch::Tensor real = net->forward(codes).to(torch::kDouble);  // fake-quantized, as trained
  const torch::Tensor acc = net->eval_codes(codes).to(torch::kDouble);  // the model file's integers
  // One layer reads the input codes directly, so its real scores are its accumulators times the
  // weight scale times the input scale: one factor for every class.
  const double unit = (real.abs().max() / acc.abs().max()).item<double>();
  CHECK(unit > 0);
  CHECK((real - acc * unit).abs().max().item<double>() < 1e-4 * real.abs().max().item<double>());
  CHECK(torch::equal(real.argmax(1), acc.argmax(1)));
}

TEST_CASE(
    "mac: a learned weight scale clips the weights beyond it, in training and in the model file, "
    "and keeps their gradient",
    "[train]") {
  const TrainConfig c = parse_train_config(
      "[data]\ndataset = \"mnist\"\npath = \"d\"\n[model]\nfamily = \"mac\"\nlayers = [4]\n"
      "input_bits = 4\nweight_bits = 3\nweight_scale = \"learned\"\n",
      "c.toml");
  torch::manual_seed(7);
  auto net = make_mac_network(c, 12);
  const torch::Tensor codes = torch::randint(0, 16, {200, 12}, torch::kLong);
  net->train();
  net->forward(codes);  // the first training step starts the scale at the largest magnitude's
  const torch::Tensor w = net->prunable_layers().at(0).weight;
  torch::Tensor log_scale = net->named_parameters()["layer0.log_weight_scale"];
  const double start = std::exp(log_scale.item<double>());
  CHECK(start == Approx(w.abs().max().item<double>() / 3));
  {
    // A third of that scale: every weight above a third of the largest clips at +-3.
    torch::NoGradGuard no_grad;
    log_scale.fill_(std::log(start / 3));
  }
  const double scale = start / 3;
  const torch::Tensor clipped = w.abs() > 3.5 * scale;
  REQUIRE(clipped.any().item<bool>());

  // The model file's integers are the clipped ones, and the real scores of training are its
  // accumulators times one unit.
  net->eval();
  const torch::Tensor real = net->forward(codes).to(torch::kDouble);
  const torch::Tensor acc = net->eval_codes(codes).to(torch::kDouble);
  const torch::Tensor expected =
      codes.to(torch::kDouble)
          .matmul(torch::clamp(torch::floor(w.to(torch::kDouble) / scale + 0.5), -3, 3).t());
  const torch::Tensor bias_acc = acc - expected;  // the bias, the same for every sample
  CHECK(torch::equal(bias_acc, bias_acc[0].expand_as(bias_acc)));
  const double unit = scale / 15;
  CHECK((real - acc * unit).abs().max().item<double>() < 1e-4 * real.abs().max().item<double>());

  // Training: the scale gets LSQ's gradient, and a clipped weight keeps its gradient.
  net->train();
  net->zero_grad();
  net->forward(codes).pow(2).sum().backward();
  CHECK(log_scale.grad().abs().item<double>() > 0);
  CHECK(torch::all(w.grad().masked_select(clipped) != 0).item<bool>());
}

TEST_CASE("tying shrunk tables averages the pairs of each dropped input, as tensor means do",
          "[train]") {
  // The reference: for each input in order, the mean over the pair dimension of the entries that
  // differ in it, taken where the LUT dropped it.
  auto reference = [](torch::Tensor t, const torch::Tensor& keep) {
    const int64_t luts = t.size(0), n = keep.size(1);
    for (int64_t i = 0; i < n; ++i) {
      const torch::Tensor dropped = keep.select(1, i).logical_not().view({luts, 1, 1, 1});
      const torch::Tensor pairs = t.view({luts, -1, 2, int64_t{1} << i});
      t = torch::where(dropped, pairs.mean(2, true).expand_as(pairs), pairs)
              .reshape({luts, int64_t{1} << n});
    }
    return t;
  };
  torch::manual_seed(5);
  for (const int64_t n : {2, 4, 6}) {
    INFO("inputs " << n);
    const torch::Tensor tables = torch::rand({300, int64_t{1} << n}) * 2 - 1;
    torch::Tensor keep = torch::rand({300, n}).gt(0.4);
    keep.slice(0, 0, 100).fill_(true);     // some LUTs keep every input
    keep.slice(0, 100, 150).fill_(false);  // and some none
    const torch::Tensor expected = reference(tables.clone(), keep);
    const torch::Tensor tied = tables.clone();
    tie_tables(tied, keep);
    CHECK(torch::equal(tied, expected));
    CHECK(torch::equal(tied.slice(0, 0, 100), tables.slice(0, 0, 100)));
    // A LUT that keeps no input is its mean everywhere; tying again changes nothing.
    CHECK(torch::allclose(tied.slice(0, 100, 150),
                          tables.slice(0, 100, 150).mean(1, true).expand({50, int64_t{1} << n})));
    const torch::Tensor again = tied.clone();
    tie_tables(again, keep);
    CHECK(torch::equal(again, tied));
  }
}

TEST_CASE("logic shrinkage keeps the salient inputs, or whole LUTs by what cutting them loses",
          "[train]") {
  // Three LUTs of two inputs (entry a has input 0 as bit 0). Salience (input 0, input 1):
  // the XNOR of input 0 (4, 0), an XOR (4, 4), input 0 with a little of input 1 (3.5, 0.5).
  const torch::Tensor tables =
      torch::tensor({-1.0f, 1.0f, -1.0f, 1.0f, -1.0f, 1.0f, 1.0f, -1.0f, -1.0f, 1.0f, -0.5f, 1.0f})
          .view({3, 4});
  const torch::Tensor all = torch::ones({3, 2}, torch::kBool);
  auto keep = [](std::vector<int> k) { return torch::tensor(k).view({3, 2}).to(torch::kBool); };
  // Inputs: half of them go, the least salient first, but none that is a LUT's last.
  CHECK(torch::equal(shrink_keep(tables, all, 0.5, 1, false), keep({1, 0, 0, 1, 1, 0})));
  // LUTs: two of three keep only their most salient input; the XOR would lose the most (4).
  CHECK(torch::equal(shrink_keep(tables, all, 2.0 / 3, 1, true), keep({1, 0, 1, 1, 1, 0})));
  // With no input kept, a LUT loses its whole salience: 4, 8, 4 (the lower LUT goes first).
  CHECK(torch::equal(shrink_keep(tables, all, 1.0 / 3, 0, true), keep({0, 0, 1, 1, 1, 1})));
  // A second step counts the LUT cut before, and keeps what it dropped dropped.
  const torch::Tensor first = shrink_keep(tables, all, 1.0 / 3, 1, true);
  CHECK(torch::equal(first, keep({1, 0, 1, 1, 1, 1})));
  CHECK(torch::equal(shrink_keep(tables, first, 2.0 / 3, 1, true), keep({1, 0, 1, 1, 1, 0})));
  // A cut LUT may keep more than one input: the XOR of inputs 0 and 2 of three keeps those two.
  torch::Tensor xor02 = torch::empty({1, 8});
  for (int64_t a = 0; a < 8; ++a) xor02[0][a] = ((a & 1) ^ ((a >> 2) & 1)) ? 1.0f : -1.0f;
  CHECK(torch::equal(shrink_keep(xor02, torch::ones({1, 3}, torch::kBool), 1.0, 2, true),
                     torch::tensor({1, 0, 1}).view({1, 3}).to(torch::kBool)));
}
