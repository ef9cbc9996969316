#include "harness/state_carry.h"

#include <cstring>

#include "result/utf8.h"

namespace opscope::harness {
namespace {

std::string names_of(const Session& s, bool outputs) {
  std::string names;
  const int n = outputs ? s.num_outputs() : s.num_inputs();
  for (int i = 0; i < n; ++i) {
    const Tensor& t = outputs ? s.output_tensor(i) : s.input_tensor(i);
    names += (i ? ", " : "") + escape_invalid_utf8(t.name);
  }
  return names;
}

int find(const Session& s, const std::string& name, bool outputs) {
  const int n = outputs ? s.num_outputs() : s.num_inputs();
  for (int i = 0; i < n; ++i) {
    if ((outputs ? s.output_tensor(i) : s.input_tensor(i)).name == name) return i;
  }
  return -1;
}

}  // namespace

Result<std::vector<StateCarry>> plan_state_carry(const Session& session,
                                                 const std::vector<std::string>& specs) {
  std::vector<StateCarry> carries;
  for (const std::string& spec : specs) {
    const std::string shown = "--carry-state '" + escape_invalid_utf8(spec) + "'";
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      return Status(ErrorCode::kInvalidArgument, shown + ": write OUTPUT=INPUT");
    }
    const std::string out = spec.substr(0, eq), in = spec.substr(eq + 1);
    StateCarry c;
    c.output = find(session, out, true);
    c.input = find(session, in, false);
    if (c.output < 0) {
      return Status(ErrorCode::kInvalidArgument,
                    shown + ": the model has no output named '" + escape_invalid_utf8(out) +
                        "' (outputs: " + names_of(session, true) + ")");
    }
    if (c.input < 0) {
      return Status(ErrorCode::kInvalidArgument,
                    shown + ": the model has no input named '" + escape_invalid_utf8(in) +
                        "' (inputs: " + names_of(session, false) + ")");
    }
    const Tensor& o = session.output_tensor(c.output);
    const Tensor& i = session.input_tensor(c.input);
    if (o.dtype != i.dtype || o.shape != i.shape) {
      return Status(ErrorCode::kInvalidArgument,
                    shown + ": output is " + std::string(to_string(o.dtype)) + " " +
                        shape_to_string(o.shape) + ", input is " +
                        std::string(to_string(i.dtype)) + " " + shape_to_string(i.shape));
    }
    for (const StateCarry& prior : carries) {
      if (prior.input == c.input) {
        return Status(ErrorCode::kInvalidArgument,
                      shown + ": input '" + escape_invalid_utf8(in) + "' is carried into twice");
      }
    }
    c.bytes = i.bytes();
    carries.push_back(c);
  }
  return carries;
}

void carry_state(Session& session, const std::vector<StateCarry>& carries) {
  for (const StateCarry& c : carries) {
    std::memcpy(session.input_data(c.input), session.output_data(c.output), c.bytes);
  }
}

}  // namespace opscope::harness
