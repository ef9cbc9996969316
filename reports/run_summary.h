// What every human-readable report says about one run, computed once:
// one-line descriptions, the top operators, the op-type breakdown.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/result_document.h"

namespace opscope::reports {

// "selfie_segmentation.tflite (tflite, f16 weights, 136 nodes, 106.4k params, 59.78M MACs)"
std::string model_line(const harness::ResultDocument& d);
// "xnnpack,cpu · 1 thread · cpus 0,1 · seed 1 · 152 runs"
std::string config_line(const harness::ResultDocument& d);
// "Intel Xeon … · x86_64 · 2 cores · host vm"
std::string device_line(const harness::ResultDocument& d);
// "2 partitions: xnnpack ×130 | cpu ×6"
std::string placement_line(const harness::ResultDocument& d);

// The n ops with the largest mean time, largest first.
std::vector<const harness::OpStats*> top_ops(const harness::ResultDocument& d, int n);

struct TypeShare {
  std::string type;
  int nodes = 0;
  double total_us = 0;  // sum of the nodes' mean times
  double pct = 0;       // of all ops' mean times
};
// Per op type, largest total first.
std::vector<TypeShare> op_type_breakdown(const harness::ResultDocument& d);

// Sum of the per-op mean times (us).
double ops_total_us(const harness::ResultDocument& d);

}  // namespace opscope::reports
