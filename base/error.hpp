// The exception that library code throws for errors a user caused (bad files, bad designs, bad
// options). Its message is one line naming the file, the object and what was expected; the CLI
// prints it and exits with code 2. Internal invariants are asserts, not Errors.
#pragma once

#include <stdexcept>
#include <string>

namespace lutforge {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace lutforge
