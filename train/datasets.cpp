#include "train/datasets.hpp"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>

#include "base/error.hpp"

namespace lutforge::train {
namespace {

// The whole file, decompressed when it is gzip (zlib reads plain files unchanged).
std::vector<uint8_t> read_maybe_gzip(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw Error(path + ": cannot open file for reading");
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw Error(path + ": cannot open file for reading");
  std::vector<uint8_t> out;
  std::vector<uint8_t> buf(1 << 20);
  for (;;) {
    const int n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()));
    if (n < 0) {
      int code = 0;
      const std::string msg = gzerror(f, &code);
      gzclose(f);
      throw Error(path + ": corrupt gzip data (" + msg + ")");
    }
    if (n == 0) break;
    out.insert(out.end(), buf.begin(), buf.begin() + n);
  }
  gzclose(f);
  return out;
}

uint32_t be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

std::string trim(std::string s) {
  const size_t a = s.find_first_not_of(" \t\r\"'");
  const size_t b = s.find_last_not_of(" \t\r\"'");
  return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    if (c == ',' && !quoted) {
      cells.push_back(trim(cell));
      cell.clear();
    } else {
      cell += c;
    }
  }
  cells.push_back(trim(cell));
  return cells;
}

std::string first_existing(const std::string& dir, const std::string& name) {
  for (const std::string& candidate : {dir + "/" + name, dir + "/" + name + ".gz"})
    if (std::filesystem::is_regular_file(candidate)) return candidate;
  throw Error(dir + ": no " + name + " (or " + name + ".gz); run scripts/fetch-datasets.sh");
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  const std::vector<uint8_t> bytes = read_maybe_gzip(path);
  if (bytes.size() < 4)
    throw Error(path + ": " + std::to_string(bytes.size()) +
                " bytes; an IDX file has a 4-byte magic number");
  if (bytes[0] != 0 || bytes[1] != 0)
    throw Error(path + ": not an IDX file (the magic number must start with two zero bytes)");
  if (bytes[2] != 0x08)
    throw Error(path + ": IDX element type 0x" +
                (std::ostringstream() << std::hex << int(bytes[2])).str() +
                "; only unsigned bytes (0x08) are supported");
  const unsigned rank = bytes[3];
  if (rank < 1 || rank > 4)
    throw Error(path + ": IDX rank " + std::to_string(rank) + "; expected 1 to 4");
  if (bytes.size() < 4 + 4 * size_t{rank}) throw Error(path + ": truncated IDX header");
  IdxArray a;
  size_t count = 1;
  for (unsigned i = 0; i < rank; ++i) {
    a.dims.push_back(be32(&bytes[4 + 4 * i]));
    count *= a.dims.back();
  }
  const size_t header = 4 + 4 * size_t{rank};
  if (bytes.size() != header + count)
    throw Error(path + ": " + std::to_string(bytes.size() - header) + " bytes of data, expected " +
                std::to_string(count) + " for dimensions " + [&] {
                  std::string s;
                  for (uint32_t d : a.dims) s += (s.empty() ? "" : "x") + std::to_string(d);
                  return s;
                }());
  a.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return a;
}

Dataset read_idx_dataset(const std::string& images, const std::string& labels) {
  const IdxArray im = read_idx(images), lb = read_idx(labels);
  if (im.dims.size() < 2)
    throw Error(images + ": expected images (N x rows x cols), got rank " +
                std::to_string(im.dims.size()));
  if (lb.dims.size() != 1)
    throw Error(labels + ": expected labels (N), got rank " + std::to_string(lb.dims.size()));
  if (im.dims[0] != lb.dims[0])
    throw Error(images + " has " + std::to_string(im.dims[0]) + " images but " + labels + " has " +
                std::to_string(lb.dims[0]) + " labels");
  Dataset d;
  d.num_features = im.dims[0] ? im.data.size() / im.dims[0] : 0;
  d.features.resize(im.data.size());
  for (size_t i = 0; i < im.data.size(); ++i)
    d.features[i] = static_cast<float>(im.data[i]) / 255.0f;
  d.labels.assign(lb.data.begin(), lb.data.end());
  uint8_t max_label = 0;
  for (uint8_t l : lb.data) max_label = std::max(max_label, l);
  if (max_label > 9)
    throw Error(labels + ": label " + std::to_string(max_label) + "; expected 0 to 9");
  for (int c = 0; c < 10; ++c) d.class_names.push_back(std::to_string(c));
  return d;
}

Dataset read_mnist_dir(const std::string& dir, bool train) {
  const std::string prefix = train ? "train" : "t10k";
  const std::string images = first_existing(dir, prefix + "-images-idx3-ubyte");
  const std::string labels = first_existing(dir, prefix + "-labels-idx1-ubyte");
  return read_idx_dataset(images, labels);
}

