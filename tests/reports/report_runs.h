// Stored runs for the report tests, made the way production makes them: the
// runner's body (harness::run_case) on a real model, its result document
// written as JSON and read back (as the store does), wrapped in StoredRun.
// Built once per test binary; empty when the models are not fetched.
#pragma once

#include <vector>

#include "adapters/store/store.h"

namespace opscope::reports::testing {

inline constexpr int kTraceInvokes = 3;

// [0] selfie_segmentation on xnnpack,cpu (trace of kTraceInvokes invokes),
// [1] the same on cpu (trace of 2 invokes), [2] a failed run (missing
// model). Empty when the model is absent (the caller skips).
const std::vector<store::StoredRun>& real_runs();

// Whether a missing model must fail the test instead of skipping it.
bool models_required();

}  // namespace opscope::reports::testing
