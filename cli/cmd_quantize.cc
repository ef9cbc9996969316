#include "cli/cmd_quantize.h"

#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>

#include "harness/quantize_file.h"

namespace opscope::cli {

using harness::QuantizeRequest;
using harness::run_quantize;

CliCommand add_quantize_command(CLI::App& app) {
  auto r = std::make_shared<QuantizeRequest>();
  CLI::App* sub = app.add_subcommand(
      "quantize", "Post-training int8 quantization of a float TFLite model, calibrated on "
                  "images, .npy files or random inputs; writes a TFLite file");
  sub->add_option("model", r->model, "Float model (.tflite)")->required();
  sub->add_option("--out,-o", r->out, "Where to write the int8 model (.tflite)")->required();
  sub->add_option("--calibration", r->calibration,
                  "Folder of .png/.jpg/.jpeg/.npy inputs, or random:N");
  sub->add_option("--max-samples", r->max_samples, "Use at most N calibration files (0: all)")
      ->capture_default_str();
  sub->add_option("--seed", r->seed, "Seed of random:N inputs")->capture_default_str();
  sub->add_option("--range", r->range, "Pixel 0..255 maps to LO,HI")->capture_default_str();
  sub->add_option("--mean", r->mean, "Subtracted after --range (one value or per channel)")
      ->capture_default_str();
  sub->add_option("--std", r->std, "Divides after --mean (one value or per channel)")
      ->capture_default_str();
  sub->add_option("--method", r->method, "Activation ranges: minmax, percentile or mse")
      ->capture_default_str();
  sub->add_flag("--per-tensor", r->options.per_tensor,
                "One weight scale per tensor instead of per output channel");
  sub->add_flag("--int8-io", r->options.int8_io,
                "Keep int8 at the graph's inputs/outputs (no QUANTIZE/DEQUANTIZE there)");
  sub->add_option("--skip", r->options.skip,
                  "Keep in float: node name, source index or op type (repeatable)");
  sub->add_flag("--weights-only", r->options.weights_only,
                "int8 weights behind DEQUANTIZE, float activations (no calibration)");
  sub->add_option("--backend", r->backends, "Backends for the float calibration runs")
      ->capture_default_str();
  sub->add_option("--threads", r->options.threads, "Threads for calibration")
      ->capture_default_str();
  return {sub, [r] { return run_quantize(*r, stderr); }};
}

}  // namespace opscope::cli
