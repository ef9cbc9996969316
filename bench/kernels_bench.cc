// Kernel microbenchmarks: every op the XNNPACK backend claims, reference
// backend ("cpu") against XNNPACK, on shapes taken from the real models
// (selfie_segmentation, face_detection_full_range, hand_landmark_full,
// embedding_model; a few from their siblings) or, for ops those models do
// not use, plausible ones.
//
// Each (op, shape) registers two benchmarks, OP/SHAPE/cpu and
// OP/SHAPE/xnnpack. Each builds a one-node model (bench/kernel_graphs.h),
// creates one Session with threads = 1 and times session.invoke() alone.
// Counters: MACs/s (engine/macs.h; ops whose MAC count is 0 have none),
// bytes (inputs + weights + output touched by one invoke) and
// bytes_per_second; the label is the backend that actually ran the node,
// then the model the shape comes from.
// A node the XNNPACK backend declines is skipped with its reason.
//
// INT8_CONV_GEMM/SHAPE/{native,xnnpack,cpu}: resnet18's big 3x3 layers and
// two 3-channel stems in int8, with GMAC/s and peak_frac (of the int8
// dot-product peak that a vpdpbusd loop measures at start; the context line
// int8_peak_gmacs).
//   opscope-bench-kernels --benchmark_filter='^INT8_CONV_GEMM/'
//
//   opscope-bench-kernels                                  # everything, ~1 min
//   opscope-bench-kernels --benchmark_filter='^CONV_2D/'   # one op
//   opscope-bench-kernels --benchmark_filter='/xnnpack$'   # one backend
//   opscope-bench-kernels --benchmark_list_tests           # the names
//
// See docs/benchmarks.md, "Kernel microbenchmarks".
#include <benchmark/benchmark.h>

#include <algorithm>
#include <ctime>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bench/kernel_graphs.h"
#include "engine/backends/native/native_env.h"
#include "engine/macs.h"
#include "engine/session.h"

