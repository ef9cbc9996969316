// The reduce loop of MEAN and REDUCE_MAX, shared by the f32 kernels
// (reduce.cc) and the int8 MEAN (int8/mean_int8.cc).
//
// The input is seen as runs of adjacent dims that are all reduced or all
// kept (size-1 dims dropped): a reduction over H, W of NHWC is [N kept, H*W
// reduced, C kept] whatever N and C are. plan() is called at prepare and
// sizes everything; walk() is called at run and allocates nothing.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/tensor.h"

namespace opscope::reference {

struct ReduceRun {
  int64_t size = 1;
  bool reduced = false;
};

class ReduceRuns {
 public:
  // `reduced` has one flag per dim of `in` (shapes::reduce_axes).
  void plan(const Shape& in, const std::vector<bool>& reduced) {
    runs_.clear();
    for (size_t d = 0; d < in.size(); ++d) {
      if (in[d] == 1) continue;
      if (!runs_.empty() && runs_.back().reduced == reduced[d]) {
        runs_.back().size *= in[d];
      } else {
        runs_.push_back({in[d], static_cast<bool>(reduced[d])});
      }
    }
    if (runs_.empty()) runs_.push_back({1, false});
    // Output strides of the runs (0 for reduced runs).
    out_step_.assign(runs_.size(), 0);
    index_.assign(runs_.size(), 0);
    int64_t step = 1;
    for (size_t k = runs_.size(); k-- > 0;) {
      if (!runs_[k].reduced) {
        out_step_[k] = step;
        step *= runs_[k].size;
      }
    }
  }

  const std::vector<ReduceRun>& runs() const { return runs_; }
  int64_t inner_size() const { return runs_.back().size; }
  bool inner_reduced() const { return runs_.back().reduced; }

  // Walks a non-empty input x in order, calling visit(row, out_off) for
  // each innermost run: `row` holds inner_size() contiguous elements and
  // `out_off` is the output offset of its first element (of all of them
  // when the innermost run is reduced).
  template <typename T, typename Visit>
  void walk(const T* x, Visit&& visit) {
    const int inner = static_cast<int>(runs_.size()) - 1;
    const int64_t inner_size = runs_[inner].size;
    for (int64_t& v : index_) v = 0;
    int64_t out_off = 0;
    const T* row = x;
    while (true) {
      visit(row, out_off);
      row += inner_size;
      int k = inner - 1;
      for (; k >= 0; --k) {
        out_off += out_step_[k];
        if (++index_[k] < runs_[k].size) break;
        out_off -= out_step_[k] * runs_[k].size;
        index_[k] = 0;
      }
      if (k < 0) break;
    }
  }

 private:
  std::vector<ReduceRun> runs_;
  std::vector<int64_t> out_step_;
  std::vector<int64_t> index_;  // the odometer
};

}  // namespace opscope::reference
