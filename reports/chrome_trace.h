// Chrome Trace Event Format (the JSON-object form with "traceEvents"), as
// chrome://tracing and the Perfetto UI open it.
//
// Each run is a process (pid); each thread the runner recorded is a track
// (tid). On it: the setup stages (load, partition, prepare, plan,
// first_invoke) and, for every traced invoke, an "invoke" slice with one
// complete ("X") slice per op event nested inside it. Timestamps are
// microseconds since the run's load began. A run stored without a `trace`
// (tracing off, or an older runner) gets a synthesized timeline instead:
// stages back to back and one invoke of per-op means, marked
// "synthesized": true in its args and thread name.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/store/store.h"

namespace opscope::reports {

nlohmann::json render_chrome_trace(const std::vector<store::StoredRun>& runs);

}  // namespace opscope::reports
