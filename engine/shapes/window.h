// Output size and padding of sliding-window ops (conv, depthwise, pool), with
// TFLite's SAME/VALID rules and explicit pads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "engine/attributes.h"

namespace opscope::shapes {

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
// window reads, clipped to the input: begin, begin + step, ... < end, which
// is `count` taps (0 when every tap falls in the padding).
struct Span {
  int64_t begin = 0;
  int64_t end = 0;
  int64_t step = 1;  // the dilation
  int64_t count = 0;
};

// `dim` must come from window_dim() with the same filter, stride and
// dilation.
inline std::vector<Span> window_spans(const WindowDim& dim, int64_t in, int64_t filter,
                                      int stride, int dilation = 1) {
  std::vector<Span> spans(static_cast<size_t>(dim.out));
  for (int64_t o = 0; o < dim.out; ++o) {
    const int64_t start = o * stride - dim.pad_before;
    // First tap index k with start + k*d >= 0, last with start + k*d < in.
    const int64_t first = start >= 0 ? 0 : (-start + dilation - 1) / dilation;
    const int64_t last = std::min<int64_t>(filter - 1,
                                           in - 1 - start < 0 ? -1 : (in - 1 - start) / dilation);
    Span& s = spans[o];
    s.step = dilation;
    s.count = std::max<int64_t>(0, last - first + 1);
    s.begin = start + first * dilation;
    s.end = s.count > 0 ? start + last * dilation + 1 : s.begin;
  }
  return spans;
}

// Whether every span holds at least one tap (no window lies wholly in the
// padding, which a dilated window can even when each pad < its extent).
inline bool every_span_nonempty(const std::vector<Span>& spans) {
  return std::all_of(spans.begin(), spans.end(), [](const Span& s) { return s.count > 0; });
}

}  // namespace opscope::shapes
