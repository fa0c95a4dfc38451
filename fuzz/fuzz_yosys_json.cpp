// libFuzzer target for the Yosys JSON reader: parsing and importing must either succeed with a
// netlist that passes verify() or throw lutforge::Error. Anything else (a crash, a sanitizer
// report, another exception, a hang) is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "base/error.hpp"
#include "netlist/yosys_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const lutforge::YosysDesign d = lutforge::parse_yosys_json(std::move(text), "fuzz.json");
    const lutforge::Netlist nl = lutforge::import_yosys(d);
    if (!lutforge::verify(nl).empty()) std::abort();
  } catch (const lutforge::Error&) {
  }
  return 0;
}
