#include "base/files.hpp"

#include <sstream>

#include "base/error.hpp"

namespace lutforge {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open file for reading");
  // One read into a string of the file's size; a stringstream would copy a large file twice.
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) {  // not seekable (a pipe): read it in pieces
    in.clear();
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw Error(path + ": read error");
    return ss.str();
  }
  std::string text(static_cast<size_t>(size), '\0');
  in.seekg(0, std::ios::beg);
  in.read(text.data(), size);
  if (in.gcount() != size) throw Error(path + ": read error");
  return text;
}

std::ofstream open_output(const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw Error(path + ": cannot open file for writing");
  return out;
}

}  // namespace lutforge
