// --carry-state OUT=IN: a stateful model (a streaming voice-activity or
// keyword model whose recurrent state is an output/input pair) run as it is
// used, each invoke starting from the state the previous one left. After
// every invoke, output OUT is copied into input IN: one memcpy of the state
// bytes, inside the timed invoke, as in a streaming application.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "engine/session.h"

namespace opscope::harness {

struct StateCarry {
  int output = -1, input = -1;  // session output / input index
  size_t bytes = 0;
};

// Parses and checks every "OUT=IN" spec against the session: OUT names a
// graph output and IN a graph input of the same dtype and shape; an input
// is carried into at most once. Errors (kInvalidArgument) name the spec and
// what the model has.
Result<std::vector<StateCarry>> plan_state_carry(const Session& session,
                                                 const std::vector<std::string>& specs);

// Copies every carried output into its input.
void carry_state(Session& session, const std::vector<StateCarry>& carries);

}  // namespace opscope::harness
