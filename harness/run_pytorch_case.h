// The body of opscope-runner for PyTorch files (.ptl, .pt): the same
// measurement as run_case's (measure_loop.h) on PyTorch's own runtime
// (adapters/runtimes/pytorch), one per-op row per top-level operator call.
#pragma once

#include <functional>
#include <string>

#include "result/result_document.h"

namespace opscope::harness {

// `doc` arrives with the tool, device, config and model path filled in;
// `progress` may be null. Never throws; a failure is status "error".
ResultDocument measure_pytorch_case(const std::string& model_path, const CaseConfig& cfg,
                                    const std::string& save_outputs_dir,
                                    const std::function<void(const std::string&)>& progress,
                                    ResultDocument doc);

}  // namespace opscope::harness
