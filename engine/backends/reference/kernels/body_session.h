// What the control-flow kernels (IF, LOOP, WHILE) share: a body (a branch,
// a loop body, a condition) as a Session of its own on the reference
// backend, created at prepare; copies into its inputs; the cap on body runs
// per invoke.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "engine/kernel.h"
#include "engine/session.h"

namespace opscope::reference {

// Runs of a loop's body one invoke may make before the loop fails: a loop
// whose trip count or condition never ends it must not hang the run.
inline constexpr int64_t kMaxBodyRuns = int64_t{1} << 20;

// The body `model` as a session; an error names the node and the body.
inline Result<std::unique_ptr<Session>> make_body_session(PrepareContext& ctx,
                                                          std::shared_ptr<const Model> model,
                                                          const char* role) {
  SessionOptions options;
  options.backends = {"cpu"};
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
