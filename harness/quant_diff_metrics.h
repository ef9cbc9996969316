// The numbers of `opscope quant-diff`: error of a dequantized int8 tensor
// against its float original, and the label-free task metrics that say
// whether the int8 model still does the float model's job.
//
// Every accumulator is fed sample by sample (one invoke's tensor at a time)
// and pools over all samples: sums in double, so the figures do not depend
// on how many samples there are or on their order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace opscope::harness {

// SNR and cosine are capped at these when the error (or the signal) is
// exactly zero, so that every figure is a finite number (JSON, the store).
inline constexpr double kSnrCapDb = 200.0;

// Error of `q` (the dequantized int8 values) against `f` (the float ones).
struct ErrorStats {
  int64_t count = 0;
  double sum_f2 = 0, sum_q2 = 0, sum_fq = 0, sum_err2 = 0, max_abs = 0;

  void add(const float* f, const float* q, size_t n);
  // 10·log10(Σf² / Σ(f−q)²), within ±kSnrCapDb (+cap: no error at all).
  double snr_db() const;
  // Σfq / √(Σf²·Σq²); 1 when both are all zeros, 0 when only one is.
  double cosine() const;
  // √(mean (f−q)²).
  double rmse() const;
  double max_abs_error() const { return max_abs; }
};

// Task metrics, each a pooled accumulator over samples.

// Segmentation: pixels above `threshold` in the float mask vs the int8 one.
// IoU = |F ∩ Q| / |F ∪ Q| over all pixels of all samples; 1 when both
// masks are empty everywhere.
struct MaskIou {
  double threshold = 0.5;
  int64_t intersection = 0, union_ = 0, float_pixels = 0, int8_pixels = 0;

  void add(const float* f, const float* q, size_t n);
  double iou() const;
};

// Detection: per anchor, score = sigmoid(value) when the output holds logits
// (MediaPipe's classificators), the value itself otherwise; an anchor
// "detects" when its score >= threshold. Agreement = |anchors detecting in
// both| / |anchors detecting in either| over all samples (1 when neither
// model detects anything); max_score_diff = max over anchors of
// |score_float − score_int8|.
struct ScoreAgreement {
  double threshold = 0.5;
  bool logits = true;
  int64_t both = 0, either = 0, float_detections = 0, int8_detections = 0;
  double max_score_diff = 0;

  void add(const float* f, const float* q, size_t n);
  double agreement() const;
};

// Landmarks: `n` values as points of `dims` coordinates (x, y[, z]) in
// pixels of the model input; RMSE of the 2-D (x, y) distance between float
// and int8 points: √(Σ (dx² + dy²) / points).
struct LandmarkRmse {
  int dims = 3;
  double sum_d2 = 0;
  int64_t points = 0;

  void add(const float* f, const float* q, size_t n);
  double rmse() const;
};

// Classification: the share of samples whose arg-max class is the same.
struct Top1Agreement {
  int64_t agree = 0, samples = 0;

  void add(const float* f, const float* q, size_t n);
  double agreement() const;
};

// The first index of the largest value (n > 0).
size_t arg_max(const float* v, size_t n);

}  // namespace opscope::harness
