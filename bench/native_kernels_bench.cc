// The native backend's int8 kernels (engine/backends/native/kernels/)
// against the reference int8 kernels, on the int8 models' shapes, 1 thread.
//
// Until the native backend is registered with the session, these time the
// kernels directly: a one-node graph (bench/kernel_graphs.h), the kernel's
// prepare() once, then run() alone in the timed loop. Each (op, shape)
// registers OP/SHAPE/reference and OP/SHAPE/native_<isa> for every ISA the
// CPU has (native_env.h), and OP/SHAPE/xnnpack: XNNPACK's int8 operator on
// the same model through Session::invoke (skipped where XNNPACK declines the
// node), so the figures sit side by side in one run.
//
//   opscope-bench-native-kernels                                  # all
//   opscope-bench-native-kernels --benchmark_filter='^DEPTHWISE'  # one op
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/kernel_graphs.h"
#include "engine/backends/native/kernels/native_kernels.h"
#include "engine/backends/native/native_env.h"
#include "engine/backends/reference/kernels/int8/kernels_int8.h"
#include "engine/session.h"

namespace opscope::bench {
namespace {

using native::Isa;
using MakeKernel = std::function<std::unique_ptr<Kernel>()>;

Quantization q8(float scale, int64_t zp) { return Quantization{{scale}, {zp}, -1}; }

struct Case {
  std::string name;    // OP/SHAPE
  std::string source;  // the model the shape comes from
  KernelSpec spec;
  KernelFactory reference;
  std::function<std::unique_ptr<Kernel>(const native::NativeEnv&)> native;
};

KernelSpec resize(Shape in, int64_t h, int64_t w) {
  KernelSpec s;
  s.op = OpKind::kResizeBilinear;
  ResizeAttrs a;
  a.half_pixel_centers = true;  // as the models set it
  s.attrs = a;
  s.inputs = {activation(std::move(in), DType::kI8, q8(0.05f, -3)), i32_values({2}, {h, w})};
  s.output_dtype = DType::kI8;
  s.output_quantization = q8(0.05f, -3);
  return s;
}

KernelSpec lut(OpKind op, Shape in) {
  KernelSpec s;
  s.op = op;
  s.inputs = {activation(std::move(in), DType::kI8, q8(0.05f, -3))};
  s.output_dtype = DType::kI8;
  s.output_quantization = op == OpKind::kLogistic ? q8(1.0f / 256, -128) : q8(0.03f, -10);
  return s;
}

KernelSpec depthwise(Shape in, int k, int stride, Activation act) {
  KernelSpec s;
  s.op = OpKind::kDepthwiseConv2D;
  DepthwiseConv2DAttrs a;
  a.padding = Padding::kSame;
  a.stride_h = a.stride_w = stride;
  a.activation = act;
  s.attrs = a;
  const int64_t c = in.back();
  Quantization wq;
  wq.scales.assign(static_cast<size_t>(c), 0.01f);
  wq.zero_points.assign(static_cast<size_t>(c), 0);
  wq.axis = 3;
  s.inputs = {activation(std::move(in), DType::kI8, q8(0.05f, -3)),
              weights({1, k, k, c}, DType::kI8, wq), weights({c}, DType::kI32)};
  s.output_dtype = DType::kI8;
  s.output_quantization = q8(0.04f, 5);
  return s;
}

KernelSpec binary(OpKind op, Shape a, Shape b) {
  KernelSpec s;
  s.op = op;
  s.attrs = ActivationAttrs{};
  s.inputs = {activation(std::move(a), DType::kI8, q8(0.05f, -3)),
              activation(std::move(b), DType::kI8, q8(0.03f, 7))};
  s.output_dtype = DType::kI8;
  s.output_quantization = q8(0.06f, 2);
  return s;
}

std::vector<Case> cases() {
  std::vector<Case> c;
  const auto rs = [&](std::string shape, std::string src, KernelSpec s) {
    c.push_back({"RESIZE_BILINEAR/" + shape, std::move(src), std::move(s),
                 reference::int8::make_resize_bilinear_i8, native::make_native_resize_bilinear_i8});
  };
  rs("1x64x64x16_to128x128", "selfie_segmentation", resize({1, 64, 64, 16}, 128, 128));
  rs("1x32x32x24_to64x64", "selfie_segmentation", resize({1, 32, 32, 24}, 64, 64));
  rs("1x16x16x128_to32x32", "selfie_segmentation", resize({1, 16, 16, 128}, 32, 32));
  rs("1x24x24x48_to48x48", "face_detection_full_range", resize({1, 24, 24, 48}, 48, 48));
  rs("1x6x6x96_to12x12", "face_detection_full_range", resize({1, 6, 6, 96}, 12, 12));
  const auto hs = [&](std::string shape, std::string src, Shape in) {
    c.push_back({"HARD_SWISH/" + shape, std::move(src), lut(OpKind::kHardSwish, std::move(in)),
                 reference::int8::make_hard_swish_i8, native::make_native_hard_swish_i8});
  };
  hs("1x128x128x16", "selfie_segmentation", {1, 128, 128, 16});
  hs("1x32x32x96", "selfie_segmentation", {1, 32, 32, 96});
  hs("1x16x16x96", "selfie_segmentation", {1, 16, 16, 96});
  c.push_back({"LOGISTIC/1x256x256x1", "selfie_segmentation",
               lut(OpKind::kLogistic, {1, 256, 256, 1}), reference::int8::make_logistic_i8,
               native::make_native_logistic_i8});
  const auto dw = [&](std::string shape, std::string src, KernelSpec s) {
    c.push_back({"DEPTHWISE_CONV_2D/" + shape, std::move(src), std::move(s),
                 reference::int8::make_depthwise_conv2d_i8,
                 native::make_native_depthwise_conv2d_i8});
  };
  const Activation kNone = Activation::kNone, kRelu = Activation::kRelu,
                   kRelu6 = Activation::kRelu6;
  dw("1x128x128x16_k3s1", "selfie_segmentation", depthwise({1, 128, 128, 16}, 3, 1, kNone));
  dw("1x64x64x16_k3s1", "selfie_segmentation", depthwise({1, 64, 64, 16}, 3, 1, kNone));
  dw("1x16x16x96_k5s1", "selfie_segmentation", depthwise({1, 16, 16, 96}, 5, 1, kNone));
  dw("1x96x96x32_k3s1", "face_detection_full_range", depthwise({1, 96, 96, 32}, 3, 1, kRelu));
  dw("1x48x48x48_k3s1", "face_detection_full_range", depthwise({1, 48, 48, 48}, 3, 1, kRelu));
  dw("1x112x112x24_k3s1", "hand_landmark_full", depthwise({1, 112, 112, 24}, 3, 1, kRelu6));
  dw("1x112x112x144_k3s2", "hand_landmark_full", depthwise({1, 112, 112, 144}, 3, 2, kRelu6));
  dw("1x56x56x144_k3s1", "hand_landmark_full", depthwise({1, 56, 56, 144}, 3, 1, kRelu6));
  dw("1x28x28x240_k5s1", "hand_landmark_full", depthwise({1, 28, 28, 240}, 5, 1, kRelu6));
  dw("1x14x14x672_k5s1", "hand_landmark_full", depthwise({1, 14, 14, 672}, 5, 1, kRelu6));
  dw("1x7x7x1152_k5s1", "hand_landmark_full", depthwise({1, 7, 7, 1152}, 5, 1, kRelu6));
  const auto add = [&](std::string shape, std::string src, Shape a, Shape b) {
    c.push_back({"ADD/" + shape, std::move(src), binary(OpKind::kAdd, std::move(a), std::move(b)),
                 reference::int8::make_add_i8, native::make_native_add_i8});
  };
  add("1x128x128x16", "selfie_segmentation", {1, 128, 128, 16}, {1, 128, 128, 16});
  add("1x96x96x32", "face_detection_full_range", {1, 96, 96, 32}, {1, 96, 96, 32});
  add("1x12x12x96", "face_detection_full_range", {1, 12, 12, 96}, {1, 12, 12, 96});
  const auto mul = [&](std::string shape, std::string src, Shape a, Shape b) {
    c.push_back({"MUL/" + shape, std::move(src), binary(OpKind::kMul, std::move(a), std::move(b)),
                 reference::int8::make_mul_i8, native::make_native_mul_i8});
  };
  mul("1x128x128x16_x_1x1x1x16", "selfie_segmentation", {1, 128, 128, 16}, {1, 1, 1, 16});
  mul("1x16x16x128_x_1x1x1x128", "selfie_segmentation", {1, 16, 16, 128}, {1, 1, 1, 128});
  mul("1x64x64x16_same", "selfie_segmentation", {1, 64, 64, 16}, {1, 64, 64, 16});
  return c;
}

// XNNPACK on the same one-node model, through a Session (as
// opscope-bench-kernels times it), for the side-by-side figure.
void run_xnnpack(benchmark::State& state, const std::string& key, const Case& c) {
  static std::string cached_name;
  static std::unique_ptr<Session> cached;
  static Status cached_status = Status::ok();
  if (cached_name != key) {
    cached_name = key;
    cached.reset();
    cached_status = Status::ok();
    auto model = build_kernel_model(c.spec);
    if (!model.is_ok()) {
      cached_status = model.status();
    } else {
      SessionOptions options;
      options.backends = {"xnnpack", "cpu"};
      options.threads = 1;
      auto created = Session::create(std::move(model).value(), options);
      if (created.is_ok()) {
        cached = std::move(created).value();
        fill_inputs(*cached, 7);
      } else {
        cached_status = created.status();
      }
    }
  }
  if (!cached_status.is_ok()) {
    state.SkipWithError(cached_status.to_string().c_str());
    return;
  }
  const int b = cached->partition_plan().node_backend[0];
  if (b < 0 || cached->backend_names()[b] != "xnnpack") {
    state.SkipWithError("xnnpack declined the node");
    return;
  }
  for (auto _ : state) {
    Status st = cached->invoke();
    if (!st.is_ok()) {
      state.SkipWithError(st.to_string().c_str());
      break;
    }
  }
  state.SetLabel(c.source + " (Session::invoke)");
}

// One prepared kernel on its own one-node graph, with seeded inputs.
struct Prepared {
  std::shared_ptr<Model> model;
  std::unique_ptr<Kernel> kernel;
  std::vector<std::vector<uint8_t>> storage;
  std::vector<void*> buffers;
  std::vector<uint8_t> scratch;
  Status status = Status::ok();
  int64_t bytes = 0;
};

std::unique_ptr<Prepared> prepare(const KernelSpec& spec, std::unique_ptr<Kernel> kernel) {
  auto p = std::make_unique<Prepared>();
  auto model = build_kernel_model(spec);
  if (!model.is_ok()) {
    p->status = model.status();
    return p;
  }
  p->model = std::move(model).value();
  Graph& g = p->model->graph;
  PrepareContext ctx(g, 0);
  p->status = kernel->prepare(ctx);
  if (!p->status.is_ok()) return p;
  p->kernel = std::move(kernel);
  p->scratch.assign(ctx.scratch_bytes() + 64, 0);
  p->storage.resize(g.tensors.size());
  p->buffers.assign(g.tensors.size(), nullptr);
  std::mt19937 rng(7);
  for (size_t id = 0; id < g.tensors.size(); ++id) {
    Tensor& t = g.tensors[id];
    if (t.is_constant()) {
      p->buffers[id] = const_cast<uint8_t*>(t.data);
      continue;
    }
    p->storage[id].resize(t.bytes());
    for (uint8_t& b : p->storage[id]) b = static_cast<uint8_t>(rng());
    p->buffers[id] = p->storage[id].data();
  }
  p->bytes = node_bytes(g);
  return p;
}

void run(benchmark::State& state, const std::string& key, const Case& c, const MakeKernel& make) {
  static std::string cached_name;
  static std::unique_ptr<Prepared> cached;
  if (cached_name != key) {
    cached = prepare(c.spec, make());
    cached_name = key;
  }
  Prepared& p = *cached;
  if (!p.status.is_ok()) {
    state.SkipWithError(p.status.to_string().c_str());
    return;
  }
  RunContext ctx;
  ctx.buffers = p.buffers.data();
  auto aligned = reinterpret_cast<uintptr_t>(p.scratch.data());
  ctx.scratch = p.scratch.data() + ((64 - aligned % 64) % 64);
  for (auto _ : state) {
    p.kernel->run(ctx);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * p.bytes);
  state.SetLabel(c.source);
}

}  // namespace
}  // namespace opscope::bench

