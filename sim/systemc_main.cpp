#include "sim/systemc_main.hpp"

#include <cstdlib>
#include <exception>
#include <systemc>

namespace {
const std::function<int()>* g_job = nullptr;
std::exception_ptr g_error;
}  // namespace

// SystemC's entry point for this executable: runs the job run_in_systemc was given.
int sc_main(int, char*[]) {
  if (!g_job) return 1;
  try {
    return (*g_job)();
  } catch (...) {
    g_error = std::current_exception();
    return 1;
  }
}

namespace lutforge::sim {

int run_in_systemc(const std::function<int()>& job) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  g_job = &job;
  g_error = nullptr;
  char name[] = "lutforge";
  char* argv[] = {name, nullptr};
  const int rc = sc_core::sc_elab_and_sim(1, argv);
  g_job = nullptr;
  if (g_error) std::rethrow_exception(g_error);
  return rc;
}

}  // namespace lutforge::sim
