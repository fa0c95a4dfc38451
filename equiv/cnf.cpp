#include "equiv/cnf.hpp"

#include <cadical.hpp>

#include <algorithm>
#include <stdexcept>

namespace lutforge {

bool op_reads_b(Program::Op op) { return op != Program::Op::Not && op != Program::Op::Copy; }

bool op_reads_c(Program::Op op) {
  using Op = Program::Op;
  return op == Op::Mux || op == Op::Maj || op == Op::Xor3;
}

size_t Cnf::KeyHash::operator()(const std::array<int, 4>& k) const {
  uint64_t h = 0x9e3779b97f4a7c15ull;
  for (int x : k) h = (h ^ static_cast<uint32_t>(x)) * 0x100000001b3ull;
  return h;
}

Cnf::Cnf() : solver_(std::make_unique<CaDiCaL::Solver>()) {
  // Many small incremental calls: inprocessing costs more than it saves here.
  solver_->configure("plain");
  false_ = new_var();
  add({-false_});
}

Cnf::~Cnf() = default;

int Cnf::new_var() { return ++num_vars_; }

void Cnf::add(std::initializer_list<int> lits) {
  for (int l : lits) solver_->add(l);
  solver_->add(0);
}

void Cnf::add(const std::vector<int>& lits) {
  for (int l : lits) solver_->add(l);
  solver_->add(0);
}

void Cnf::equate(int x, int y) {
  if (x == y) return;
  add({-x, y});
  add({x, -y});
}

int Cnf::gate(Op op, int a, int b, int c) {
  if (!op_reads_b(op)) b = 0;
  if (!op_reads_c(op)) c = 0;
  // Every operation is rewritten to And, Xor, Xor3, Mux or Maj and its complement, and simplified
  // where an operand is constant or two operands are the same signal, so that logic which a
  // netlist pass folded on one side hashes to what the other side still computes.
  const int F = false_, T = -false_;
  auto is_const = [&](int l) { return l == F || l == T; };
  switch (op) {
    case Op::Copy: return a;
    case Op::Not: return -a;
    case Op::Or: return -gate(Op::And, -a, -b);
    case Op::Nand: return -gate(Op::And, a, b);
    case Op::Nor: return gate(Op::And, -a, -b);
    case Op::AndNot: return gate(Op::And, a, -b);
    case Op::OrNot: return -gate(Op::And, -a, b);
    case Op::Xnor: return -gate(Op::Xor, a, b);
    case Op::And:
      if (a == F || b == F || a == -b) return F;
      if (a == T || a == b) return b;
      if (b == T) return a;
      break;
    case Op::Xor: {
      if (is_const(a)) return a == F ? b : -b;
      if (is_const(b)) return b == F ? a : -a;
      if (a == b) return F;
      if (a == -b) return T;
      // xor(-a, b) = -xor(a, b): hash the positive operands.
      const bool negate = (a < 0) != (b < 0);
      const int d = hashed(Op::Xor, std::abs(a), std::abs(b), 0);
      return negate ? -d : d;
    }
    case Op::Xor3:
      if (is_const(a)) return a == F ? gate(Op::Xor, b, c) : -gate(Op::Xor, b, c);
      if (is_const(b)) return b == F ? gate(Op::Xor, a, c) : -gate(Op::Xor, a, c);
      if (is_const(c)) return c == F ? gate(Op::Xor, a, b) : -gate(Op::Xor, a, b);
      if (a == b || a == -b) return a == b ? c : -c;
      if (a == c || a == -c) return a == c ? b : -b;
      if (b == c || b == -c) return b == c ? a : -a;
      {
        const bool negate = ((a < 0) + (b < 0) + (c < 0)) % 2 == 1;
        const int d = hashed(Op::Xor3, std::abs(a), std::abs(b), std::abs(c));
        return negate ? -d : d;
      }
    case Op::Mux:  // c ? b : a
      if (c == T || a == b) return b;
      if (c == F) return a;
      if (c < 0) return gate(Op::Mux, b, a, -c);
      if (a == F) return gate(Op::And, c, b);
      if (b == F) return gate(Op::And, -c, a);
      if (a == T) return -gate(Op::And, c, -b);
      if (b == T) return -gate(Op::And, -c, -a);
      break;
    case Op::Maj:
      if (a == b || a == c) return a;
      if (b == c) return b;
      if (a == -b) return c;
      if (a == -c) return b;
      if (b == -c) return a;
      if (is_const(a)) return a == F ? gate(Op::And, b, c) : -gate(Op::And, -b, -c);
      if (is_const(b)) return b == F ? gate(Op::And, a, c) : -gate(Op::And, -a, -c);
      if (is_const(c)) return c == F ? gate(Op::And, a, b) : -gate(Op::And, -a, -b);
      // maj(-a, -b, -c) = -maj(a, b, c): at most one operand negated.
      if ((a < 0) + (b < 0) + (c < 0) >= 2) return -gate(Op::Maj, -a, -b, -c);
      break;
    default: break;
  }
  return hashed(op, a, b, c);
}

int Cnf::hashed(Op op, int a, int b, int c) {
  // gate() leaves only And, Xor, Xor3, Mux and Maj (and Lut, which clauses() refuses).
  const bool commutative = op == Op::And || op == Op::Xor || op == Op::Maj || op == Op::Xor3;
  if (commutative) {
    if (a > b) std::swap(a, b);
    if ((op == Op::Maj || op == Op::Xor3) && b > c) std::swap(b, c);
    if ((op == Op::Maj || op == Op::Xor3) && a > b) std::swap(a, b);
  }
  const std::array<int, 4> key{static_cast<int>(op), a, b, c};
  auto [it, inserted] = strash_.try_emplace(key, 0);
  if (!inserted) return it->second;
  const int d = new_var();
  clauses(op, d, a, b, c);
  if (defs_.size() <= static_cast<size_t>(d)) defs_.resize(d + 1);
  defs_[d] = {op, a, b, c, true};
  it->second = d;
  return d;
}

const Cnf::Def& Cnf::def(int var) const { return defs_.at(static_cast<size_t>(var)); }

bool Cnf::defined(int var) const {
  return var > 0 && static_cast<size_t>(var) < defs_.size() && defs_[var].defined;
}

namespace {

// Asks CaDiCaL to stop once the deadline has passed; it asks often during a search.
class DeadlineTerminator : public CaDiCaL::Terminator {
 public:
  explicit DeadlineTerminator(std::chrono::steady_clock::time_point d) : d_(d) {}
  bool terminate() override { return std::chrono::steady_clock::now() > d_; }

