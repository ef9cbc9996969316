// Where each output row (or column) of TFLite's integer RESIZE_BILINEAR
// (ResizeBilinearInteger) samples the input: shared by the reference int8
// kernel (resize_bilinear_int8.cc) and the native one, which must agree
// bit for bit.
#pragma once

#include <cstdint>
#include <vector>

namespace opscope::reference::int8 {

struct ResizeSample {
  int64_t lo = 0, hi = 0;  // input indices
  int64_t w_hi = 0;        // weight of hi in 1/1024; lo gets 1024 - w_hi
};

// The source coordinate of output index d is d * s10 (+ s10 / 2 - 512 with
// half_pixel_centers) in 1/1024 pixel, s10 = round(1024 * in / out) (or
// (in - 1) / (out - 1) with align_corners).
std::vector<ResizeSample> resize_sample_table(int64_t in, int64_t out, bool align_corners,
                                              bool half_pixel_centers);

}  // namespace opscope::reference::int8
