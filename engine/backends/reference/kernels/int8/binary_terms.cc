// binary_terms.h. Built with -ffp-contract=off (engine/CMakeLists.txt).
#include "engine/backends/reference/kernels/int8/binary_terms.h"

#include <algorithm>
#include <cmath>

namespace opscope::reference::int8 {

BinaryTerms binary_terms(BinaryKind kind, const QParams& qa, const QParams& qb,
                         const QParams& qy, Requantization requantization) {
  BinaryTerms t;
  if (kind == BinaryKind::kMul) {
    t.y_mult = quantize_multiplier(static_cast<double>(qa.scale) * static_cast<double>(qb.scale) /
                                   static_cast<double>(qy.scale));
  } else {
    const double twice_max = 2.0 * std::max(qa.scale, qb.scale);
    t.a_mult = quantize_multiplier(qa.scale / twice_max);
    t.b_mult = quantize_multiplier(qb.scale / twice_max);
    t.y_mult = quantize_multiplier(twice_max /
                                   (static_cast<double>(1 << kAddLeftShift) * qy.scale));
  }
  t.float_mode = is_float_requantization(requantization);
  if (!t.float_mode) return t;
  t.offset = requantization == Requantization::kFloatUint8 ? 128 : 0;
  const float za = static_cast<float>(qa.zero_point + t.offset);
  const float zb = static_cast<float>(qb.zero_point + t.offset);
  const float zy = static_cast<float>(qy.zero_point + t.offset);
  switch (kind) {
    case BinaryKind::kAdd: {
      t.ra = qa.scale / qy.scale;
      t.rb = qb.scale / qy.scale;
      const float zb_term = t.rb * zb;
      t.fixed = zy - std::fma(t.ra, za, zb_term);
      break;
    }
    case BinaryKind::kMul:
      t.ra = (qa.scale * qb.scale) / qy.scale;
      t.fixed = zy;
      break;
    case BinaryKind::kSub:
      t.sa = qa.scale;
      t.sb = qb.scale;
      t.sy = qy.scale;
      break;
  }
  return t;
}

}  // namespace opscope::reference::int8
