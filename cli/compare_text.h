// `opscope compare` on a terminal: one block per case (latency, memory,
// stages, the ops that changed most), then the cases found on one side only.
#pragma once

#include <cstdio>

#include "harness/compare.h"

namespace opscope::cli {

struct CompareTextOptions {
  int top_ops = 10;  // rows of the per-op diff per case (0: all)
};

void print_comparison(const harness::Comparison& comparison,
                      const CompareTextOptions& options, std::FILE* out);

}  // namespace opscope::cli
