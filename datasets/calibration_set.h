// Calibration (and evaluation) inputs for a model: every PNG/JPEG image or
// .npy file of a folder, or seeded random values.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "datasets/image_input.h"
#include "engine/graph.h"
#include "engine/status.h"

namespace opscope::datasets {

// One sample: the bytes of every graph input, in graph input order.
struct InputSample {
  std::string source;  // file name, or "random #k"
  std::vector<std::vector<uint8_t>> inputs;
};

struct InputSet {
  std::vector<InputSample> samples;
  std::vector<std::string> warnings;  // skipped files, channel conversions
};

// The folder's *.png, *.jpg, *.jpeg (images, for a model with one f32 image
// input) and *.npy files (one input's array each, shape equal to the input's
// or to it without the batch dim), in name order, at most `max_samples`
// (0: all). A file that cannot be decoded or does not fit is skipped with a
// warning; a folder with none usable is kInvalidArgument naming it and why.
Result<InputSet> load_input_folder(const std::filesystem::path& dir, const Graph& graph,
                                   const ImageNormalization& norm, int max_samples = 0);

// `count` samples of seeded smooth random values (datasets/random_input.h).
InputSet random_inputs(const Graph& graph, int count, uint64_t seed);

}  // namespace opscope::datasets
