// Output size and padding of sliding-window ops (conv, depthwise, pool), with
// TFLite's SAME/VALID rules and explicit pads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "engine/attributes.h"

namespace opscope::reference {

struct WindowDim {
  int64_t out = 0;    // output size along this dimension
  int64_t pad_before = 0;  // padding before the first element
};

// One spatial dimension. `pad_before`/`pad_after` are used only for kExplicit.
inline WindowDim window_dim(Padding padding, int64_t in, int64_t filter,
                            int stride, int dilation, int pad_before = 0,
                            int pad_after = 0) {
  const int64_t effective = (filter - 1) * dilation + 1;
  WindowDim d;
  switch (padding) {
    case Padding::kSame: {
      d.out = (in + stride - 1) / stride;
      const int64_t total =
          std::max<int64_t>(0, (d.out - 1) * stride + effective - in);
      d.pad_before = total / 2;  // the odd pixel goes at the end
      break;
    }
    case Padding::kValid:
      d.out = in >= effective ? (in - effective) / stride + 1 : 0;
      d.pad_before = 0;
      break;
    case Padding::kExplicit: {
      const int64_t padded = in + pad_before + pad_after;
      d.out = padded >= effective ? (padded - effective) / stride + 1 : 0;
      d.pad_before = pad_before;
      break;
    }
  }
  return d;
}

// The input rows (or columns) one output row (or column) of a pooling
// window reads, clipped to the input: [begin, end).
struct Span {
  int64_t begin = 0;
  int64_t end = 0;
};

inline std::vector<Span> window_spans(const WindowDim& dim, int64_t in, int64_t filter,
                                      int stride) {
  std::vector<Span> spans(static_cast<size_t>(dim.out));
  for (int64_t o = 0; o < dim.out; ++o) {
    const int64_t start = o * stride - dim.pad_before;
    spans[o].begin = std::max<int64_t>(start, 0);
    spans[o].end = std::min<int64_t>(start + filter, in);
  }
  return spans;
}

}  // namespace opscope::reference
