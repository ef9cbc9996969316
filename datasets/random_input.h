// Seeded random input values in a range that suits the input.
//
// Ranges (documented in docs/cli.md):
//   f32 image-like (rank 4, NHWC with 1..4 channels or NCHW with 1 or 3
//       channels)                    uniform [0, 1]
//   f32 anything else                uniform [-1, 1]
//   i8 / u8                          the whole type range
//   i32 / i64                        integers in [0, 16)
//   bool                             0 or 1
// The generator is a 64-bit Mersenne twister seeded with seed + input index;
// values are made from its raw bits, so they are the same on every platform.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/tensor.h"

namespace opscope::datasets {

struct ValueRange {
  double min = 0.0, max = 1.0;
};

ValueRange default_range(const Tensor& tensor);

// Fills `out` (tensor.bytes() long) with values drawn from `range`.
void fill_random(const Tensor& tensor, uint64_t seed, ValueRange range,
                 void* out);

// Whether the input looks like an image (rank 4, NHWC with 1..4 channels or
// NCHW with 1 or 3 channels).
bool looks_like_image(const Shape& shape);

// Smooth noise for an f32 NHWC image: per channel, a seeded coarse grid of
// values in `range` (cells x cells) bilinearly interpolated to full size.
// Real photographs are smooth; uniform per-pixel noise drives segmentation
// and detection models to near-constant outputs, which makes comparing two
// runtimes on them nearly vacuous. Falls back to fill_random for anything
// that is not an f32 NHWC image.
void fill_smooth_random(const Tensor& tensor, uint64_t seed, ValueRange range,
                        void* out, int cells = 6);

}  // namespace opscope::datasets
