// The native int8 kernels against the reference int8 kernels: the same
// one-node graph, the same inputs, bit-exact outputs, on every ISA this CPU
// runs (native_env.h's cpu_has).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/backends/native/native_env.h"
#include "tests/engine/kernel_runner.h"

namespace opscope::testing {

inline std::vector<native::Isa> native_isas() {
  std::vector<native::Isa> isas;
  for (native::Isa isa : {native::Isa::kPortable, native::Isa::kAvx2, native::Isa::kAvxVnni,
                          native::Isa::kAvx512Vnni, native::Isa::kNeonDot}) {
    if (native::cpu_has(isa)) isas.push_back(isa);
  }
  return isas;
}

inline Quantization q8(float scale, int64_t zero_point) {
  Quantization q;
  q.scales = {scale};
  q.zero_points = {zero_point};
  return q;
}

using NativeFactory = std::function<std::unique_ptr<Kernel>(const native::NativeEnv&)>;

// Sets up a runner (inputs and output) for one case.
using RunnerSetup = std::function<void(KernelRunner&)>;

// Runs the reference kernel, then the native kernel on every ISA, on the
// graph `setup` builds; expects the same prepare outcome and, when both
// prepare, the same output shape and bytes. Returns the number of outputs
// compared (0 when the reference declines the case).
inline int expect_native_matches_reference(OpKind op, const Attributes& attrs,
                                           const RunnerSetup& setup, KernelFactory reference,
                                           const NativeFactory& native_factory,
                                           const std::string& label) {
  KernelRunner ref(op, attrs);
  setup(ref);
  const Status ref_status = ref.prepare(reference());
  int compared = 0;
  std::vector<int8_t> expected;
  if (ref_status.is_ok()) {
    ref.run();
    expected = ref.output<int8_t>(0);
  }
  for (native::Isa isa : native_isas()) {
    native::NativeEnv env;
    env.isa = isa;
    KernelRunner got(op, attrs);
    setup(got);
    const Status st = got.prepare(native_factory(env));
    const std::string where = label + " isa=" + std::string(native::to_string(isa));
    EXPECT_EQ(st.is_ok(), ref_status.is_ok())
        << where << ": native " << st.to_string() << " / reference " << ref_status.to_string();
    if (!st.is_ok() || !ref_status.is_ok()) continue;
    EXPECT_EQ(shape_to_string(got.output_tensor(0).shape),
              shape_to_string(ref.output_tensor(0).shape))
        << where;
    got.run();
    const std::vector<int8_t> y = got.output<int8_t>(0);
    EXPECT_EQ(y.size(), expected.size()) << where;
    if (y.size() != expected.size()) continue;
    int64_t mismatches = 0, first = -1;
    for (size_t i = 0; i < y.size(); ++i) {
      if (y[i] != expected[i]) {
        if (first < 0) first = static_cast<int64_t>(i);
        ++mismatches;
      }
    }
    EXPECT_EQ(mismatches, 0) << where << ": first at " << first << " got "
                             << (first >= 0 ? int{y[first]} : 0) << " want "
                             << (first >= 0 ? int{expected[first]} : 0);
    ++compared;
  }
  return compared;
}

}  // namespace opscope::testing
