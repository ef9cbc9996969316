// Helpers shared by the reference backend's GEMM-based kernels (conv,
// depthwise conv, transpose conv, fully connected, batch matmul): prepare
// checks whose messages name the node, and the layout of a node's scratch.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/attributes.h"
#include "engine/kernel.h"

namespace opscope::reference {

// Checks the input count is in [min_inputs, max_inputs], that there is one
// output, and that every present input is f32; sets the output dtype to f32.
Status expect_f32_op(PrepareContext& ctx, int min_inputs, int max_inputs);


// Carves one node's scratch into 64-byte aligned regions. Offsets are fixed
// in prepare (then ctx.set_scratch_bytes(layout.bytes())); run() turns them
// into pointers with scratch_floats().
class ScratchLayout {
 public:
  // Reserves `floats` floats and returns the region's byte offset.
  size_t add_floats(int64_t floats) {
    const size_t offset = bytes_;
    bytes_ += (static_cast<size_t>(floats) * sizeof(float) + 63) / 64 * 64;
    return offset;
  }
  size_t bytes() const { return bytes_; }

 private:
  size_t bytes_ = 0;
};

inline float* scratch_floats(const RunContext& ctx, size_t offset) {
  return reinterpret_cast<float*>(static_cast<char*>(ctx.scratch) + offset);
}

// Rows per chunk when a kernel streams `rows` rows of `row_floats` floats
// through scratch (conv's im2col patches, transpose conv's col): about 1 MiB
// of them, written just before they are read, so they are still in cache and
// the scratch stays bounded for large images; at least 240 rows, so the
// packed B is reused enough per GEMM pass; never more than `rows`.
inline int64_t gemm_chunk_rows(int64_t rows, int64_t row_floats) {
  constexpr int64_t kChunkFloats = 256 * 1024;
  constexpr int64_t kMinChunkRows = 240;
  const int64_t by_size = kChunkFloats / std::max<int64_t>(1, row_floats);
  return std::min(rows, std::max(kMinChunkRows, by_size));
}

}  // namespace opscope::reference
