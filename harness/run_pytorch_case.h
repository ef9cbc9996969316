// The body of opscope-runner for PyTorch files (.ptl, .pt): the same
// measurement as run_case's (measure_loop.h) on PyTorch's own runtime
// (adapters/runtimes/pytorch), one per-op row per top-level operator call.
#pragma once

#include <functional>
#include <string>

#include "adapters/runtimes/pytorch/pytorch_module.h"
#include "result/result_document.h"

namespace opscope::harness {

// forward()'s inputs, in order: the k-th --input file (FILE.npy or
// NAME=FILE.npy, f32) or, without one, seeded values (seed + k) of the k-th
// --shape ("1x3x224x224" or "NAME=1x3x224x224"). No file and no shape: the
// file's bundled inputs (the first set), or an error that says what to give.
Status feed_pytorch_inputs(pytorch::Module& module, const std::string& path,
                           const std::vector<std::string>& input_files,
                           const std::vector<std::string>& shapes, uint64_t seed);

// One forward() with the argument-reading events on (the lazy setup runs
// too): the top-level operator calls and, per call, its category
// (op_category.h; depthwise from the convolution's groups). Leaves no
// profiler attached.
struct PyTorchCalls {
  std::vector<std::string> types, categories;
  std::vector<std::vector<std::string>> output_shapes;
};
Result<PyTorchCalls> discover_pytorch_calls(pytorch::Module& module);

// `doc` arrives with the tool, device, config and model path filled in;
// `progress` may be null. Never throws; a failure is status "error".
ResultDocument measure_pytorch_case(const std::string& model_path, const CaseConfig& cfg,
                                    const std::string& save_outputs_dir,
                                    const std::function<void(const std::string&)>& progress,
                                    ResultDocument doc);

}  // namespace opscope::harness
