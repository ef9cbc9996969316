// MEAN, REDUCE_MAX and the other reductions of op_kind.h, f32: (input, axes
// i32/i64 const) with ReduceAttrs.
// Axes may be negative and repeat; an empty axes tensor reduces nothing.
// Sums accumulate in double, so a mean over millions of elements keeps full
// float accuracy. Reducing over an empty axis gives NaN (mean) or -inf (max).
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "engine/shapes/int_params.h"
#include "engine/backends/reference/kernels/kernels.h"
#include "engine/backends/reference/kernels/reduce_runs.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::reference {
namespace {

struct MeanReducer {
  using Acc = double;
  static Acc init() { return 0.0; }
  static void add(Acc& acc, float x) { acc += x; }
  static float finish(Acc acc, int64_t count) {
    return static_cast<float>(acc / static_cast<double>(count));
  }
};

struct MaxReducer {
  using Acc = float;
  static Acc init() { return -std::numeric_limits<float>::infinity(); }
  static void add(Acc& acc, float x) { acc = x > acc ? x : acc; }
  static float finish(Acc acc, int64_t) { return acc; }
};

struct MinReducer {
  using Acc = float;
  static Acc init() { return std::numeric_limits<float>::infinity(); }
  static void add(Acc& acc, float x) { acc = x < acc ? x : acc; }
  static float finish(Acc acc, int64_t) { return acc; }
};

// Sums and products in double (a product of many values near 1 keeps
// float accuracy; overflow to inf happens where float's would).
struct SumReducer {
  using Acc = double;
  static Acc init() { return 0.0; }
  static void add(Acc& acc, float x) { acc += x; }
  static float finish(Acc acc, int64_t) { return static_cast<float>(acc); }
};

struct ProdReducer {
  using Acc = double;
  static Acc init() { return 1.0; }
  static void add(Acc& acc, float x) { acc *= x; }
  static float finish(Acc acc, int64_t) { return static_cast<float>(acc); }
};

struct SumSquareReducer {
  using Acc = double;
  static Acc init() { return 0.0; }
  static void add(Acc& acc, float x) { acc += static_cast<double>(x) * x; }
  static float finish(Acc acc, int64_t) { return static_cast<float>(acc); }
};

struct L1Reducer {
  using Acc = double;
  static Acc init() { return 0.0; }
  static void add(Acc& acc, float x) { acc += std::fabs(static_cast<double>(x)); }
  static float finish(Acc acc, int64_t) { return static_cast<float>(acc); }
};

struct L2Reducer : SumSquareReducer {
  static float finish(Acc acc, int64_t) { return static_cast<float>(std::sqrt(acc)); }
};

struct LogSumReducer : SumReducer {
  static float finish(Acc acc, int64_t) { return static_cast<float>(std::log(acc)); }
};

// log(sum e^x) with the sum of e^x in double: finite up to x of about 709.
struct LogSumExpReducer {
  using Acc = double;
  static Acc init() { return 0.0; }
  static void add(Acc& acc, float x) { acc += std::exp(static_cast<double>(x)); }
  static float finish(Acc acc, int64_t) { return static_cast<float>(std::log(acc)); }
};

enum class Path {
  kCopy,     // nothing of size > 1 is reduced: the output is the input
  kEmpty,    // the input has no elements
  kSingle,   // [outer kept] reduced [inner kept]: global pooling, last axis
  kGeneral,  // several reduced runs: odometer over an accumulator array
};

template <typename Reducer>
class Reduce final : public Kernel {
  using Acc = typename Reducer::Acc;

 public:
  Status prepare(PrepareContext& ctx) override {
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_inputs(2, 2));
    OPSCOPE_RETURN_IF_ERROR(shapes::expect_one_output(ctx));
    OPSCOPE_RETURN_IF_ERROR(ctx.expect_input_dtype(0, DType::kF32));
    OPSCOPE_ASSIGN_OR_RETURN(const shapes::ReducedAxes axes, shapes::reduce_axes(ctx));
    const Shape& in = ctx.input(0).shape;
    count_ = axes.count;
    input_id_ = ctx.input_id(0);
    output_id_ = ctx.output_id(0);
    out_elements_ = num_elements(ctx.output(0).shape);
    runs_.plan(in, axes.reduced);
    int reduced_runs = 0;
    for (const ReduceRun& r : runs_.runs()) reduced_runs += r.reduced ? 1 : 0;

