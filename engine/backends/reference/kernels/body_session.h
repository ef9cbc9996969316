// What the control-flow kernels (IF, LOOP, WHILE, SCAN) share: a body (a
// branch, a loop body, a condition) as a Session of its own on the
// session's backends (one thread: the body runs inside one op), created at
// prepare; copies into its inputs; the cap on body runs per invoke.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "engine/kernel.h"
#include "engine/session.h"

namespace opscope::reference {

// Runs of loop bodies one invoke may make before the loop fails: a loop
// whose trip count or condition never ends it must not hang the run. Loops
// nested in loop bodies share the outermost one's budget (else a loop in a
// loop would be allowed 2^40 runs).
inline constexpr int64_t kMaxBodyRuns = int64_t{1} << 20;

// Opened by a looping kernel's run(): the outermost one on this thread
// refills the budget; take() spends one body run, false when none is left.
class BodyRunBudget {
 public:
  BodyRunBudget() {
    if (depth_++ == 0) left_ = kMaxBodyRuns;
  }
  ~BodyRunBudget() { --depth_; }
  BodyRunBudget(const BodyRunBudget&) = delete;
  BodyRunBudget& operator=(const BodyRunBudget&) = delete;
  bool take() { return left_-- > 0; }

 private:
  static inline thread_local int depth_ = 0;
  static inline thread_local int64_t left_ = 0;
};

// The error of a loop that spent the budget.
inline Status body_budget_spent() {
  return Status(ErrorCode::kInvalidArgument,
                "ran loop bodies " + std::to_string(kMaxBodyRuns) +
                    " times in one invoke (nested loops count together) without its trip count "
                    "or condition ending it");
}

// The body `model` as a session; an error names the node and the body.
inline Result<std::unique_ptr<Session>> make_body_session(PrepareContext& ctx,
                                                          std::shared_ptr<const Model> model,
                                                          const char* role) {
  SessionOptions options;
  options.backends = ctx.body_backends();
  auto created = Session::create(std::move(model), options);
  if (!created.is_ok()) {
    return ctx.error(created.status().code(), std::string(role) + ": " + created.status().message());
  }
  return std::move(created).value();
}

// Copies into the session's input `input`; a body input no node reads has
// no buffer.
inline void copy_into_input(Session& s, int input, const void* from, size_t bytes) {
  void* to = s.input_data(input);
  if (to != nullptr && bytes > 0) std::memcpy(to, from, bytes);
}

}  // namespace opscope::reference
