// HARD_SWISH and LOGISTIC, int8: the reference's 256-entry table
// (reference/kernels/int8/lut_table.h, TFLite's PopulateLookupTable), built
// at prepare by the reference's own code in its baseline-compiled file (so
// no FMA contraction can change a rounding), then applied with AVX-512 VBMI byte
// permutes (64 lookups in four instructions) where the CPU has them, else
// with AVX2 pshufb (lut_i8_avx2.cc), else by a scalar loop. Bit-exact by construction: the same
// table, looked up.
#include <algorithm>
#include <array>
#include <string>

#include "engine/backends/native/kernels/native_kernels.h"
#include "engine/backends/native/kernels/native_support.h"
#include "engine/backends/native/kernels/native_ukernels.h"
#include "engine/backends/reference/kernels/int8/lut_table.h"

namespace opscope::native {
namespace {

using reference::int8::LutOp;
using reference::int8::prepare_int8_lut;

void lut_portable(const int8_t* table, const int8_t* x, int8_t* y, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; ++j) y[i + j] = table[static_cast<uint8_t>(x[i + j])];
  }
  for (; i < n; ++i) y[i] = table[static_cast<uint8_t>(x[i])];
}

template <LutOp kOp>
class LutI8 final : public Kernel {
 public:
  explicit LutI8(const NativeEnv& env) {
#if defined(__x86_64__)
    if (env.isa == Isa::kAvx512Vnni && ukernels::cpu_has_avx512vbmi()) {
      apply_ = ukernels::lut_i8_avx512vbmi;
    } else if (env.isa == Isa::kAvx2 || env.isa == Isa::kAvxVnni || env.isa == Isa::kAvx512Vnni) {
      apply_ = ukernels::lut_i8_avx2;
    }
#else
    (void)env;
#endif
  }

  Status prepare(PrepareContext& ctx) override {
    std::array<int8_t, 256> table;
    OPSCOPE_RETURN_IF_ERROR(prepare_int8_lut(ctx, kOp, &table));
    std::copy(table.begin(), table.end(), table_.begin());
    // lut_i8_avx2's running XORs of the 16-entry blocks (native_ukernels.h).
    for (int i = 0; i < 256; ++i) {
      table_[256 + i] = static_cast<int8_t>(table_[i] ^ (i % 128 >= 16 ? table_[i - 16] : 0));
    }
    size_ = ctx.input(0).elements();
    input_id_ = ctx.input_id(0);
    output_id_ = ctx.output_id(0);
    return Status::ok();
  }

  void run(const RunContext& ctx) override {
    apply_(table_.data(), ctx.data<const int8_t>(input_id_), ctx.data<int8_t>(output_id_), size_);
  }

 private:
  void (*apply_)(const int8_t*, const int8_t*, int8_t*, int64_t) = lut_portable;
  // By the input byte (uint8 view), then the 256 bytes lut_i8_avx2 reads.
  alignas(64) std::array<int8_t, 512> table_{};
  int64_t size_ = 0;
  int input_id_ = -1, output_id_ = -1;
};

bool supports_lut(const Graph& graph, const Node& node, OpKind op, const char* name,
                  std::string* why_not) {
  if (node.op != op) return decline(why_not, std::string("not ") + name);
  if (node.inputs.size() != 1 || node.outputs.size() != 1) {
    return decline(why_not, std::string(name) + " needs one input and one output");
  }
  return is_int8_per_tensor(graph, node.inputs[0], "input", why_not) &&
         is_int8_per_tensor(graph, node.outputs[0], "output", why_not);
}

}  // namespace

bool native_supports_hard_swish(const Graph& graph, const Node& node, std::string* why_not) {
  return supports_lut(graph, node, OpKind::kHardSwish, "HARD_SWISH", why_not);
}

bool native_supports_logistic(const Graph& graph, const Node& node, std::string* why_not) {
  if (!supports_lut(graph, node, OpKind::kLogistic, "LOGISTIC", why_not)) return false;
  const Quantization& q = graph.tensors[node.outputs[0]].quantization;
  const int64_t zp = q.zero_points.empty() ? 0 : q.zero_points[0];
  if (q.scales[0] != 1.0f / 256.0f || zp != -128) {
    return decline(why_not, "int8 LOGISTIC output must have scale 1/256 and zero point -128");
  }
  return true;
}

std::unique_ptr<Kernel> make_native_hard_swish_i8(const NativeEnv& env) {
  return std::make_unique<LutI8<LutOp::kHardSwish>>(env);
}

std::unique_ptr<Kernel> make_native_logistic_i8(const NativeEnv& env) {
  return std::make_unique<LutI8<LutOp::kLogistic>>(env);
}

}  // namespace opscope::native
