#include "datasets/random_input.h"

#include <cmath>
#include <cstring>
#include <algorithm>
#include <random>
#include <vector>

namespace opscope::datasets {
bool looks_like_image(const Shape& s) {
  if (s.size() != 4) return false;
  const bool nhwc = s[3] >= 1 && s[3] <= 4 && s[1] > 4 && s[2] > 4;
  const bool nchw = (s[1] == 1 || s[1] == 3) && s[2] > 4 && s[3] > 4;
  return nhwc || nchw;
}

ValueRange default_range(const Tensor& t) {
  switch (t.dtype) {
    case DType::kF32:
    case DType::kF16:
      return looks_like_image(t.shape) ? ValueRange{0.0, 1.0}
                                       : ValueRange{-1.0, 1.0};
    case DType::kI8: return {-128, 127};
    case DType::kU8: return {0, 255};
    case DType::kI32:
    case DType::kI64: return {0, 15};
    case DType::kBool: return {0, 1};
  }
  return {};
}

void fill_random(const Tensor& t, uint64_t seed, ValueRange range, void* out) {
  std::mt19937_64 rng(seed);
  const int64_t n = t.elements();
  // A double in [0, 1) from the top 53 bits: identical on every platform.
  auto unit = [&] { return static_cast<double>(rng() >> 11) * 0x1p-53; };
  auto integer = [&] {
    const double v = std::floor(range.min + unit() * (range.max - range.min + 1));
    return std::min(v, range.max);
  };
  for (int64_t i = 0; i < n; ++i) {
    switch (t.dtype) {
      case DType::kF32: {
        const float v = static_cast<float>(range.min + unit() * (range.max - range.min));
        std::memcpy(static_cast<char*>(out) + i * 4, &v, 4);
        break;
      }
      case DType::kF16: {  // not expected as a graph input; zero it
        std::memset(static_cast<char*>(out) + i * 2, 0, 2);
        break;
      }
      case DType::kI8:
        static_cast<int8_t*>(out)[i] = static_cast<int8_t>(integer());
        break;
      case DType::kU8:
      case DType::kBool:
        static_cast<uint8_t*>(out)[i] = static_cast<uint8_t>(integer());
        break;
      case DType::kI32:
        static_cast<int32_t*>(out)[i] = static_cast<int32_t>(integer());
        break;
      case DType::kI64:
        static_cast<int64_t*>(out)[i] = static_cast<int64_t>(integer());
        break;
    }
  }
}

void fill_smooth_random(const Tensor& t, uint64_t seed, ValueRange range, void* out,
                        int cells) {
  const Shape& s = t.shape;
  const bool nhwc = t.dtype == DType::kF32 && s.size() == 4 && s[3] >= 1 && s[3] <= 4 &&
                    s[1] > 1 && s[2] > 1;
  if (!nhwc || cells < 1) {
    fill_random(t, seed, range, out);
    return;
  }
  const int64_t n = s[0], h = s[1], w = s[2], c = s[3];
  std::mt19937_64 rng(seed);
  const int g = cells + 1;
  std::vector<double> grid(static_cast<size_t>(n * g * g * c));
  for (double& v : grid) {
    v = range.min + static_cast<double>(rng() >> 11) * 0x1p-53 * (range.max - range.min);
  }
  float* dst = static_cast<float*>(out);
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t y = 0; y < h; ++y) {
      const double gy = static_cast<double>(y) / static_cast<double>(h - 1) * cells;
      const int64_t y0 = std::min<int64_t>(static_cast<int64_t>(gy), cells - 1);
      const double fy = gy - static_cast<double>(y0);
      for (int64_t x = 0; x < w; ++x) {
        const double gx = static_cast<double>(x) / static_cast<double>(w - 1) * cells;
        const int64_t x0 = std::min<int64_t>(static_cast<int64_t>(gx), cells - 1);
        const double fx = gx - static_cast<double>(x0);
        for (int64_t ch = 0; ch < c; ++ch) {
          auto at = [&](int64_t yy, int64_t xx) {
            return grid[static_cast<size_t>(((b * g + yy) * g + xx) * c + ch)];
          };
          const double top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx;
          const double bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx;
          dst[((b * h + y) * w + x) * c + ch] = static_cast<float>(top * (1 - fy) + bottom * fy);
        }
      }
    }
  }
}

}  // namespace opscope::datasets
