// What GATHER, GATHER_ELEMENTS and GATHER_ND share: the range check of the
// indices, done before anything is copied. Constant indices are checked by
// the shape rules (shapes::gather_indexing and its siblings: a load error);
// indices that come at run time are checked at every run (an invoke error
// through RunContext::fail, the output left zero), against the same
// shapes::IndexBounds. An out-of-range index never reaches a memory access.
#pragma once

#include <cstdint>
#include <string>

#include "engine/kernel.h"
#include "engine/shapes/index_bounds.h"

namespace opscope::reference {

class IndexGatherKernel : public Kernel {
 protected:
  // In prepare, with what the op's shape rule returned (it has checked the
  // inputs, the shapes and any constant indices): records the bounds, the
  // indices and the node's name for run()'s errors.
  void prepare_indices(PrepareContext& ctx, shapes::IndexBounds bounds);
  // First in run: when an index is out of range, zeroes the `out_bytes`
  // of `dst`, fails the invoke naming the node and the index, and returns
  // true.
  bool refuse_bad_indices(const RunContext& ctx, const uint8_t* idx, uint8_t* dst,
                          size_t out_bytes) const;

  int64_t index_at(const uint8_t* idx, int64_t k) const {
    return shapes::read_index(idx, bounds_.i64, k);
  }

  int indices_id_ = -1;

 private:
  shapes::IndexBounds bounds_;
  std::string node_;
};

}  // namespace opscope::reference
