// What GATHER, GATHER_ELEMENTS and GATHER_ND share: inputs (data, indices
// i32 or i64) and the range check of the indices, done before anything is
// copied: in prepare when the indices are constant (a load error), else at
// every run (an invoke error through RunContext::fail, the output left
// zero). An out-of-range index never reaches a memory access. Each kernel
// says what "in range" means (first_bad_index) and how to name a bad index.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "engine/kernel.h"

namespace opscope::reference {

// Element k of an index tensor. memcpy because constant data may sit
// unaligned in the mapped model file.
inline int64_t read_index(const uint8_t* data, bool i64, int64_t k) {
  if (i64) {
    int64_t v;
    std::memcpy(&v, data + k * 8, 8);
    return v;
  }
  int32_t v;
  std::memcpy(&v, data + k * 4, 4);
  return v;
}

class IndexGatherKernel : public Kernel {
 protected:
  // First in prepare: exactly the two inputs, both present, indices i32 or
  // i64; records the indices and the node's name for run()'s errors.
  Status prepare_indices(PrepareContext& ctx);
  // Last in prepare, once first_bad_index can run: refuses constant
  // indices that are out of range or lack their data.
  Status check_constant_indices(PrepareContext& ctx) const;
  // First in run: when an index is out of range, zeroes the `out_bytes`
  // of `dst`, fails the invoke naming the node and the index, and returns
  // true.
  bool refuse_bad_indices(const RunContext& ctx, const uint8_t* idx, uint8_t* dst,
                          size_t out_bytes) const;

  int64_t index_at(const uint8_t* idx, int64_t k) const { return read_index(idx, i64_, k); }
  // "index V (element K of indices 'NAME')", the start of describe_bad.
  std::string name_index(const uint8_t* idx, int64_t k) const;

  // The position (in indices) of the first index out of range, or -1.
  virtual int64_t first_bad_index(const uint8_t* idx) const = 0;
  // Why the index at position k is out of range.
  virtual std::string describe_bad(const uint8_t* idx, int64_t k) const = 0;

  int indices_id_ = -1;

 private:
  bool i64_ = false;
  std::string node_;
  std::string indices_name_;
};

}  // namespace opscope::reference
