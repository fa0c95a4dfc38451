// Overloaded{lambdas...}: a visitor for std::visit built from one lambda per alternative.
#pragma once

namespace lutforge {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace lutforge
