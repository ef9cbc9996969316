// Feeding a session's inputs and describing or saving its outputs.
#pragma once

#include <string>
#include <vector>

#include "engine/session.h"
#include "result/result_document.h"

namespace opscope::harness {

// `specs` are "NAME=FILE.npy" (or "FILE.npy" for a single-input model);
// inputs not named get seeded random values (datasets/random_input.h).
// A file whose dtype or shape differs from the input's is an error naming
// both.
Status feed_inputs(Session& session, const std::vector<std::string>& specs,
                   uint64_t seed);

// One output as a host array (a session's, or another runtime's).
struct OutputArray {
  std::string name;
  DType dtype = DType::kF32;
  Shape shape;
  const void* data = nullptr;
  size_t bytes = 0;
};

// Name, dtype, shape and an FNV-1a-64 checksum of every output's bytes.
std::vector<OutputInfo> describe_outputs(const Session& session);
std::vector<OutputInfo> describe_outputs(const std::vector<OutputArray>& outputs);

// Writes DIR/output_<i>.npy for every output i, in the model's output order.
Status save_outputs(const Session& session, const std::string& dir);
Status save_outputs(const std::vector<OutputArray>& outputs, const std::string& dir);

}  // namespace opscope::harness