Dataset read_jsc_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open file for reading");
  static const std::vector<std::string> kClasses = {"g", "q", "t", "w", "z"};
  std::string line;
  if (!std::getline(in, line)) throw Error(path + ": empty file; expected a header row");
  const std::vector<std::string> header = split_csv(line);
  const auto cls = std::find(header.begin(), header.end(), "class");
  if (cls == header.end()) throw Error(path + ": line 1: no column named 'class'");
  const size_t class_col = static_cast<size_t>(cls - header.begin());
  if (header.size() != 17)
    throw Error(path + ": line 1: " + std::to_string(header.size()) +
                " columns; expected 16 features and 'class'");
  Dataset d;
  d.num_features = 16;
  d.class_names = kClasses;
  for (size_t lineno = 2; std::getline(in, line); ++lineno) {
    if (trim(line).empty()) continue;
    const std::vector<std::string> cells = split_csv(line);
    const std::string where = path + ": line " + std::to_string(lineno);
    if (cells.size() != header.size())
      throw Error(where + ": " + std::to_string(cells.size()) + " columns; the header has " +
                  std::to_string(header.size()));
    for (size_t c = 0; c < cells.size(); ++c) {
      if (c == class_col) {
        const auto k = std::find(kClasses.begin(), kClasses.end(), cells[c]);
        if (k == kClasses.end())
          throw Error(where + ": class '" + cells[c] + "'; expected g, q, t, w or z");
        d.labels.push_back(static_cast<int32_t>(k - kClasses.begin()));
        continue;
      }
      size_t used = 0;
      float v = 0;
      try {
        v = std::stof(cells[c], &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != cells[c].size() || !std::isfinite(v))
        throw Error(where + ", column '" + header[c] + "': '" + cells[c] +
                    "' is not a finite number");
      d.features.push_back(v);
    }
  }
  if (d.labels.empty()) throw Error(path + ": no data rows");
  return d;
}

StandardScaler fit_scaler(const Dataset& d) {
  StandardScaler s;
  s.mean.assign(d.num_features, 0.0);
  s.scale.assign(d.num_features, 1.0);
  const size_t n = d.size();
  if (n == 0) return s;
  for (size_t i = 0; i < n; ++i)
    for (size_t f = 0; f < d.num_features; ++f) s.mean[f] += d.features[i * d.num_features + f];
  for (double& m : s.mean) m /= static_cast<double>(n);
  std::vector<double> var(d.num_features, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (size_t f = 0; f < d.num_features; ++f) {
      const double x = d.features[i * d.num_features + f] - s.mean[f];
      var[f] += x * x;
    }
  for (size_t f = 0; f < d.num_features; ++f) {
    const double sd = std::sqrt(var[f] / static_cast<double>(n));
    s.scale[f] = sd > 0 ? sd : 1.0;
  }
  return s;
}

void apply_scaler(const StandardScaler& s, Dataset& d) {
  if (s.mean.size() != d.num_features)
    throw Error("StandardScaler: fitted on " + std::to_string(s.mean.size()) +
                " features, applied to " + std::to_string(d.num_features));
  for (size_t i = 0; i < d.size(); ++i)
    for (size_t f = 0; f < d.num_features; ++f) {
      float& x = d.features[i * d.num_features + f];
      x = static_cast<float>((x - s.mean[f]) / s.scale[f]);
    }
}

std::pair<Dataset, Dataset> split_dataset(const Dataset& d, double test_fraction, uint64_t seed) {
  if (!(test_fraction >= 0 && test_fraction <= 1))
    throw Error("split: test fraction must be in [0, 1]");
  std::vector<size_t> order(d.size());
  std::iota(order.begin(), order.end(), size_t{0});
  // Fisher-Yates with an explicit generator, so the split is the same on every platform.
  std::mt19937_64 rng(seed);
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
  const size_t n_test =
      static_cast<size_t>(std::llround(test_fraction * static_cast<double>(d.size())));
  const size_t n_train = d.size() - n_test;
  std::pair<Dataset, Dataset> out;
  for (Dataset* part : {&out.first, &out.second}) {
    part->num_features = d.num_features;
    part->class_names = d.class_names;
  }
  for (size_t k = 0; k < order.size(); ++k) {
    Dataset& part = k < n_train ? out.first : out.second;
    const size_t i = order[k];
    part.features.insert(
        part.features.end(), d.features.begin() + static_cast<std::ptrdiff_t>(i * d.num_features),
        d.features.begin() + static_cast<std::ptrdiff_t>((i + 1) * d.num_features));
    part.labels.push_back(d.labels[i]);
  }
  return out;
}

std::pair<Dataset, Dataset> prepare_jsc(const std::string& csv_path, uint64_t seed) {
  auto [train, test] = split_dataset(read_jsc_csv(csv_path), 0.2, seed);
  const StandardScaler s = fit_scaler(train);
  apply_scaler(s, train);
  apply_scaler(s, test);
  return {std::move(train), std::move(test)};
}

Dataset shifted_images(const Dataset& d, unsigned shift, std::mt19937_64& rng) {
  const auto side =
      static_cast<size_t>(std::lround(std::sqrt(static_cast<double>(d.num_features))));
  if (side * side != d.num_features)
    throw Error("augment_shift: the samples have " + std::to_string(d.num_features) +
                " features, not a square image");
  Dataset out = d;
  std::fill(out.features.begin(), out.features.end(), 0.0f);
  std::uniform_int_distribution<int> offset(-static_cast<int>(shift), static_cast<int>(shift));
  const int n = static_cast<int>(side);
  for (size_t i = 0; i < d.size(); ++i) {
    const int dx = offset(rng), dy = offset(rng);
    const float* src = &d.features[i * d.num_features];
    float* dst = &out.features[i * d.num_features];
    for (int y = std::max(0, dy); y < std::min(n, n + dy); ++y)
      for (int x = std::max(0, dx); x < std::min(n, n + dx); ++x)
        dst[y * n + x] = src[(y - dy) * n + (x - dx)];
  }
  return out;
}

}  // namespace lutforge::train
