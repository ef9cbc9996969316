// Weight packing, ISA dispatch, the portable microkernel and the thread
// split of the native int8 GEMM (qgemm.h).
#include "engine/backends/native/qgemm.h"

#include <algorithm>
#include <cstring>

#include "engine/backends/native/qgemm_requant.h"

#if OPSCOPE_WITH_XNNPACK
#include <pthreadpool.h>
#endif

namespace opscope::native {

void QGemm::pack(int64_t n, int64_t k, const int8_t* w, int32_t a_zero_point,
                 const reference::int8::ChannelOutput& out) {
  n_ = n;
  k_ = k;
  kp_ = round_up(std::max<int64_t>(k, 1), 4);
  const int64_t np = round_up(n, kQGemmNr);
  packed_.assign(static_cast<size_t>(np * kp_), 0);
  for (int64_t j = 0; j < n; ++j) {
    int8_t* panel = packed_.data() + (j / kQGemmNr) * kp_ * kQGemmNr;
    const int64_t col = j % kQGemmNr;
    for (int64_t p = 0; p < k; ++p) {
      panel[(p / 4) * kQGemmNr * 4 + col * 4 + p % 4] = w[j * k + p];
    }
  }
  rq_ = QGemmRequant{};
  rq_.bias.assign(static_cast<size_t>(np), 0);
  rq_.multiplier.assign(static_cast<size_t>(np), 0);
  rq_.left_shift.assign(static_cast<size_t>(np), 0);
  rq_.right_shift.assign(static_cast<size_t>(np), 0);
  rq_.rmask.assign(static_cast<size_t>(np), 0);
  rq_.rhalf.assign(static_cast<size_t>(np), 0);
#if defined(__aarch64__)
  rq_.bias_s8.assign(static_cast<size_t>(np), 0);
#endif
  rq_.output_zp = out.output_zero_point();
  rq_.min = out.range().min;
  rq_.max = out.range().max;
  const auto& mults = out.multipliers();
  const auto& bias = out.bias();
  const int64_t fold = 128 + static_cast<int64_t>(a_zero_point);
  for (int64_t j = 0; j < n; ++j) {
    int64_t colsum = 0;
    for (int64_t p = 0; p < k; ++p) colsum += w[j * k + p];
    // bias - (128 + zp) * colsum, modulo 2^32 (see qgemm.h).
    const uint64_t folded = static_cast<uint64_t>(static_cast<uint32_t>(bias[j])) -
                            static_cast<uint64_t>(fold * colsum);
    rq_.bias[j] = static_cast<int32_t>(static_cast<uint32_t>(folded));
#if defined(__aarch64__)
    // bias - zp * colsum, modulo 2^32, for the signed-byte sums of sdot.
    const uint64_t signed_fold =
        static_cast<uint64_t>(static_cast<uint32_t>(bias[j])) -
        static_cast<uint64_t>(static_cast<int64_t>(a_zero_point) * colsum);
    rq_.bias_s8[j] = static_cast<int32_t>(static_cast<uint32_t>(signed_fold));
#endif
    rq_.multiplier[j] = mults[j].multiplier;
    const int left = mults[j].shift > 0 ? mults[j].shift : 0;
    const int right = mults[j].shift > 0 ? 0 : -mults[j].shift;
    rq_.left_shift[j] = left;
    rq_.right_shift[j] = right;
    const auto mask = static_cast<int32_t>((int64_t{1} << right) - 1);
    rq_.rmask[j] = mask;
    rq_.rhalf[j] = mask >> 1;
    rq_.any_left_shift = rq_.any_left_shift || left > 0;
  }
  rq_.float_mode = out.requantization() == Requantization::kFloat;
  if (rq_.float_mode) {
    rq_.float_scale.assign(static_cast<size_t>(np), 0.0f);
    for (int64_t j = 0; j < n; ++j) rq_.float_scale[j] = out.float_scales()[j];
  }
  // The one-rounding form (qgemm.h), where every channel allows it.
  rq_.short_form = !rq_.float_mode;
  for (int64_t j = 0; j < n; ++j) {
    rq_.short_form = rq_.short_form &&
                     fits_short_form(rq_.multiplier[j], rq_.left_shift[j], rq_.right_shift[j]);
  }
  rq_.short_relu = rq_.short_form && rq_.min >= rq_.output_zp;
  if (rq_.short_form) {
    rq_.short_add.assign(static_cast<size_t>(np), 0);
    rq_.short_neg.assign(static_cast<size_t>(np), 0);
    rq_.short_shift.assign(static_cast<size_t>(np), 31);
    for (int64_t j = 0; j < np; ++j) {
      const int64_t at = (j / kQGemmNr) * kQGemmNr + (j % 2) * (kQGemmNr / 2) + (j % kQGemmNr) / 2;
      const ShortTerms t = short_terms(rq_.right_shift[j], rq_.output_zp);
      rq_.short_add[at] = t.add;
      rq_.short_neg[at] = t.neg;
      rq_.short_shift[at] = t.shift;
    }
  }
}

void QGemm::run(Isa isa, const QGemmBlock& block) const {
  QGemmArgs args;
  args.block = block;
  args.kp = kp_;
  args.packed = packed_.data();
  args.rq = &rq_;
  switch (isa) {
#if defined(__x86_64__)
    case Isa::kAvx512Vnni: qgemm_block_avx512vnni(args); return;
    case Isa::kAvxVnni: qgemm_block_avxvnni(args); return;
    case Isa::kAvx2: qgemm_block_avx2(args); return;
#endif
#if defined(__aarch64__)
    case Isa::kNeonDot: qgemm_block_neondot(args); return;
#endif
    default: qgemm_block_portable(args); return;
  }
}

void qgemm_block_portable(const QGemmArgs& args) {
  const QGemmBlock& b = args.block;
  const int64_t groups = args.kp / 4;
  for (int64_t i = 0; i < b.m; ++i) {
    const auto* a = reinterpret_cast<const uint8_t*>(b.a + i * b.lda);
    for (int64_t n0 = b.n0; n0 < b.n1; n0 += kQGemmNr) {
      const int8_t* panel = args.packed + (n0 / kQGemmNr) * args.kp * kQGemmNr;
      int32_t acc[kQGemmNr] = {};
      for (int64_t g = 0; g < groups; ++g) {
        const int8_t* w = panel + g * kQGemmNr * 4;
        const int32_t u0 = a[4 * g] ^ 0x80, u1 = a[4 * g + 1] ^ 0x80;
        const int32_t u2 = a[4 * g + 2] ^ 0x80, u3 = a[4 * g + 3] ^ 0x80;
        for (int64_t j = 0; j < kQGemmNr; ++j) {
          acc[j] += u0 * w[4 * j] + u1 * w[4 * j + 1] + u2 * w[4 * j + 2] + u3 * w[4 * j + 3];
        }
      }
      const int64_t nc = std::min(kQGemmNr, b.n1 - n0);
      int8_t* y = b.y + i * b.ldy + n0;
      for (int64_t j = 0; j < nc; ++j) y[j] = requantize_one(acc[j], *args.rq, n0 + j);
    }
  }
}

namespace {

struct RangeTask {
  RangeFn fn;
  void* context;
  int64_t count, per;
};

void run_range_task(void* p, size_t task) {
  const auto* t = static_cast<const RangeTask*>(p);
  const int64_t begin = static_cast<int64_t>(task) * t->per;
  const int64_t end = std::min(t->count, begin + t->per);
  if (begin < end) t->fn(t->context, static_cast<int64_t>(task), begin, end);
}

}  // namespace

void parallel_ranges(void* threadpool, int threads, int64_t count, int64_t grain,
                     RangeFn fn, void* context) {
  if (count <= 0) return;
  grain = std::max<int64_t>(1, grain);
  const int64_t grains = (count + grain - 1) / grain;
  const int64_t tasks = std::max<int64_t>(1, std::min<int64_t>(threads, grains));
  RangeTask t{fn, context, count, (grains + tasks - 1) / tasks * grain};
#if OPSCOPE_WITH_XNNPACK
  if (threadpool != nullptr && tasks > 1) {
    pthreadpool_parallelize_1d(static_cast<pthreadpool_t>(threadpool), run_range_task, &t,
                               static_cast<size_t>(tasks), 0);
    return;
  }
#else
  (void)threadpool;
#endif
  for (int64_t task = 0; task < tasks; ++task) run_range_task(&t, static_cast<size_t>(task));
}

}  // namespace opscope::native
