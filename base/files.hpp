// Reading and writing whole files, with errors that name the file.
#pragma once

#include <cstddef>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace lutforge {

// The whole content of a file; throws Error naming the file when it cannot be read.
std::string read_file(const std::string& path);

// A file's content, read-only, for as long as the object lives. A regular file is mapped into
// memory, so that its pages come straight from the page cache instead of being copied into fresh
// memory (on a large netlist that copy costs more than parsing it); anything else (a pipe, an
// empty file) is read. Throws Error naming the file when it cannot be read.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view text() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;
  std::string read_;  // the content when it was read instead of mapped
};

// An output stream on a new or truncated file; throws Error naming the file when it cannot be
// opened.
std::ofstream open_output(const std::string& path);

// The last `n` non-empty lines of a file (a tool's log, for an error message); none when it cannot
// be read.
std::vector<std::string> last_lines(const std::string& path, size_t n);

// `s` as one word for /bin/sh: in single quotes, with each single quote written as '\''.
std::string shell_quote(const std::string& s);

}  // namespace lutforge
