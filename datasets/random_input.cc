#include "datasets/random_input.h"

#include <cmath>
#include <cstring>
#include <random>

namespace opscope::datasets {
namespace {

bool looks_like_image(const Shape& s) {
  if (s.size() != 4) return false;
  const bool nhwc = s[3] >= 1 && s[3] <= 4 && s[1] > 4 && s[2] > 4;
  const bool nchw = (s[1] == 1 || s[1] == 3) && s[2] > 4 && s[3] > 4;
  return nhwc || nchw;
}

}  // namespace

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

}  // namespace opscope::datasets
