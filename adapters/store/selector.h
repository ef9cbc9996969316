// Run selectors ("42", "latest", "tag:commit=abc+model:selfie", ...): the
// parsing, shared by every Store implementation. Store::select documents the
// grammar; docs/store.md lists it for users.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "adapters/store/store.h"

namespace opscope::store {

// One '+'-separated part of a selector, as a filter on runs. `latest` marks
// the two terms that need the newest run or sweep rather than a filter.
struct SelectorTerm {
  RunFilter filter;
  bool latest_run = false;    // "latest"
  bool latest_sweep = false;  // "sweep:latest"
};

// kInvalidArgument, naming the bad part, for an empty selector, an unknown
// prefix, a tag without '=', or a run id that is not a positive integer.
Result<std::vector<SelectorTerm>> parse_selector(std::string_view selector);

}  // namespace opscope::store
