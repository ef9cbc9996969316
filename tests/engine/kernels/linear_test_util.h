// Shared pieces of the GEMM-based kernel tests (conv, depthwise, transpose
// conv, fully connected, batch matmul, gemm): seeded data, the fused
// activations and window sizes written out independently of the kernels, a
// relative comparison, and the KernelRunner steps every test repeats.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/attributes.h"
#include "engine/kernel.h"
#include "engine/status.h"
#include "tests/engine/kernel_runner.h"
#include "tests/engine/test_random.h"

namespace opscope::testing {

inline double reference_activation(double x, Activation a) {
  switch (a) {
    case Activation::kNone: return x;
    case Activation::kRelu: return std::max(0.0, x);
    case Activation::kReluN1To1: return std::clamp(x, -1.0, 1.0);
    case Activation::kRelu6: return std::clamp(x, 0.0, 6.0);
    case Activation::kTanh: return std::tanh(x);
  }
  return x;
}

inline const Activation kAllActivations[] = {
    Activation::kNone, Activation::kRelu, Activation::kReluN1To1,
    Activation::kRelu6, Activation::kTanh};

// The chained setters of the conv-like test cases (CRTP): Case has fields
// n, h, w, c (the NHWC input) and `attrs` with the window settings.
//
//   struct ConvCase : ConvCaseSetters<ConvCase> { ... };
//   check(ConvCase{}.input(1, 7, 6, 5).stride(2).padding(Padding::kSame));
template <typename Case>
struct ConvCaseSetters {
  Case& input(int64_t n, int64_t h, int64_t w, int64_t c) {
    Case& t = self();
    t.n = n, t.h = h, t.w = w, t.c = c;
    return t;
  }
  Case& stride(int s) {
    self().attrs.stride_h = self().attrs.stride_w = s;
    return self();
  }
  Case& dilation(int d) {
    self().attrs.dilation_h = self().attrs.dilation_w = d;
    return self();
  }
  Case& padding(Padding p) {
    self().attrs.padding = p;
    return self();
  }

 private:
  Case& self() { return static_cast<Case&>(*this); }
};

// Output size and leading pad of one dimension of a forward (dilated)
// convolution, as TFLite defines SAME and VALID; kExplicit uses the pads.
inline void conv_out_dim(Padding padding, int64_t in, int64_t k, int stride,
                         int dilation, int pad_lo, int pad_hi, int64_t* out,
                         int64_t* pad) {
  const int64_t eff = (k - 1) * dilation + 1;
  if (padding == Padding::kSame) {
    *out = (in + stride - 1) / stride;
    *pad = std::max<int64_t>(0, (*out - 1) * stride + eff - in) / 2;
  } else if (padding == Padding::kValid) {
    *out = (in - eff) / stride + 1;
    *pad = 0;
  } else {
    *out = (in + pad_lo + pad_hi - eff) / stride + 1;
    *pad = pad_lo;
  }
}

// Expects got[i] within rel * max(1, |want[i]|) of want[i].
inline void expect_close(const std::vector<float>& got,
                         const std::vector<double>& want,
                         double rel = 1e-5) {
  ASSERT_EQ(got.size(), want.size());
  int reported = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double tol = rel * std::max(1.0, std::abs(want[i]));
    if (!(std::abs(got[i] - want[i]) <= tol) && reported++ < 5) {
      ADD_FAILURE() << "element " << i << ": got " << got[i] << ", want "
                    << want[i];
    }
  }
}

// A second operand (filter, weights, b): a constant, or a runtime input when
// `constant` is false.
inline void add_input_or_constant(KernelRunner& r, Shape shape,
                                  const std::vector<float>& values,
                                  bool constant) {
  if (constant) {
    r.add_constant(std::move(shape), values);
  } else {
    r.add_input(std::move(shape), values);
  }
}

// The bias as a constant of shape [bias.size()], or an absent input when
// `present` is false.
inline void add_bias_or_absent(KernelRunner& r, const std::vector<float>& bias,
                               bool present) {
  if (present) {
    r.add_constant({static_cast<int64_t>(bias.size())}, bias);
  } else {
    r.add_absent_input();
  }
}

// Prepares `kernel` on r's node, which must succeed, expects output 0 of
// shape `want_shape`, runs it and compares it with `want` (expect_close).
inline void expect_kernel_output(KernelRunner& r,
                                 std::unique_ptr<Kernel> kernel,
                                 const Shape& want_shape,
                                 const std::vector<double>& want) {
  const Status st = r.prepare(std::move(kernel));
  ASSERT_TRUE(st.is_ok()) << st.to_string();
  EXPECT_EQ(r.output_tensor(0).shape, want_shape);
  r.run();
  expect_close(r.output<float>(0), want);
}

// The prepare of a rejects_... test: `kernel` on a zero input of `in`
// (declared `dtype`) and a zero f32 second operand of `filter`, constant
// unless `constant_filter` is false, with no bias.
inline Status prepare_on_zeros(OpKind op, Attributes attrs,
                               std::unique_ptr<Kernel> kernel, const Shape& in,
                               const Shape& filter, DType dtype = DType::kF32,
                               bool constant_filter = true) {
  KernelRunner r(op, std::move(attrs));
  r.add_input(in, std::vector<float>(num_elements(in)), dtype);
  add_input_or_constant(r, filter, std::vector<float>(num_elements(filter)),
                        constant_filter);
  r.add_output();
  return r.prepare(std::move(kernel));
}

// The checks every rejects_... test makes: the code, and that the message
// names the node (KernelRunner names it 'test_node').
inline void expect_rejected(const Status& st, ErrorCode code) {
  EXPECT_FALSE(st.is_ok());
  EXPECT_EQ(st.code(), code) << st.message();
  EXPECT_NE(st.message().find("'test_node'"), std::string::npos)
      << st.message();
}

}  // namespace opscope::testing
