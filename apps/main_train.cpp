// lutforge-train: the part of lutforge that links LibTorch. `lutforge train` runs it.
#include "apps/cli.hpp"
#include "apps/commands.hpp"

int main(int argc, char** argv) {
  using namespace lutforge::cli;
  return cli_main(argc, argv,
                  {{"train", cmd_train, "train a LUT network and export its model file"}});
}