namespace opscope::bench {
namespace {

// Default minimum time per benchmark, short so that the ~50 cases x 2
// backends stay near a minute on two shared cores; --benchmark_min_time on
// the command line overrides it (see main).
constexpr double kMinTimeS = 0.1;
constexpr uint32_t kInputSeed = 7;

struct KernelCase {
  std::string shape;   // second name component; never contains '/'
  std::string source;  // the model the shape comes from, or "plausible"
  KernelSpec spec;
};

// ------------------------------------------------------------ spec helpers

// A spec with the output f32 and the default seed.
KernelSpec make(OpKind op, Attributes attrs, std::vector<InputSpec> inputs) {
  KernelSpec s;
  s.op = op;
  s.attrs = std::move(attrs);
  s.inputs = std::move(inputs);
  return s;
}

KernelSpec conv2d(Shape in, int64_t out_c, int kh, int kw, int stride, Padding padding,
                  Activation act = Activation::kNone) {
  Conv2DAttrs a;
  a.padding = padding;
  a.stride_h = a.stride_w = stride;
  a.activation = act;
  const int64_t in_c = in.back();
  return make(OpKind::kConv2D, a,
              {activation(std::move(in)), weights({out_c, kh, kw, in_c}), weights({out_c})});
}

KernelSpec depthwise(Shape in, int k, int stride, Activation act = Activation::kNone) {
  DepthwiseConv2DAttrs a;
  a.padding = Padding::kSame;
  a.stride_h = a.stride_w = stride;
  a.activation = act;
  const int64_t c = in.back();
  return make(OpKind::kDepthwiseConv2D, a,
              {activation(std::move(in)), weights({1, k, k, c}), weights({c})});
}

KernelSpec fully_connected(Shape in, int64_t out, Activation act = Activation::kNone) {
  FullyConnectedAttrs a;
  a.activation = act;
  const int64_t k = in.back();
  return make(OpKind::kFullyConnected, a,
              {activation(std::move(in)), weights({out, k}), weights({out})});
}

// Binary elementwise op; `b` is a graph input unless `b_constant`.
KernelSpec binary(OpKind op, Shape a, Shape b, bool b_constant = false) {
  return make(
      op, ActivationAttrs{},
      {activation(std::move(a)), b_constant ? weights(std::move(b)) : activation(std::move(b))});
}

KernelSpec unary(OpKind op, Shape in, Attributes attrs = {}) {
  return make(op, std::move(attrs), {activation(std::move(in))});
}

KernelSpec pool(OpKind op, Shape in, int fh, int fw, int stride, Padding padding) {
  Pool2DAttrs a;
  a.padding = padding;
  a.filter_h = fh;
  a.filter_w = fw;
  a.stride_h = a.stride_w = stride;
  return make(op, a, {activation(std::move(in))});
}

// AVERAGE_POOL_2D with a window of the whole image, as the selfie model's
// squeeze-and-excitation blocks use it.
KernelSpec global_average_pool(Shape in) {
  const int h = static_cast<int>(in[1]), w = static_cast<int>(in[2]);
  Pool2DAttrs a;
  a.padding = Padding::kValid;
  a.filter_h = a.stride_h = h;
  a.filter_w = a.stride_w = w;
  return make(OpKind::kAveragePool2D, a, {activation(std::move(in))});
}

KernelSpec mean_hw(Shape in, bool keep_dims) {
  return make(OpKind::kMean, ReduceAttrs{keep_dims},
              {activation(std::move(in)), i32_values({2}, {1, 2})});
}

KernelSpec resize_bilinear(Shape in, int64_t h, int64_t w) {
  ResizeAttrs a;
  a.half_pixel_centers = true;  // as every model here sets it
  return make(OpKind::kResizeBilinear, a, {activation(std::move(in)), i32_values({2}, {h, w})});
}

// PAD with [before, after] per NHWC dim.
KernelSpec pad(Shape in, std::vector<int64_t> pads) {
  return make(OpKind::kPad, {}, {activation(std::move(in)), i32_values({4, 2}, std::move(pads))});
}

KernelSpec quantize(Shape in) {
  KernelSpec s = make(OpKind::kQuantize, {}, {activation(std::move(in))});
  s.output_dtype = DType::kI8;
  s.output_quantization = Quantization{{1.0f / 64}, {-3}, -1};
  return s;
}

KernelSpec dequantize(Shape in) {
  return make(OpKind::kDequantize, {},
              {activation(std::move(in), DType::kI8, Quantization{{1.0f / 64}, {-3}, -1})});
}

// ------------------------------------------------------------ the cases

// Ordered by op, then by cost. Each names the model its shape comes from;
// stride, padding and fused activation are those of that model's node. The
// XNNPACK op table's order (xnn_op_table.cc) is followed loosely.
std::vector<KernelCase> kernel_cases() {
  const Padding kSame = Padding::kSame, kValid = Padding::kValid;
  const Activation kRelu6 = Activation::kRelu6, kRelu = Activation::kRelu;
  std::vector<KernelCase> c;
  auto add = [&](std::string shape, std::string source, KernelSpec spec) {
    c.push_back({std::move(shape), std::move(source), std::move(spec)});
  };

  // CONV_2D: a 3-channel stem, the costliest 1x1 convolutions, and the
  // embedding model's 1x3.
  add("1x256x256x3_k3s2_o16", "selfie_segmentation", conv2d({1, 256, 256, 3}, 16, 3, 3, 2, kSame));
  add("1x112x112x16_k1_o64", "hand_landmark_full",
      conv2d({1, 112, 112, 16}, 64, 1, 1, 1, kSame, kRelu6));
  add("1x14x14x672_k1_o112", "hand_landmark_full", conv2d({1, 14, 14, 672}, 112, 1, 1, 1, kSame));
  add("1x74x32x24_k1x3_o24", "embedding_model", conv2d({1, 74, 32, 24}, 24, 1, 3, 1, kSame));

  // DEPTHWISE_CONV_2D
  add("1x28x28x240_k5s1", "hand_landmark_full", depthwise({1, 28, 28, 240}, 5, 1, kRelu6));
  add("1x56x56x144_k3s1", "hand_landmark_full", depthwise({1, 56, 56, 144}, 3, 1, kRelu6));
  add("1x128x128x16_k3s1", "selfie_segmentation", depthwise({1, 128, 128, 16}, 3, 1));

  // TRANSPOSE_CONV: selfie's final Convolution2DTransposeBias (SAME, 2x2 s2).
  {
    TransposeConvAttrs a;
    a.padding = kSame;
    a.stride_h = a.stride_w = 2;
    add("1x128x128x16_k2s2_o1", "selfie_segmentation",
        make(OpKind::kTransposeConv, a,
             {activation({1, 128, 128, 16}), weights({1, 2, 2, 16}), weights({1})}));
  }

  // FULLY_CONNECTED
  add("1x1152_o63", "hand_landmark_full", fully_connected({1, 1152}, 63));
  add("1x1536_o128", "alexa_v0.1", fully_connected({1, 1536}, 128, kRelu));

  // Binary elementwise, with the broadcasts the models use.
  add("1x96x96x32_1x96x96x32", "face_detection_full_range",
      binary(OpKind::kAdd, {1, 96, 96, 32}, {1, 96, 96, 32}));
  add("1x128x128x16_1x128x128x16", "selfie_segmentation",
      binary(OpKind::kAdd, {1, 128, 128, 16}, {1, 128, 128, 16}));
  add("1x128x128x16_1x1x1x16", "selfie_segmentation",
      binary(OpKind::kMul, {1, 128, 128, 16}, {1, 1, 1, 16}));
  add("1x16x16x128_1x1x1x128", "selfie_segmentation",
      binary(OpKind::kMul, {1, 16, 16, 128}, {1, 1, 1, 128}));
  add("1x74x32x24_scalar", "embedding_model", binary(OpKind::kMaximum, {1, 74, 32, 24}, {}, true));
  add("1x34x16x48_scalar", "embedding_model", binary(OpKind::kMaximum, {1, 34, 16, 48}, {}, true));
  add("1x256x256x3_1x1x1x3", "plausible",  // input normalization
      binary(OpKind::kSub, {1, 256, 256, 3}, {1, 1, 1, 3}, true));
  add("1x128_1x1", "hey_mycroft_v0.1", binary(OpKind::kSub, {1, 128}, {1, 1}));
  add("1x74x32x24_scalar", "plausible",  // a clip's upper half
      binary(OpKind::kMinimum, {1, 74, 32, 24}, {}, true));

  // Unary elementwise
  add("1x96x96x32", "face_detection_full_range", unary(OpKind::kRelu, {1, 96, 96, 32}));
  add("1x128x128x16", "selfie_segmentation", unary(OpKind::kRelu, {1, 128, 128, 16}));
  add("1x112x112x64", "plausible", unary(OpKind::kRelu6, {1, 112, 112, 64}));
  add("1x128x128x16", "selfie_segmentation", unary(OpKind::kHardSwish, {1, 128, 128, 16}));
  add("1x32x32x96", "selfie_segmentation", unary(OpKind::kHardSwish, {1, 32, 32, 96}));
  add("1x256x256x1", "selfie_segmentation", unary(OpKind::kLogistic, {1, 256, 256, 1}));
  add("1x1x1x128", "selfie_segmentation", unary(OpKind::kLogistic, {1, 1, 1, 128}));
  add("1x74x32x24", "embedding_model",
      unary(OpKind::kLeakyRelu, {1, 74, 32, 24}, LeakyReluAttrs{0.2f}));
  add("1x34x16x48", "embedding_model",
      unary(OpKind::kLeakyRelu, {1, 34, 16, 48}, LeakyReluAttrs{0.2f}));
  add("1x128x128x16_16", "plausible",  // per-channel slope, as MediaPipe's PReLU nets
      make(OpKind::kPRelu, {}, {activation({1, 128, 128, 16}), weights({16})}));
  add("1x64x64x32_1x1x32", "plausible",
      make(OpKind::kPRelu, {}, {activation({1, 64, 64, 32}), weights({1, 1, 32})}));

  // SOFTMAX over the last axis.
  add("1x256x256x2", "plausible",  // two-class segmentation
      unary(OpKind::kSoftmax, {1, 256, 256, 2}, SoftmaxAttrs{1.0f}));
  add("1x1001", "plausible",  // a classifier head
      unary(OpKind::kSoftmax, {1, 1001}, SoftmaxAttrs{1.0f}));

  // Pooling and reductions
  add("1x128x128x16_global", "selfie_segmentation", global_average_pool({1, 128, 128, 16}));
  add("1x64x64x16_global", "selfie_segmentation", global_average_pool({1, 64, 64, 16}));
  add("1x96x96x32_k2s2", "face_detection_full_range",
      pool(OpKind::kMaxPool2D, {1, 96, 96, 32}, 2, 2, 2, kSame));
  add("1x72x32x24_k2s2", "embedding_model",
      pool(OpKind::kMaxPool2D, {1, 72, 32, 24}, 2, 2, 2, kValid));
  add("1x72x128x16_hw", "selfie_segmentation_landscape", mean_hw({1, 72, 128, 16}, true));
  add("1x7x7x1152_hw", "hand_landmark_full", mean_hw({1, 7, 7, 1152}, false));

  // Data movement
  add("1x64x64x16_to128x128", "selfie_segmentation", resize_bilinear({1, 64, 64, 16}, 128, 128));
  add("1x24x24x48_to48x48", "face_detection_full_range", resize_bilinear({1, 24, 24, 48}, 48, 48));
  add("1x48x48x32_padc16", "face_detection_full_range",
      pad({1, 48, 48, 32}, {0, 0, 0, 0, 0, 0, 0, 16}));
  add("1x76x32x1_padw1", "embedding_model", pad({1, 76, 32, 1}, {0, 0, 0, 0, 1, 1, 0, 0}));
  add("1x24x24x64_b2", "face_detection_full_range_sparse",
      unary(OpKind::kDepthToSpace, {1, 24, 24, 64}, DepthToSpaceAttrs{2}));
  add("1x48x48x16_to1x2304x16", "face_detection_full_range",
      unary(OpKind::kReshape, {1, 48, 48, 16}, ReshapeAttrs{{1, -1, 16}}));
  add("1x1x1x1152", "plausible", unary(OpKind::kSqueeze, {1, 1, 1, 1152}, SqueezeAttrs{{1, 2}}));
  add("1x2304x16_axis0", "plausible",
      make(OpKind::kExpandDims, {}, {activation({1, 2304, 16}), i32_values({}, {0})}));

  // int8 conversion (the models' DEQUANTIZEs are f16 weights, folded at load).
  add("1x128x128x16", "plausible", quantize({1, 128, 128, 16}));
  add("1x128x128x16", "plausible", dequantize({1, 128, 128, 16}));
  return c;
}

// ------------------------------------------------------------ running

// The session of the benchmark that ran last. Google Benchmark calls a
// benchmark's function several times (to size the iteration count, then once
// per repetition): the session is created on the first call and reused, so
// setup (weight packing, memory planning) is done once and never timed.
// Holding one at a time keeps memory flat across the ~100 benchmarks.
struct CachedSession {
  std::string key;  // the benchmark's name
  Status status = Status::ok();
  std::unique_ptr<Session> session;
  std::string node_backend;     // where node 0 ran
  std::string fallback_reason;  // why earlier backends declined it
  int64_t macs = 0;
  int64_t bytes = 0;
};

CachedSession& session_for(const std::string& key, const KernelCase& c,
                           const std::vector<std::string>& backends) {
  static CachedSession cached;
  if (cached.key == key) return cached;
  cached = CachedSession{};
  cached.key = key;
  auto model = build_kernel_model(c.spec);
  if (!model.is_ok()) {
    cached.status = model.status();
    return cached;
  }
  SessionOptions options;
  options.backends = backends;
  options.threads = 1;
  auto created = Session::create(std::move(model).value(), options);
  if (!created.is_ok()) {
    cached.status = created.status();
    return cached;
  }
  cached.session = std::move(created).value();
  Session& s = *cached.session;
  fill_inputs(s, kInputSeed);
  const int b = s.partition_plan().node_backend[0];
  cached.node_backend = b >= 0 ? s.backend_names()[b] : "";
  cached.fallback_reason = s.partition_plan().fallback_reason[0];
  const Graph& g = s.graph();
  cached.macs = node_macs(g, g.nodes[0]);
  cached.bytes = node_bytes(g);
  return cached;
}

// `backend` is "cpu" (the reference backend alone) or "xnnpack" (XNNPACK
// first, the reference backend behind it so that a declined node still
// builds: it is then skipped, not timed on the wrong backend).
void run_kernel(benchmark::State& state, const std::string& name, const KernelCase& c,
                const std::string& backend) {
  const std::vector<std::string> backends =
      backend == "cpu" ? std::vector<std::string>{"cpu"} : std::vector<std::string>{backend, "cpu"};
  CachedSession& s = session_for(name, c, backends);
  if (!s.status.is_ok()) {
    state.SkipWithError(s.status.to_string().c_str());
    return;
  }
  if (s.node_backend != backend) {
    state.SkipWithError(
        (backend + " declined the node (ran on '" + s.node_backend + "'): " + s.fallback_reason)
            .c_str());
    return;
  }
  Session& session = *s.session;
  for (auto _ : state) {
    Status st = session.invoke();
    if (!st.is_ok()) {
      state.SkipWithError(st.to_string().c_str());
      break;
    }
  }
  if (s.macs > 0) {
    state.counters["MACs/s"] = benchmark::Counter(static_cast<double>(s.macs),
                                                  benchmark::Counter::kIsIterationInvariantRate);
  }
  state.counters["bytes"] = static_cast<double>(s.bytes);
  state.SetBytesProcessed(state.iterations() * s.bytes);
  state.SetLabel(s.node_backend + " " + c.source);
}


// ------------------------------------------------- int8 convolution GEMM

// resnet18's big 3x3 convolutions in int8 (per-channel weights, RELU), the
// layers where a GEMM microkernel earns its keep, and the 3-channel stems of
// resnet18 (7x7 stride 2) and selfie_segmentation (3x3 stride 2), where
// building the patches costs as much as the GEMM, and two of mobilenet_v2's
// small-K 1x1 convolutions, where the requantization does. Registered as
// INT8_CONV_GEMM/SHAPE/BACKEND for native, xnnpack and cpu, with counters
// GMAC/s and peak_frac: the fraction of this core's int8 dot-product peak,
// measured by int8_peak_gmacs() in the same process.
std::vector<KernelCase> int8_gemm_cases() {
  struct Layer {
    int64_t hw, c, out_c;
    int k, stride;
    const char* source;
  };
  const Layer layers[] = {{56, 64, 64, 3, 1, "resnet18"},
                          {28, 128, 128, 3, 1, "resnet18"},
                          {14, 256, 256, 3, 1, "resnet18"},
                          {7, 512, 512, 3, 1, "resnet18"},
                          {224, 3, 64, 7, 2, "resnet18 stem"},
                          {256, 3, 16, 3, 2, "selfie_segmentation stem"},
                          {112, 16, 96, 1, 1, "mobilenet_v2 1x1 expansion"},
                          {56, 24, 144, 1, 1, "mobilenet_v2 1x1 expansion"}};
  std::vector<KernelCase> cases;
  for (const Layer& l : layers) {
    Conv2DAttrs a;
    a.padding = Padding::kSame;
    a.activation = Activation::kRelu;
    a.stride_h = a.stride_w = l.stride;
    std::vector<float> w_scales(static_cast<size_t>(l.out_c));
    for (size_t i = 0; i < w_scales.size(); ++i) w_scales[i] = 0.002f + 0.0001f * (i % 7);
    Quantization wq;
    wq.scales = w_scales;
    wq.zero_points.assign(w_scales.size(), 0);
    wq.axis = 0;
    Quantization bq = wq;
    for (float& sc : bq.scales) sc *= 0.05f;
    Quantization in_q, out_q;
    in_q.scales = {0.05f};
    in_q.zero_points = {-12};
    out_q.scales = {0.1f};
    out_q.zero_points = {-128};
    // Biases in a realistic range rather than over all of int32.
    std::vector<int64_t> bias(static_cast<size_t>(l.out_c));
    for (size_t i = 0; i < bias.size(); ++i) bias[i] = static_cast<int64_t>(i * 37 % 2001) - 1000;
    InputSpec b = i32_values({l.out_c}, bias);
    b.quantization = bq;
    KernelSpec spec = make(OpKind::kConv2D, a,
                           {activation({1, l.hw, l.hw, l.c}, DType::kI8, in_q),
                            weights({l.out_c, l.k, l.k, l.c}, DType::kI8, wq), b});
    spec.output_dtype = DType::kI8;
    spec.output_quantization = out_q;
    const std::string shape = std::to_string(l.hw) + "x" + std::to_string(l.hw) + "x" +
                              std::to_string(l.c) + "_k" + std::to_string(l.k) + "s" +
                              std::to_string(l.stride) + "_o" +
                              std::to_string(l.out_c);
    cases.push_back({shape, l.source, spec});
  }
  return cases;
}

// CPU time of this thread: the cores are shared, and Google Benchmark's
// rates divide by CPU time too.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

#if defined(__x86_64__)
// Multiply-accumulates per second of a loop of independent vpdpbusd on 16
// accumulators (512-bit with AVX-512 VNNI, else 256-bit AVX-VNNI; written
// in asm so that nothing but the instructions is timed): this core's int8
// dot-product peak.
double vnni512_macs(int64_t iters) {
  const double t0 = thread_cpu_seconds();
  for (int64_t i = 0; i < iters; ++i) {
    asm volatile(
        "vpdpbusd %%zmm16, %%zmm17, %%zmm0\n\tvpdpbusd %%zmm16, %%zmm17, %%zmm1\n\t"
        "vpdpbusd %%zmm16, %%zmm17, %%zmm2\n\tvpdpbusd %%zmm16, %%zmm17, %%zmm3\n\t"
        "vpdpbusd %%zmm16, %%zmm17, %%zmm4\n\tvpdpbusd %%zmm16, %%zmm17, %%zmm5\n\t"
        "vpdpbusd %%zmm16, %%zmm17, %%zmm6\n\tvpdpbusd %%zmm16, %%zmm17, %%zmm7\n\t"
        "vpdpbusd %%zmm16, %%zmm17, %%zmm8\n\tvpdpbusd %%zmm16, %%zmm17, %%zmm9\n\t"
        "vpdpbusd %%zmm16, %%zmm17, %%zmm10\n\tvpdpbusd %%zmm16, %%zmm17, %%zmm11\n\t"
        "vpdpbusd %%zmm16, %%zmm17, %%zmm12\n\tvpdpbusd %%zmm16, %%zmm17, %%zmm13\n\t"
        "vpdpbusd %%zmm16, %%zmm17, %%zmm14\n\tvpdpbusd %%zmm16, %%zmm17, %%zmm15\n\t" ::
            : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
              "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
  }
  asm volatile("vzeroupper" ::: "memory");
  return static_cast<double>(iters) * 16 * 64 / (thread_cpu_seconds() - t0);
}
double vnni256_macs(int64_t iters) {
  const double t0 = thread_cpu_seconds();
  for (int64_t i = 0; i < iters; ++i) {
    asm volatile(
        "%{vex%} vpdpbusd %%ymm14, %%ymm15, %%ymm0\n\t%{vex%} vpdpbusd %%ymm14, %%ymm15, %%ymm1\n\t"
        "%{vex%} vpdpbusd %%ymm14, %%ymm15, %%ymm2\n\t%{vex%} vpdpbusd %%ymm14, %%ymm15, %%ymm3\n\t"
        "%{vex%} vpdpbusd %%ymm14, %%ymm15, %%ymm4\n\t%{vex%} vpdpbusd %%ymm14, %%ymm15, %%ymm5\n\t"
        "%{vex%} vpdpbusd %%ymm14, %%ymm15, %%ymm6\n\t%{vex%} vpdpbusd %%ymm14, %%ymm15, %%ymm7\n\t"
        "%{vex%} vpdpbusd %%ymm14, %%ymm15, %%ymm8\n\t%{vex%} vpdpbusd %%ymm14, %%ymm15, %%ymm9\n\t"
        "%{vex%} vpdpbusd %%ymm14, %%ymm15, %%ymm10\n\t%{vex%} vpdpbusd %%ymm14, %%ymm15, %%ymm11\n\t"
        ::
            : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
              "xmm10", "xmm11");
  }
  asm volatile("vzeroupper" ::: "memory");
  return static_cast<double>(iters) * 12 * 32 / (thread_cpu_seconds() - t0);
}
#endif

// The best of a few 20-million-instruction runs, measured once.
double int8_peak_macs() {
  static const double peak = [] {
    double best = 0;
#if defined(__x86_64__)
    for (int rep = 0; rep < 5; ++rep) {
      if (native::cpu_has(native::Isa::kAvx512Vnni)) {
        best = std::max(best, vnni512_macs(1'250'000));
      } else if (native::cpu_has(native::Isa::kAvxVnni)) {
        best = std::max(best, vnni256_macs(1'666'666));
      }
    }
#endif
    return best;
  }();
  return peak;
}

void run_int8_gemm(benchmark::State& state, const std::string& name, const KernelCase& c,
                   const std::string& backend) {
  run_kernel(state, name, c, backend);
  CachedSession& s = session_for(name, c, {backend, "cpu"});
  if (!s.status.is_ok() || s.node_backend != backend) return;
  state.counters["GMAC/s"] = benchmark::Counter(static_cast<double>(s.macs) / 1e9,
                                                benchmark::Counter::kIsIterationInvariantRate);
  const double peak = int8_peak_macs();
  if (peak > 0) {
    state.counters["peak_frac"] = benchmark::Counter(
        static_cast<double>(s.macs) / peak, benchmark::Counter::kIsIterationInvariantRate);
  }
}

}  // namespace
}  // namespace opscope::bench

int main(int argc, char** argv) {
  using namespace opscope::bench;
  // Registered benchmarks keep pointers into this vector: it lives (and is
  // not resized) until main returns.
  static const std::vector<KernelCase> cases = kernel_cases();
  for (const KernelCase& c : cases) {
    const std::string op(opscope::to_string(c.spec.op));
    for (const char* backend : {"cpu", "xnnpack"}) {
      const std::string name = op + "/" + c.shape + "/" + backend;
      const std::string b = backend;
      benchmark::RegisterBenchmark(name.c_str(), [name, &c, b](benchmark::State& state) {
        run_kernel(state, name, c, b);
      })->Unit(benchmark::kMicrosecond);
    }
  }
  static const std::vector<KernelCase> int8_cases = int8_gemm_cases();
  for (const KernelCase& c : int8_cases) {
    for (const char* backend : {"native", "xnnpack", "cpu"}) {
      const std::string name = "INT8_CONV_GEMM/" + c.shape + "/" + backend;
      const std::string b = backend;
      benchmark::RegisterBenchmark(name.c_str(), [name, &c, b](benchmark::State& state) {
        run_int8_gemm(state, name, c, b);
      })->Unit(benchmark::kMicrosecond);
    }
  }
  // The default minimum time goes in as a flag ahead of the user's, not as
  // Benchmark::MinTime(): a later --benchmark_min_time overrides it, and the
  // names stay OP/SHAPE/BACKEND (MinTime would append "/min_time:0.100").
  std::string min_time = "--benchmark_min_time=" + std::to_string(kMinTimeS);
  std::vector<char*> args;
  args.push_back(argv[0]);
  args.push_back(min_time.data());
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  int args_count = static_cast<int>(args.size());
  args.push_back(nullptr);

  benchmark::AddCustomContext("opscope_threads", "1");
  benchmark::AddCustomContext("int8_peak_gmacs", std::to_string(int8_peak_macs() / 1e9));
  benchmark::AddCustomContext("opscope_timed", "Session::invoke() of a one-node model");
  benchmark::Initialize(&args_count, args.data());
  if (benchmark::ReportUnrecognizedArguments(args_count, args.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
