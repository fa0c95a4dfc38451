// Running code inside SystemC's sc_main. SystemC elaborates once per process: call this once.
#pragma once

#include <functional>

namespace lutforge::sim {

// Calls `job` from sc_main through sc_elab_and_sim and returns its result. An exception from the
// job reaches the caller unchanged.
int run_in_systemc(const std::function<int()>& job);

}  // namespace lutforge::sim
