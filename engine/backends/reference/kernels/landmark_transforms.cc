// MediaPipe's landmark-crop ops (op_kind.h), f32, as MediaPipe's CPU
// kernels compute them (version 2 of each custom op). The shape rules
// (landmark_transform_shapes.cc, run again by each prepare) check every
// index and size.
//
// The matrix M is 4x4 row-major; only its first two rows act on a point
// (x, y, 0, 1): x' = M00 x + M01 y + M03, y' = M10 x + M11 y + M13.
#include <cmath>
#include <cstdint>
#include <memory>

#include "engine/backends/reference/kernels/kernels.h"
#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference {
namespace {

// The first two rows of M as affine maps of a point.
struct Affine2D {
  double xx, xy, xc;  // x' = xx x + xy y + xc
  double yx, yy, yc;  // y' = yx x + yy y + yc

  explicit Affine2D(const float* m)
      : xx(m[0]), xy(m[1]), xc(m[3]), yx(m[4]), yy(m[5]), yc(m[7]) {}
};

// LANDMARKS_TO_TRANSFORM_MATRIX. With r = target - angle(left -> right),
// the subset is rotated by r, its bounding box taken there, and the matrix
// is  T(centre) · R(-r) · S(scale · box / size) · T(-size / 2),  centre the
// box's middle rotated back by -r.
class LandmarksToTransformMatrixKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(shapes::landmarks_to_transform_matrix(ctx));
    OPSCOPE_ASSIGN_OR_RETURN(a_, shapes::node_attrs<LandmarksToMatrixAttrs>(ctx));
    x_id_ = ctx.input_id(0);
    y_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const float* p = ctx.data<const float>(x_id_);
    const auto px = [&](int32_t i) { return static_cast<double>(p[3 * i]); };
    const auto py = [&](int32_t i) { return static_cast<double>(p[3 * i + 1]); };
    const double r = a_.target_rotation_radians -
                     std::atan2(py(a_.right_rotation_idx) - py(a_.left_rotation_idx),
                                px(a_.right_rotation_idx) - px(a_.left_rotation_idx));
    const double c = std::cos(r), s = std::sin(r);
    double min_x = INFINITY, min_y = INFINITY, max_x = -INFINITY, max_y = -INFINITY;
    for (int32_t i : a_.subset) {
      const double rx = c * px(i) - s * py(i);
      const double ry = s * px(i) + c * py(i);
      min_x = std::fmin(min_x, rx);
      max_x = std::fmax(max_x, rx);
      min_y = std::fmin(min_y, ry);
      max_y = std::fmax(max_y, ry);
    }
    const double mid_x = (min_x + max_x) / 2, mid_y = (min_y + max_y) / 2;
    // The middle rotated back by -r: (cos -r, -sin -r; sin -r, cos -r).
    const double centre_x = c * mid_x + s * mid_y;
    const double centre_y = -s * mid_x + c * mid_y;
    const double w = a_.output_width, h = a_.output_height;
    const double sx = a_.scale_x * (max_x - min_x) / w;
    const double sy = a_.scale_y * (max_y - min_y) / h;
    // R(-r) = (c, s; -s, c); then scale the columns, then shift by -size/2.
    const double m00 = c * sx, m01 = s * sy;
    const double m10 = -s * sx, m11 = c * sy;
    const double t0 = centre_x - m00 * w / 2 - m01 * h / 2;
    const double t1 = centre_y - m10 * w / 2 - m11 * h / 2;
    const double m[16] = {m00, m01, 0, t0, m10, m11, 0, t1, 0, 0, 1, 0, 0, 0, 0, 1};
    float* y = ctx.data<float>(y_id_);
    for (int k = 0; k < 16; ++k) y[k] = static_cast<float>(m[k]);
  }

 private:
  LandmarksToMatrixAttrs a_;
  int x_id_ = -1, y_id_ = -1;
};

