// The range every index of GATHER, GATHER_ELEMENTS and GATHER_ND must keep,
// shared by their shape rules (constant indices: an out-of-range index is a
// graph error, refused at load) and their reference kernels (indices that
// come at run time: an invoke error). Element k of the indices must lie in
// [-n, n), n = sizes[k % sizes.size()], the size of data dim
// dims[k % dims.size()].
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "engine/kernel.h"

namespace opscope::shapes {

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

struct IndexBounds {
  std::vector<int64_t> sizes;  // cycled over the indices; empty: nothing to check
  std::vector<int> dims;       // the data dim of each size, for messages
  bool on_axis = true;         // messages say "axis A" (else "data dim D")
  int64_t count = 0;           // elements of the indices
  bool i64 = false;            // the indices' dtype (else i32)
  std::string indices_name;
};

// The position of the first index out of range, or -1.
int64_t first_bad_index(const IndexBounds& bounds, const uint8_t* idx);

// "index V (element K of indices 'NAME') is out of range for axis A of
// size N" (or "for data dim D of size N").
std::string describe_bad_index(const IndexBounds& bounds, const uint8_t* idx, int64_t k);

// Indices input 1 is i32 or i64 (kTypeMismatch otherwise); fills
// bounds.i64, count and indices_name.
Status expect_index_input(PrepareContext& ctx, IndexBounds* bounds);

// When input 1 is constant: refuses indices out of range (kInvalidArgument)
// or without their data (kInvalidGraph).
Status check_constant_indices(PrepareContext& ctx, const IndexBounds& bounds);

}  // namespace opscope::shapes
