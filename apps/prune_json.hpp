// A resource cost vector (prune/prune.hpp) as JSON, for the reports of `lutforge prune` and of
// `lutforge train` with [prune]: one key per resource, null where there is no limit.
#pragma once

#include <cmath>
#include <nlohmann/json.hpp>

#include "prune/prune.hpp"

namespace lutforge::cli {

template <typename Json = nlohmann::ordered_json>
Json cost_json(const prune::Cost& c) {
  Json j = Json::object();
  for (size_t k = 0; k < prune::kNumResources; ++k) {
    const char* name = prune::resource_name(static_cast<prune::Resource>(k));
    j[name] = std::isinf(c[k]) ? Json(nullptr) : Json(c[k]);
  }
  return j;
}

}  // namespace lutforge::cli