// TRANSFORM_TENSOR_BILINEAR (version 2: pixel centres, so M is corrected
// to S · M · A with A = T(+0.5) and S = T(-0.5) on x and y).
class TransformTensorBilinearKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(shapes::transform_tensor_bilinear(ctx));
    const Shape& in = ctx.input(0).shape;
    const Shape& out = ctx.output(0).shape;
    in_h_ = in[1];
    in_w_ = in[2];
    channels_ = in[3];
    out_h_ = out[1];
    out_w_ = out[2];
    x_id_ = ctx.input_id(0);
    m_id_ = ctx.input_id(1);
    y_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const float* x = ctx.data<const float>(x_id_);
    Affine2D t(ctx.data<const float>(m_id_));
    t.xc += (t.xx + t.xy - 1) * 0.5;
    t.yc += (t.yx + t.yy - 1) * 0.5;
    float* y = ctx.data<float>(y_id_);
    const auto at = [&](int64_t row, int64_t col, int64_t ch) -> double {
      if (row < 0 || col < 0 || row >= in_h_ || col >= in_w_) return 0;
      return x[(row * in_w_ + col) * channels_ + ch];
    };
    for (int64_t oy = 0; oy < out_h_; ++oy) {
      for (int64_t ox = 0; ox < out_w_; ++ox) {
        const double sx = t.xx * ox + t.xy * oy + t.xc;
        const double sy = t.yx * ox + t.yy * oy + t.yc;
        float* dst = y + (oy * out_w_ + ox) * channels_;
        // Written so NaN lands outside too.
        if (!(sx >= 0 && sx <= in_w_ - 1 && sy >= 0 && sy <= in_h_ - 1)) {
          for (int64_t ch = 0; ch < channels_; ++ch) dst[ch] = 0;
          continue;
        }
        const double fx = std::floor(sx), fy = std::floor(sy);
        const auto col = static_cast<int64_t>(fx), row = static_cast<int64_t>(fy);
        const double right = sx - fx, lower = sy - fy;
        for (int64_t ch = 0; ch < channels_; ++ch) {
          const double upper_v = (1 - right) * at(row, col, ch) + right * at(row, col + 1, ch);
          const double lower_v =
              (1 - right) * at(row + 1, col, ch) + right * at(row + 1, col + 1, ch);
          dst[ch] = static_cast<float>(lower * lower_v + (1 - lower) * upper_v);
        }
      }
    }
  }

 private:
  int64_t in_h_ = 0, in_w_ = 0, channels_ = 0, out_h_ = 0, out_w_ = 0;
  int x_id_ = -1, m_id_ = -1, y_id_ = -1;
};

// TRANSFORM_LANDMARKS: each landmark's (x, y) through M; z (when there is
// one) copied.
class TransformLandmarksKernel final : public Kernel {
 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(shapes::transform_landmarks(ctx));
    const Shape& in = ctx.input(0).shape;
    count_ = in[1];
    dims_ = in[2];
    x_id_ = ctx.input_id(0);
    m_id_ = ctx.input_id(1);
    y_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const float* x = ctx.data<const float>(x_id_);
    const Affine2D t(ctx.data<const float>(m_id_));
    float* y = ctx.data<float>(y_id_);
    for (int64_t i = 0; i < count_; ++i) {
      const float* p = x + i * dims_;
      float* q = y + i * dims_;
      const double px = p[0], py = p[1];
      const float z = dims_ == 3 ? p[2] : 0.0f;  // read before q may overwrite p
      q[0] = static_cast<float>(t.xx * px + t.xy * py + t.xc);
      q[1] = static_cast<float>(t.yx * px + t.yy * py + t.yc);
      if (dims_ == 3) q[2] = z;
    }
  }

 private:
  int64_t count_ = 0, dims_ = 2;
  int x_id_ = -1, m_id_ = -1, y_id_ = -1;
};

}  // namespace

std::unique_ptr<Kernel> make_landmarks_to_transform_matrix() {
  return std::make_unique<LandmarksToTransformMatrixKernel>();
}
std::unique_ptr<Kernel> make_transform_tensor_bilinear() {
  return std::make_unique<TransformTensorBilinearKernel>();
}
std::unique_ptr<Kernel> make_transform_landmarks() {
  return std::make_unique<TransformLandmarksKernel>();
}

}  // namespace opscope::reference
