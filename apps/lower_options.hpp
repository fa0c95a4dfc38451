// The MAC lowering options that `lutforge lower` and `lutforge prune` share (apps/cmd_model.cpp).
#pragma once

#include <string>

#include "apps/options.hpp"
#include "models/lower.hpp"
#include "models/model.hpp"

namespace lutforge::cli {

// --dsp-packing, --dsp-family F, --reuse-factor R[,R...]
void add_mac_lowering_options(po::options_description& opts);
// Their values into lp; throws Error when they do not apply to m (read from model_path).
void read_mac_lowering_options(const po::variables_map& vm, const models::Model& m,
                               const std::string& model_path, models::LowerParams& lp);

}  // namespace lutforge::cli
