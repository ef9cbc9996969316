// Real-looking result documents for the dashboard's tests and benchmark,
// built in code (no model is run): the shape of what `opscope run` stores for
// MediaPipe's selfie segmentation model — a float run and its int8 twin, on
// the reference backend and on XNNPACK — with seeded samples, per-op rows
// whose source indices line up across the twins, stages and memory.
//
// Header-only so that tests/dashboard and bench/dashboard share it without a
// library target between a test and a benchmark folder.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "harness/statistics.h"
#include "result/result_document.h"

namespace opscope::dashboard::testing {

struct SyntheticRun {
  std::string model = "selfie_segmentation.tflite";
  std::string precision = "f32";         // "f32" or "int8"
  std::vector<std::string> backends = {"xnnpack", "cpu"};
  int threads = 1;
  std::string device = "vm";
  double median_ms = 7.0;  // the samples' centre
  int samples = 40;
  int ops = 0;             // 0: the selfie model's 136 nodes (int8: 116 + quantize ops)
  uint64_t seed = 1;
  bool failed = false;     // status "error", no samples, no ops
};

// The op types of the selfie segmentation graph in execution order (a cycle
// of this list) and each one's share of an invoke.
struct OpShape {
  const char* type;
  double weight;
};
inline const std::vector<OpShape>& selfie_op_cycle() {
  static const std::vector<OpShape> kCycle = {
      {"CONV_2D", 9.0},         {"HARD_SWISH", 1.5},     {"DEPTHWISE_CONV_2D", 4.0},
      {"CONV_2D", 6.0},         {"ADD", 1.0},            {"AVERAGE_POOL_2D", 0.8},
      {"FULLY_CONNECTED", 0.5}, {"MUL", 1.2},            {"CONV_2D", 5.0},
      {"RESIZE_BILINEAR", 2.0}, {"DEPTHWISE_CONV_2D", 3.0}, {"LOGISTIC", 0.7},
      {"CONCATENATION", 0.6},   {"TRANSPOSE_CONV", 3.5},  {"DEQUANTIZE", 0.3},
  };
  return kCycle;
}

// Does the given backend list put this op type on XNNPACK? (Our XNNPACK
// backend leaves resize and transpose-conv to the reference backend.)
inline std::string placement(const std::vector<std::string>& backends, const std::string& type) {
  const bool xnn = std::find(backends.begin(), backends.end(), "xnnpack") != backends.end();
  if (!xnn) return "cpu";
  return type == "RESIZE_BILINEAR" || type == "TRANSPOSE_CONV" ? "cpu" : "xnnpack";
}

inline ResultDocument synthetic_document(const SyntheticRun& s) {
  ResultDocument d;
  const bool int8 = s.precision == "int8";
  d.tool = {"opscope", "0.1.0", "36fd0e555e02", "Release", "GNU 12.2.0"};
  d.device.id = s.device;
  d.device.os = "Linux 6.1";
  d.device.arch = "x86_64";
  d.device.cpu_model = "AMD EPYC";
  d.device.cores = 2;
  d.device.ram_bytes = 25274793984;
  d.model.name = s.model;
  d.model.path = (int8 ? "results/" : "/root/.cache/opscope/models/") + s.model;
  d.model.sha256 = std::string(64, int8 ? 'b' : 'a');
  d.model.format = "tflite";
  d.model.precision = s.precision;
  d.model.size_bytes = int8 ? 218800 : 249024;
  d.model.nodes = s.ops > 0 ? s.ops : (int8 ? 116 : 136);
  d.model.params = 106401;
  d.model.macs = 59780992;
  d.config.backends = s.backends;
  d.config.threads = s.threads;
  d.config.runs = s.samples;
  if (s.failed) {
    d.status = "error";
    d.error = {"unsupported_op", "node 31 (RESIZE_BILINEAR, source index 31): no backend "
                                 "supports half_pixel_centers with int8 inputs"};
    return d;
  }
  std::mt19937_64 rng(s.seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> samples;
  for (int i = 0; i < s.samples; ++i) {
    double v = s.median_ms * std::exp(0.04 * noise(rng));
    if (unit(rng) < 0.05) v *= 1.3 + 0.4 * unit(rng);  // a few slow invokes (an interrupt)
    samples.push_back(v);
  }
  d.latency_ms = harness::summarize_latency(samples);
  d.stages = {0.55, 0.5, int8 ? 8.2 : 6.1, int8 ? 5.5 : 3.9, s.median_ms * 1.8};
  d.memory = {int8 ? 14151680 : 18350080, int8 ? 7843840 : 9437184, int8 ? 1310720 : 4456448,
              int8 ? 1310720 : 4456448, int8 ? 115380 : 212802, 0, 1048576};

  // Ops: the float graph's nodes carry source indices 0..n-1; the int8 twin
  // drops every DEQUANTIZE (its weights are int8) and adds a QUANTIZE at the
  // input and a DEQUANTIZE at the output (source index -1: made by the
  // quantizer), so the twins line up by source index, not by position.
  const auto& cycle = selfie_op_cycle();
  const int n = s.ops > 0 ? s.ops : 136;
  struct Node { int source; std::string type; double weight; };
  std::vector<Node> nodes;
  if (int8) nodes.push_back({-1, "QUANTIZE", 0.4});
  for (int i = 0; i < n; ++i) {
    const OpShape& shape = cycle[static_cast<size_t>(i) % cycle.size()];
    if (int8 && std::string(shape.type) == "DEQUANTIZE") continue;
    nodes.push_back({i, shape.type, shape.weight * (1.0 + 0.5 * std::sin(i * 0.7))});
  }
  if (int8) nodes.push_back({-1, "DEQUANTIZE", 0.4});
  double weight_sum = 0;
  for (const Node& node : nodes) weight_sum += node.weight;
  const double op_total_us = d.latency_ms.median * 1000.0 * 0.92;  // the rest is invoke overhead
  double cdf = 0;
  for (size_t i = 0; i < nodes.size(); ++i) {
    OpStats op;
    op.index = static_cast<int>(i);
    op.source_index = nodes[i].source;
    op.type = nodes[i].type;
    op.name = nodes[i].source < 0 ? (i == 0 ? "input_1_int8" : "output_float")
                                  : "node_" + std::to_string(nodes[i].source);
    op.backend = placement(s.backends, op.type);
    op.count = s.samples;
    op.median_us = op_total_us * nodes[i].weight / weight_sum;
    op.mean_us = op.median_us * 1.08;
    op.min_us = op.median_us * 0.8;
    op.max_us = op.median_us * 2.5;
    op.first_us = op.median_us * 1.6;
    op.pct = 100.0 * nodes[i].weight / weight_sum;
    cdf += op.pct;
    op.cdf_pct = cdf;
    op.macs = op.type.find("CONV") != std::string::npos ? 1000000 + 7919 * static_cast<int64_t>(i) : 0;
    op.live_bytes = 65536 * (1 + static_cast<int64_t>(i % 7));
    op.weights_bytes = op.macs > 0 ? 4096 : 0;
    op.output_shapes = {"1x64x64x16"};
    d.ops.push_back(op);
  }
  PartitionInfo part;
  part.backend = s.backends.front();
  for (size_t i = 0; i < d.ops.size(); ++i) part.nodes.push_back(static_cast<int>(i));
  d.partitions = {part};
  d.outputs = {{"activation_10", "f32", "1x256x256x1", "19df74db6bfd514b"}};
  return d;
}

}  // namespace opscope::dashboard::testing
