// What `opscope quantize MODEL.tflite --calibration DIR --out MODEL_int8.tflite`
// does: post-training int8 quantization (engine/transforms/quantize) of a float
// TFLite model, calibrated on a folder of images/.npy files (datasets/) or
// seeded random inputs, written with the TFLite writer.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/transforms/quantize/quantize_model.h"

namespace opscope::harness {

struct QuantizeRequest {
  std::string model, out;
  // A folder of .png/.jpg/.jpeg/.npy files, or "random:N".
  std::string calibration;
  int max_samples = 0;  // 0: every file
  uint64_t seed = 1;
  std::string range = "0,1", mean = "0", std = "1";
  std::string method = "percentile";
  std::string backends = "cpu";
  QuantizeOptions options;
};

// Runs the whole command; progress and warnings go to `log`. Returns the
// exit code (harness/exit_codes.h).
int run_quantize(const QuantizeRequest& request, std::FILE* log);

}  // namespace opscope::harness
