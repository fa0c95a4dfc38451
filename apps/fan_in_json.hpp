// A layer's neurons by fan-in (models::FanInProfile) as JSON, for `lutforge stats` on a model
// file and the report of `lutforge train`: {"k": neurons} for each fan-in k that occurs.
#pragma once

#include <string>

#include "models/model.hpp"

namespace lutforge::cli {

template <typename Json>
Json fan_in_json(const models::FanInProfile& p) {
  Json by = Json::object();
  for (size_t k = 0; k < p.by_fan_in.size(); ++k)
    if (p.by_fan_in[k]) by[std::to_string(k)] = p.by_fan_in[k];
  return by;
}

}  // namespace lutforge::cli
