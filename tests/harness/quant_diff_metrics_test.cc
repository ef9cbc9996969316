// quant-diff's metric functions against naive double loops written out here
// from the definitions (docs/quantization.md "quant-diff"), on seeded random
// data fed in several chunks (the accumulators pool over samples).
#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "harness/quant_diff_metrics.h"

namespace opscope::harness {
namespace {

struct Data {
  std::vector<float> f, q;
};

// q = f + noise, with a few exact zeros in both.
Data make_data(size_t n, float noise, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> x(0.3f, 2.0f), e(0.0f, noise);
  Data d;
  for (size_t i = 0; i < n; ++i) {
    const float v = i % 17 == 0 ? 0.0f : x(rng);
    d.f.push_back(v);
    d.q.push_back(i % 17 == 0 ? 0.0f : v + e(rng));
  }
  return d;
}

// Feeds [0, n) in chunks of `chunk` (the last one shorter).
template <typename Acc>
void feed(Acc& acc, const Data& d, size_t chunk) {
  for (size_t i = 0; i < d.f.size(); i += chunk) {
    const size_t len = std::min(chunk, d.f.size() - i);
    acc.add(d.f.data() + i, d.q.data() + i, len);
  }
}

TEST(QuantDiffMetrics, ErrorStatsMatchNaiveDefinitions) {
  const Data d = make_data(10007, 0.05f, 7);
  ErrorStats s;
  feed(s, d, 1000);
  double sf = 0, sq = 0, sfq = 0, se = 0, mx = 0;
  for (size_t i = 0; i < d.f.size(); ++i) {
    const double a = d.f[i], b = d.q[i];
    sf += a * a;
    sq += b * b;
    sfq += a * b;
    se += (a - b) * (a - b);
    mx = std::max(mx, std::abs(a - b));
  }
  EXPECT_EQ(s.count, 10007);
  EXPECT_NEAR(s.snr_db(), 10 * std::log10(sf / se), 1e-9);
  EXPECT_NEAR(s.cosine(), sfq / std::sqrt(sf * sq), 1e-12);
  EXPECT_NEAR(s.rmse(), std::sqrt(se / 10007.0), 1e-12);
  EXPECT_DOUBLE_EQ(s.max_abs_error(), mx);
  // Noise 0.05 on a signal of RMS ~2: about 32 dB, so the test data are not degenerate.
  EXPECT_GT(s.snr_db(), 25);
  EXPECT_LT(s.snr_db(), 40);
}

TEST(QuantDiffMetrics, IdealRoundingNoiseIsAboutPoint289OfTheScale) {
  // Values quantized to a grid of step 0.1 and dequantized: RMSE/scale is
  // 1/sqrt(12) ~ 0.2887 for values spread evenly over many steps.
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-6.0f, 6.0f);
  Data d;
  const float scale = 0.1f;
  for (int i = 0; i < 200000; ++i) {
    const float v = u(rng);
    d.f.push_back(v);
    d.q.push_back(scale * std::round(v / scale));
  }
  ErrorStats s;
  feed(s, d, 4096);
  EXPECT_NEAR(s.rmse() / scale, 1.0 / std::sqrt(12.0), 0.003);
}

TEST(QuantDiffMetrics, EdgeCasesAreFiniteAndCapped) {
  const std::vector<float> zeros(8, 0.0f), ones(8, 1.0f);
  ErrorStats same;
  same.add(ones.data(), ones.data(), 8);
  EXPECT_EQ(same.snr_db(), kSnrCapDb);
  EXPECT_EQ(same.cosine(), 1.0);
  ErrorStats both_zero;
  both_zero.add(zeros.data(), zeros.data(), 8);
  EXPECT_EQ(both_zero.snr_db(), kSnrCapDb);
  EXPECT_EQ(both_zero.cosine(), 1.0);
  ErrorStats no_signal;
  no_signal.add(zeros.data(), ones.data(), 8);
  EXPECT_EQ(no_signal.snr_db(), -kSnrCapDb);
  EXPECT_EQ(no_signal.cosine(), 0.0);
  EXPECT_EQ(ErrorStats{}.rmse(), 0.0);
}

TEST(QuantDiffMetrics, MaskIouMatchesNaivePooledCount) {
  Data d = make_data(5000, 0.4f, 11);
  for (float& v : d.f) v = 1.0f / (1.0f + std::exp(-v));
  for (float& v : d.q) v = 1.0f / (1.0f + std::exp(-v));
  MaskIou m;
  feed(m, d, 777);
  int64_t inter = 0, uni = 0;
  for (size_t i = 0; i < d.f.size(); ++i) {
    const bool a = d.f[i] > 0.5, b = d.q[i] > 0.5;
    inter += a && b;
    uni += a || b;
  }
  ASSERT_GT(uni, 0);
  EXPECT_DOUBLE_EQ(m.iou(), static_cast<double>(inter) / uni);
  EXPECT_LT(m.iou(), 1.0);  // the noise flips some pixels
  EXPECT_EQ(MaskIou{}.iou(), 1.0);  // both empty
}

TEST(QuantDiffMetrics, ScoreAgreementMatchesNaiveSigmoidThreshold) {
  const Data d = make_data(2304 * 3, 0.6f, 5);
  ScoreAgreement s;  // logits
  feed(s, d, 2304);
  int64_t both = 0, either = 0, nf = 0, nq = 0;
  double maxd = 0;
  for (size_t i = 0; i < d.f.size(); ++i) {
    const double a = 1 / (1 + std::exp(-static_cast<double>(d.f[i])));
    const double b = 1 / (1 + std::exp(-static_cast<double>(d.q[i])));
    both += a >= 0.5 && b >= 0.5;
    either += a >= 0.5 || b >= 0.5;
    nf += a >= 0.5;
    nq += b >= 0.5;
    maxd = std::max(maxd, std::abs(a - b));
  }
  EXPECT_EQ(s.both, both);
  EXPECT_EQ(s.float_detections, nf);
  EXPECT_EQ(s.int8_detections, nq);
  EXPECT_DOUBLE_EQ(s.agreement(), static_cast<double>(both) / either);
  EXPECT_NEAR(s.max_score_diff, maxd, 1e-12);

  ScoreAgreement probs;
  probs.logits = false;
  const std::vector<float> f = {0.9f, 0.2f, 0.6f}, q = {0.4f, 0.1f, 0.7f};
  probs.add(f.data(), q.data(), 3);
  EXPECT_EQ(probs.both, 1);    // anchor 2
  EXPECT_EQ(probs.either, 2);  // anchors 0 and 2
  EXPECT_NEAR(probs.max_score_diff, 0.5, 1e-6);
}

TEST(QuantDiffMetrics, LandmarkRmseUsesXyDistanceOnly) {
  const Data d = make_data(63 * 4, 1.5f, 9);
  LandmarkRmse r;
  feed(r, d, 63);
  double s = 0;
  int points = 0;
  for (size_t p = 0; p + 3 <= d.f.size(); p += 3) {
    s += std::pow(d.f[p] - d.q[p], 2.0) + std::pow(d.f[p + 1] - d.q[p + 1], 2.0);
    ++points;
  }
  EXPECT_EQ(r.points, 84);
  EXPECT_NEAR(r.rmse(), std::sqrt(s / points), 1e-9);
  // z differences do not count.
  const std::vector<float> a = {10, 20, 0}, b = {13, 24, 100};
  LandmarkRmse z;
  z.add(a.data(), b.data(), 3);
  EXPECT_DOUBLE_EQ(z.rmse(), 5.0);
}

TEST(QuantDiffMetrics, Top1AgreementCountsEqualArgMax) {
  Top1Agreement t;
  const std::vector<float> f1 = {0.1f, 0.7f, 0.2f}, q1 = {0.2f, 0.5f, 0.3f};
  const std::vector<float> f2 = {0.6f, 0.3f, 0.1f}, q2 = {0.3f, 0.6f, 0.1f};
  t.add(f1.data(), q1.data(), 3);
  t.add(f2.data(), q2.data(), 3);
  EXPECT_EQ(t.samples, 2);
  EXPECT_EQ(t.agree, 1);
  EXPECT_DOUBLE_EQ(t.agreement(), 0.5);
  const std::vector<float> tie = {1, 3, 3};
  EXPECT_EQ(arg_max(tie.data(), 3), 1u);  // first of equal maxima
}

}  // namespace
}  // namespace opscope::harness