    if (num_elements(in) == 0) {
      path_ = Path::kEmpty;
    } else if (reduced_runs == 0) {
      path_ = Path::kCopy;
    } else if (reduced_runs == 1) {
      path_ = Path::kSingle;
      outer_ = inner_ = 1;
      bool after = false;
      for (const ReduceRun& r : runs_.runs()) {
        if (r.reduced) {
          after = true;
        } else {
          (after ? inner_ : outer_) = r.size;
        }
      }
      if (inner_ > 1) ctx.set_scratch_bytes(inner_ * sizeof(Acc));
    } else {
      path_ = Path::kGeneral;
      ctx.set_scratch_bytes(out_elements_ * sizeof(Acc));
    }
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    const float* x = ctx.data<const float>(input_id_);
    float* y = ctx.data<float>(output_id_);
    switch (path_) {
      case Path::kCopy:
        if (x != y) std::memcpy(y, x, out_elements_ * sizeof(float));
        return;
      case Path::kEmpty:
        for (int64_t i = 0; i < out_elements_; ++i) {
          y[i] = Reducer::finish(Reducer::init(), 0);
        }
        return;
      case Path::kSingle:
        run_single(x, y, static_cast<Acc*>(ctx.scratch));
        return;
      case Path::kGeneral:
        run_general(x, y, static_cast<Acc*>(ctx.scratch));
        return;
    }
  }

 private:
  // x is [outer_, count_, inner_]; y is [outer_, inner_].
  void run_single(const float* x, float* y, Acc* acc) const {
    if (inner_ == 1) {
      for (int64_t o = 0; o < outer_; ++o) {
        const float* row = x + o * count_;
        Acc a = Reducer::init();
        for (int64_t r = 0; r < count_; ++r) Reducer::add(a, row[r]);
        y[o] = Reducer::finish(a, count_);
      }
      return;
    }
    for (int64_t o = 0; o < outer_; ++o) {
      for (int64_t i = 0; i < inner_; ++i) acc[i] = Reducer::init();
      const float* block = x + o * count_ * inner_;
      for (int64_t r = 0; r < count_; ++r) {
        const float* row = block + r * inner_;
        for (int64_t i = 0; i < inner_; ++i) Reducer::add(acc[i], row[i]);
      }
      float* out = y + o * inner_;
      for (int64_t i = 0; i < inner_; ++i) {
        out[i] = Reducer::finish(acc[i], count_);
      }
    }
  }

  void run_general(const float* x, float* y, Acc* acc) {
    for (int64_t i = 0; i < out_elements_; ++i) acc[i] = Reducer::init();
    const int64_t inner_size = runs_.inner_size();
    if (runs_.inner_reduced()) {
      runs_.walk(x, [&](const float* row, int64_t out_off) {
        Acc& a = acc[out_off];
        for (int64_t i = 0; i < inner_size; ++i) Reducer::add(a, row[i]);
      });
    } else {
      runs_.walk(x, [&](const float* row, int64_t out_off) {
        Acc* a = acc + out_off;
        for (int64_t i = 0; i < inner_size; ++i) Reducer::add(a[i], row[i]);
      });
    }
    for (int64_t i = 0; i < out_elements_; ++i) {
      y[i] = Reducer::finish(acc[i], count_);
    }
  }

  int input_id_ = -1;
  int output_id_ = -1;
  Path path_ = Path::kCopy;
  int64_t out_elements_ = 0;
  int64_t count_ = 1;  // input elements per output element
  int64_t outer_ = 1, inner_ = 1;  // kSingle
  ReduceRuns runs_;  // sized in prepare
};

}  // namespace

std::unique_ptr<Kernel> make_mean_f32() {
  return std::make_unique<Reduce<MeanReducer>>();
}

std::unique_ptr<Kernel> make_reduce_max_f32() {
  return std::make_unique<Reduce<MaxReducer>>();
}

std::unique_ptr<Kernel> make_reduce_sum_f32() {
  return std::make_unique<Reduce<SumReducer>>();
}

std::unique_ptr<Kernel> make_reduce_min_f32() {
  return std::make_unique<Reduce<MinReducer>>();
}

std::unique_ptr<Kernel> make_reduce_prod_f32() {
  return std::make_unique<Reduce<ProdReducer>>();
}

std::unique_ptr<Kernel> make_reduce_sum_square_f32() {
  return std::make_unique<Reduce<SumSquareReducer>>();
}

std::unique_ptr<Kernel> make_reduce_l1_f32() {
  return std::make_unique<Reduce<L1Reducer>>();
}

std::unique_ptr<Kernel> make_reduce_l2_f32() {
  return std::make_unique<Reduce<L2Reducer>>();
}

std::unique_ptr<Kernel> make_reduce_log_sum_f32() {
  return std::make_unique<Reduce<LogSumReducer>>();
}

std::unique_ptr<Kernel> make_reduce_log_sum_exp_f32() {
  return std::make_unique<Reduce<LogSumExpReducer>>();
}

}  // namespace opscope::reference
