// lutforge-systemc: the part of lutforge that links SystemC. `lutforge sim --engine systemc` runs
// it.
#include "apps/cli.hpp"
#include "apps/commands.hpp"

int main(int argc, char** argv) {
  using namespace lutforge::cli;
  return cli_main(argc, argv, {{"sim", cmd_sim, "clocked simulation in SystemC"}});
}
