// Reading and writing whole files, with errors that name the file.
#pragma once

#include <fstream>
#include <string>

namespace lutforge {

// The whole content of a file; throws Error naming the file when it cannot be read.
std::string read_file(const std::string& path);

// An output stream on a new or truncated file; throws Error naming the file when it cannot be
// opened.
std::ofstream open_output(const std::string& path);

}  // namespace lutforge
