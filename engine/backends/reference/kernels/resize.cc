// RESIZE, f32, rank 1-4: ONNX Resize (opsets 10-18, no antialias) with
// ResizeNdAttrs on any axis, following the operator's reference
// implementation:
//   - each axis maps output index x to an input coordinate c (attributes.h);
//   - lo = ceil(c) - 1 and ratio = c - lo, in (0, 1] (an integer c takes
//     ratio 1, so its own pixel is the upper tap);
//   - nearest picks lo or lo + 1 by nearest_mode; linear weighs lo, lo + 1
//     by 1 - ratio, ratio; cubic weighs lo - 1 .. lo + 2 with Keys'
//     coefficients of parameter A (cubic_coeff_a);
//   - taps outside the input read the edge pixel, or with exclude_outside
//     weigh 0 and the others are renormalized to sum 1;
//   - tf_crop_and_resize gives extrapolation_value where any axis's
//     coordinate falls outside [0, in - 1].
// The axes are separable: output = sum over taps of the product of the
// per-axis weights. Coordinates and weights are computed once in prepare,
// in double (as the ONNX reference does), into per-axis tap tables; run
// walks the output rows of the innermost axis.
#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <variant>
#include <vector>

#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"
#include "engine/backends/reference/kernels/kernels.h"

namespace opscope::reference {
namespace {

constexpr int kRank = 4;  // inputs of lower rank get leading 1s
constexpr int kMaxTaps = 4;

// Where one output index along one axis reads the input.
struct AxisTaps {
  std::array<int64_t, kMaxTaps> index{};
  std::array<float, kMaxTaps> weight{};
  int count = 0;         // taps with a non-zero weight
  bool outside = false;  // tf_crop_and_resize beyond the input: extrapolate
};

// The input coordinate output index `x` samples along an axis of `in`
// elements (attributes.h gives the formulas).
double source_coordinate(const ResizeNdAttrs& a, int axis, int64_t in, double x) {
  const double scale = a.scales[axis];
  const double out_len = scale * static_cast<double>(in);  // ONNX: not floored
  const double last = static_cast<double>(in - 1);
  switch (a.coordinates) {
    case ResizeCoordinates::kHalfPixel: return (x + 0.5) / scale - 0.5;
    case ResizeCoordinates::kPytorchHalfPixel:
      return out_len == 1.0 ? -0.5 : (x + 0.5) / scale - 0.5;
    case ResizeCoordinates::kAlignCorners:
      return out_len == 1.0 ? 0.0 : x * last / (out_len - 1.0);
    case ResizeCoordinates::kAsymmetric: return x / scale;
    case ResizeCoordinates::kTfHalfPixelForNn: return (x + 0.5) / scale;
    case ResizeCoordinates::kTfCropAndResize: {
      const double start = a.roi_start[axis], end = a.roi_end[axis];
      const double c = out_len == 1.0 ? (end - start) * last / 2.0
                                      : x * (end - start) * last / (out_len - 1.0);
      return c + start * last;
    }
  }
  return x;
}

// Keys' cubic convolution weights of taps lo-1, lo, lo+1, lo+2 for a
// coordinate r = c - lo in (0, 1], as in the ONNX reference (A = -0.75
// matches PyTorch, -0.5 TensorFlow).
std::array<double, 4> cubic_weights(double r, double A) {
  const double s = 1.0 - r;
  return {((A * (r + 1) - 5 * A) * (r + 1) + 8 * A) * (r + 1) - 4 * A,
          ((A + 2) * r - (A + 3)) * r * r + 1,
          ((A + 2) * s - (A + 3)) * s * s + 1,
          ((A * (s + 1) - 5 * A) * (s + 1) + 8 * A) * (s + 1) - 4 * A};
}

// Index of the tap nearest mode picks: lo or lo + 1.
int64_t nearest_tap(NearestRounding rounding, int64_t lo, double ratio) {
  if (ratio == 1.0) return lo + 1;  // an integer coordinate is its own pixel
  switch (rounding) {
    case NearestRounding::kRoundPreferFloor: return ratio <= 0.5 ? lo : lo + 1;
    case NearestRounding::kRoundPreferCeil: return ratio < 0.5 ? lo : lo + 1;
    case NearestRounding::kFloor: return lo;
    case NearestRounding::kCeil: return lo + 1;
  }
  return lo;
}

AxisTaps taps_at(const ResizeNdAttrs& a, int axis, int64_t in, int64_t x) {
  AxisTaps t;
  double c = source_coordinate(a, axis, in, static_cast<double>(x));
  const double last = static_cast<double>(in - 1);
  if (a.coordinates == ResizeCoordinates::kTfCropAndResize && !(c >= 0.0 && c <= last)) {
    t.outside = true;
    return t;
  }
  // Beyond a few pixels outside every tap reads the edge anyway; the clamp
  // keeps ceil() of a pathological coordinate within int64.
  c = std::clamp(c, -8.0, last + 8.0);
  const int64_t lo = static_cast<int64_t>(std::ceil(c)) - 1;
  const double ratio = c - static_cast<double>(lo);
  std::array<int64_t, kMaxTaps> idx{};
  std::array<double, kMaxTaps> w{};
  int n = 0;
  switch (a.mode) {
    case ResizeMode::kNearest:
      idx[0] = nearest_tap(a.nearest, lo, ratio);
      w[0] = 1.0;
      n = 1;
      break;
    case ResizeMode::kLinear:
      idx = {lo, lo + 1};
      w = {1.0 - ratio, ratio};
      n = 2;
      break;
    case ResizeMode::kCubic: {
      idx = {lo - 1, lo, lo + 1, lo + 2};
      const auto cw = cubic_weights(ratio, a.cubic_coeff_a);
      std::copy(cw.begin(), cw.end(), w.begin());
      n = 4;
      break;
    }
  }
  if (a.exclude_outside && n > 1) {
    double sum = 0.0;
    for (int i = 0; i < n; ++i) {
      if (idx[i] < 0 || idx[i] > in - 1) w[i] = 0.0;
      sum += w[i];
    }
    // Every tap outside happens only far outside the input: take the edge.
    if (sum == 0.0) {
      idx[0] = std::clamp<int64_t>(lo, 0, in - 1);
      w[0] = 1.0;
      n = 1;
      sum = 1.0;
    }
    for (int i = 0; i < n; ++i) w[i] /= sum;
  }
  for (int i = 0; i < n; ++i) {
    if (w[i] == 0.0) continue;
    t.index[t.count] = std::clamp<int64_t>(idx[i], 0, in - 1);
    t.weight[t.count] = static_cast<float>(w[i]);
    ++t.count;
  }
  return t;
}

class Resize final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(1, 1));
    OPSCOPE_RETURN_IF_ERROR(shapes::expect_one_output(ctx));
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_dtype(0, DType::kF32));
    // The attribute and size checks, and the output's shape.
    OPSCOPE_RETURN_IF_ERROR(shapes::resize(ctx));
    const ResizeNdAttrs& a = std::get<ResizeNdAttrs>(ctx.node().attrs);
    const Shape& in = ctx.input(0).shape;
    const int rank = static_cast<int>(in.size());
    const int lead = kRank - rank;
    for (int d = 0; d < kRank; ++d) {
      in_[d] = d < lead ? 1 : in[d - lead];
      out_[d] = d < lead ? 1 : a.output_shape[d - lead];
      taps_[d].clear();
      for (int64_t x = 0; x < out_[d]; ++x) {
        taps_[d].push_back(d < lead ? AxisTaps{{0}, {1.0f}, 1, false}
                                    : taps_at(a, d - lead, in_[d], x));
      }
    }
    inner_identity_ = in_[3] == out_[3];
    for (int64_t x = 0; inner_identity_ && x < out_[3]; ++x) {
      const AxisTaps& t = taps_[3][x];
      inner_identity_ = !t.outside && t.count == 1 && t.index[0] == x && t.weight[0] == 1.0f;
    }
    extrapolation_ = a.extrapolation_value;
    input_id_ = ctx.input_id(0);
    output_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const float* x = ctx.data<const float>(input_id_);
    float* y = ctx.data<float>(output_id_);
    for (int64_t o0 = 0; o0 < out_[0]; ++o0) {
      const AxisTaps& t0 = taps_[0][o0];
      for (int64_t o1 = 0; o1 < out_[1]; ++o1) {
        const AxisTaps& t1 = taps_[1][o1];
        for (int64_t o2 = 0; o2 < out_[2]; ++o2) {
          const AxisTaps& t2 = taps_[2][o2];
          float* dst = y + ((o0 * out_[1] + o1) * out_[2] + o2) * out_[3];
          if (t0.outside || t1.outside || t2.outside) {
            std::fill(dst, dst + out_[3], extrapolation_);
            continue;
          }
          std::fill(dst, dst + out_[3], 0.0f);
          for (int i = 0; i < t0.count; ++i) {
            for (int j = 0; j < t1.count; ++j) {
              for (int k = 0; k < t2.count; ++k) {
                const float w = t0.weight[i] * t1.weight[j] * t2.weight[k];
                const float* src =
                    x + ((t0.index[i] * in_[1] + t1.index[j]) * in_[2] + t2.index[k]) * in_[3];
                accumulate_row(w, src, dst);
              }
            }
          }
          if (inner_identity_) continue;
          for (int64_t o3 = 0; o3 < out_[3]; ++o3) {
            if (taps_[3][o3].outside) dst[o3] = extrapolation_;
          }
        }
      }
    }
  }

 private:
  // Validates what the importer fixed at load (a reader bug otherwise).
  // dst[c] += w * (input row resampled along the innermost axis).
  void accumulate_row(float w, const float* src, float* dst) const {
    if (inner_identity_) {
      for (int64_t c = 0; c < out_[3]; ++c) dst[c] += w * src[c];
      return;
    }
    for (int64_t c = 0; c < out_[3]; ++c) {
      const AxisTaps& t = taps_[3][c];
      float v = 0.0f;
      for (int l = 0; l < t.count; ++l) v += t.weight[l] * src[t.index[l]];
      dst[c] += w * v;
    }
  }

  int input_id_ = -1;
  int output_id_ = -1;
  std::array<int64_t, kRank> in_{}, out_{};
  std::array<std::vector<AxisTaps>, kRank> taps_;  // per axis, per output index
  bool inner_identity_ = false;  // the innermost axis is copied as is
  float extrapolation_ = 0.0f;
};

}  // namespace

std::unique_ptr<Kernel> make_resize_f32() { return std::make_unique<Resize>(); }

}  // namespace opscope::reference