int main(int argc, char** argv) {
  using namespace opscope;
  using namespace opscope::bench;
  static const std::vector<Case> all = cases();
  for (const Case& c : all) {
    const std::string ref_name = c.name + "/reference";
    benchmark::RegisterBenchmark(ref_name.c_str(), [&c, ref_name](benchmark::State& s) {
      run(s, ref_name, c, [&c] { return c.reference(); });
    })->Unit(benchmark::kMicrosecond);
    const std::string xnn_name = c.name + "/xnnpack";
    benchmark::RegisterBenchmark(xnn_name.c_str(), [&c, xnn_name](benchmark::State& s) {
      run_xnnpack(s, xnn_name, c);
    })->Unit(benchmark::kMicrosecond);
    for (Isa isa : {Isa::kPortable, Isa::kAvx2, Isa::kAvx512Vnni}) {
      if (!native::cpu_has(isa)) continue;
      const std::string name = c.name + "/native_" + std::string(native::to_string(isa));
      benchmark::RegisterBenchmark(name.c_str(), [&c, isa, name](benchmark::State& s) {
        run(s, name, c, [&c, isa] {
          native::NativeEnv env;
          env.isa = isa;
          return c.native(env);
        });
      })->Unit(benchmark::kMicrosecond);
    }
  }
  std::string min_time = "--benchmark_min_time=0.1";
  std::vector<char*> args;
  args.push_back(argv[0]);
  args.push_back(min_time.data());
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  int args_count = static_cast<int>(args.size());
  args.push_back(nullptr);
  benchmark::Initialize(&args_count, args.data());
  if (benchmark::ReportUnrecognizedArguments(args_count, args.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