 private:
  std::chrono::steady_clock::time_point d_;
};

}  // namespace

SatResult Cnf::solve(const std::vector<int>& assumptions, int64_t conflict_limit) {
  for (int l : assumptions) solver_->assume(l);
  if (conflict_limit > 0)
    solver_->limit("conflicts", static_cast<int>(std::min<int64_t>(conflict_limit, INT32_MAX)));
  ++calls_;
  std::optional<DeadlineTerminator> stop;
  if (deadline_) {
    stop.emplace(*deadline_);
    solver_->connect_terminator(&*stop);
  }
  const int result = solver_->solve();
  if (stop) solver_->disconnect_terminator();
  switch (result) {
    case 10: return SatResult::Satisfiable;
    case 20: return SatResult::Unsatisfiable;
    default: return SatResult::Unknown;
  }
}

bool Cnf::value(int lit) const { return solver_->val(lit) > 0; }

void Cnf::clauses(Op op, int d, int a, int b, int c) {
  switch (op) {
    case Op::Lut: throw std::logic_error("equivalence: a scalar program in the CNF encoding");
    case Op::And:
      add({-d, a});
      add({-d, b});
      add({d, -a, -b});
      break;
    case Op::Xor:
      add({-d, a, b});
      add({-d, -a, -b});
      add({d, -a, b});
      add({d, a, -b});
      break;
    case Op::Mux:  // d = c ? b : a
      add({-c, -b, d});
      add({-c, b, -d});
      add({c, -a, d});
      add({c, a, -d});
      add({-a, -b, d});
      add({a, b, -d});
      break;
    case Op::Maj:
      add({-a, -b, d});
      add({-a, -c, d});
      add({-b, -c, d});
      add({a, b, -d});
      add({a, c, -d});
      add({b, c, -d});
      break;
    case Op::Xor3:
      for (int i = 0; i < 16; ++i) {
        const int sa = (i & 1) ? a : -a, sb = (i & 2) ? b : -b, sc = (i & 4) ? c : -c,
                  sd = (i & 8) ? d : -d;
        const int parity = ((i & 1) != 0) + ((i & 2) != 0) + ((i & 4) != 0) + ((i & 8) != 0);
        if (parity % 2 == 1) add({sa, sb, sc, sd});  // forbids assignments with d != a ^ b ^ c
      }
      break;
    default: throw std::logic_error("equivalence: gate() rewrites this operation before hashing");
  }
}

void encode_cycle(Cnf& cnf, const Program& prog, std::vector<int>& slots) {
  if (prog.scalar) throw std::logic_error("equivalence: a scalar program in the CNF encoding");
  slots.resize(prog.num_slots, 0);
  slots[Program::kZero] = cnf.false_lit();
  slots[Program::kOne] = -cnf.false_lit();
  for (const auto* list : {&prog.comb, &prog.next})
    for (const Program::Instr& in : *list) {
      if (!slots[in.a] || (op_reads_b(in.op) && !slots[in.b]) ||
          (op_reads_c(in.op) && !slots[in.c]))
        throw std::logic_error("equivalence: a slot read before it has a literal");
      slots[in.dst] = cnf.gate(in.op, slots[in.a], op_reads_b(in.op) ? slots[in.b] : 0,
                               op_reads_c(in.op) ? slots[in.c] : 0);
    }
}

}  // namespace lutforge
