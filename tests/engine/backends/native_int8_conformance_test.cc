// The native backend ("native") against the reference int8 kernels
// ("cpu"): the same one-node int8 CONV_2D and FULLY_CONNECTED graphs run
// through a Session on {"native", "cpu"} and on {"cpu"}, and the outputs
// must be BIT-EXACT, on every instruction-set path this CPU can run
// (OPSCOPE_NATIVE_ISA forces portable, avx2, avxvnni, avx512vnni, or on
// aarch64 portable and neondot, in turn; the backend reads it when a
// session creates it; scripts/test_aarch64_native.sh runs this file under
// qemu-aarch64). Shapes are seeded and
// cover the edge cases of the GEMM and of the requantization: zero points
// at -128 and 127, saturation (tiny output scales, multipliers above 1,
// biases at the int32 limits, which wrap as in TFLite), channel counts not a
// multiple of the 16-channel panels, K not a multiple of 4, strides,
// dilation, SAME and VALID padding, per-tensor and per-channel weights,
// fused RELU / RELU6 / RELU_N1_TO_1, batches, FC batch 1 (GEMV) and 5.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/backends/native/native_env.h"
#include "engine/session.h"
#include "tests/engine/test_random.h"
#include "tests/engine/test_tensors.h"

namespace opscope::testing {
namespace {

struct Case {
  bool fc = false;
  bool per_channel = false;
  int64_t batch = 1, h = 9, w = 7, c = 8, out_c = 12;
  int kh = 3, kw = 3, stride = 1, dilation = 1;
  Padding padding = Padding::kSame;
  Activation activation = Activation::kNone;
  bool bias = true;
  bool extreme_bias = false;  // biases at the int32 limits (wrap)
  int32_t in_zp = -3, out_zp = 5;
  float in_scale = 0.05f, out_scale = 0.08f;
  uint32_t seed = 1;
  // ONNX Runtime's float requantization (a node made by QDQ fusion).
  Requantization requantization = Requantization::kFixedPoint;
};

std::string name_of(const Case& p) {
  std::string s = p.fc ? "fc" : "conv";
  s += p.per_channel ? "_pc" : "_pt";
  s += "_b" + std::to_string(p.batch);
  if (!p.fc) s += "_" + std::to_string(p.h) + "x" + std::to_string(p.w);
  s += "_c" + std::to_string(p.c) + "_o" + std::to_string(p.out_c);
  if (!p.fc) {
    s += "_k" + std::to_string(p.kh) + "x" + std::to_string(p.kw) + "s" +
         std::to_string(p.stride) + "d" + std::to_string(p.dilation) +
         (p.padding == Padding::kSame ? "same" : "valid");
  }
  s += "_a" + std::to_string(static_cast<int>(p.activation));
  s += "_zp" + std::to_string(p.in_zp) + "_" + std::to_string(p.out_zp);
  s += p.bias ? (p.extreme_bias ? "_bigbias" : "") : "_nobias";
  return s + (p.requantization == Requantization::kFixedPoint ? "" : "_ortfloat");
}

struct Built {
  Graph graph;
  std::vector<int8_t> input;
};

Built build(const Case& p) {
  Built b;
  const OpKind op = p.fc ? OpKind::kFullyConnected : OpKind::kConv2D;
  Attributes attrs;
  if (p.fc) {
    FullyConnectedAttrs a;
    a.activation = p.activation;
    attrs = a;
  } else {
    Conv2DAttrs a;
    a.padding = p.padding;
    a.stride_h = a.stride_w = p.stride;
    a.dilation_h = a.dilation_w = p.dilation;
    a.activation = p.activation;
    attrs = a;
  }
  b.graph = one_node_graph(op, attrs);
  Graph& g = b.graph;
  g.nodes[0].requantization = p.requantization;
  const Shape in_shape = p.fc ? Shape{p.batch, p.c} : Shape{p.batch, p.h, p.w, p.c};
  const Shape w_shape = p.fc ? Shape{p.out_c, p.c} : Shape{p.out_c, p.kh, p.kw, p.c};
  const int64_t k = p.fc ? p.c : p.kh * p.kw * p.c;
  b.input = random_ints<int8_t>(static_cast<size_t>(num_elements(in_shape)), p.seed, -128, 127);
  const std::vector<int8_t> weights =
      random_ints<int8_t>(static_cast<size_t>(p.out_c * k), p.seed + 1, -127, 127);
  std::vector<float> scales(p.per_channel ? p.out_c : 1, 0.004f);
  if (p.per_channel) {
    for (int64_t o = 0; o < p.out_c; ++o) scales[o] = 0.0011f + 0.0007f * (o % 9);
  }
  const int in = add_test_tensor(g, "in", TensorRole::kInput, DType::kI8, in_shape,
                                 per_tensor(p.in_scale, p.in_zp));
  g.inputs.push_back(in);
  g.nodes[0].inputs.push_back(in);
  const Quantization wq = p.per_channel ? per_channel(scales, 0) : per_tensor(scales[0], 0);
  g.nodes[0].inputs.push_back(add_test_tensor(g, "w", TensorRole::kConstant, DType::kI8,
                                              w_shape, wq, bytes_of(weights)));
  if (p.bias) {
    std::vector<int32_t> bias = random_ints<int32_t>(static_cast<size_t>(p.out_c), p.seed + 2,
                                                     -3000, 3000);
    if (p.extreme_bias) {
      for (int64_t o = 0; o < p.out_c; o += 2) {
        bias[o] = o % 4 == 0 ? std::numeric_limits<int32_t>::max()
                             : std::numeric_limits<int32_t>::min() + 5;
      }
    }
    Quantization bq;
    for (float s : scales) bq.scales.push_back(p.in_scale * s);
    bq.zero_points.assign(bq.scales.size(), 0);
    bq.axis = p.per_channel ? 0 : -1;
    g.nodes[0].inputs.push_back(add_test_tensor(g, "bias", TensorRole::kConstant, DType::kI32,
                                                {p.out_c}, bq, bytes_of(bias)));
  } else {
    g.nodes[0].inputs.push_back(-1);
  }
  const int out = add_test_tensor(g, "out", TensorRole::kOutput, DType::kI8, {},
                                  per_tensor(p.out_scale, p.out_zp));
  g.outputs.push_back(out);
  g.nodes[0].outputs.push_back(out);
  return b;
}

struct Ran {
  std::string backend;  // what node 0 ran on
  std::string why;      // why earlier backends declined it
  std::vector<int8_t> output;
};

Result<Ran> run(const Built& b, const std::vector<std::string>& backends, int threads = 1) {
  auto model = std::make_shared<Model>();
  model->graph = b.graph;
  model->info.name = "one_node";
  OPSCOPE_RETURN_IF_ERROR(validate_graph(model->graph));
  SessionOptions options;
  options.backends = backends;
  options.threads = threads;
  OPSCOPE_ASSIGN_OR_RETURN(std::unique_ptr<Session> session, Session::create(model, options));
  std::memcpy(session->input_data(0), b.input.data(), b.input.size());
  OPSCOPE_RETURN_IF_ERROR(session->invoke());
  Ran r;
  const int backend = session->partition_plan().node_backend[0];
  if (backend >= 0) r.backend = session->backend_names()[backend];
  r.why = session->partition_plan().fallback_reason[0];
  const Tensor& t = session->output_tensor(0);
  const auto* data = static_cast<const int8_t*>(session->output_data(0));
  r.output.assign(data, data + t.bytes());
  return r;
}

// The ISA levels this CPU runs, lowest first.
std::vector<native::Isa> runnable_isas() {
  std::vector<native::Isa> isas;
  for (native::Isa i : {native::Isa::kPortable, native::Isa::kAvx2, native::Isa::kAvxVnni,
                        native::Isa::kAvx512Vnni, native::Isa::kNeonDot}) {
    if (native::cpu_has(i)) isas.push_back(i);
  }
  return isas;
}

// Sets OPSCOPE_NATIVE_ISA for the sessions created in its scope.
class ForcedIsa {
 public:
  explicit ForcedIsa(native::Isa isa) {
    setenv("OPSCOPE_NATIVE_ISA", std::string(native::to_string(isa)).c_str(), 1);
  }
  ~ForcedIsa() { unsetenv("OPSCOPE_NATIVE_ISA"); }
};

void expect_bit_exact(const Case& p, int threads = 1) {
  const Built b = build(p);
  Result<Ran> want = run(b, {"cpu"});
  ASSERT_TRUE(want.is_ok()) << want.status().to_string();
  for (native::Isa isa : runnable_isas()) {
    SCOPED_TRACE(std::string(native::to_string(isa)));
    ForcedIsa forced(isa);
    ASSERT_EQ(native::selected_isa(), isa);
    Result<Ran> got = run(b, {"native", "cpu"}, threads);
    ASSERT_TRUE(got.is_ok()) << got.status().to_string();
    ASSERT_EQ(got->backend, "native") << got->why;
    ASSERT_EQ(got->output.size(), want->output.size());
    size_t diff = 0, first = 0;
    for (size_t i = 0; i < got->output.size(); ++i) {
      if (got->output[i] != want->output[i] && diff++ == 0) first = i;
    }
    EXPECT_EQ(diff, 0u) << "first at " << first << ": " << int{got->output[first]} << " vs "
                        << int{want->output[first]};
  }
}

class NativeInt8Conformance : public ::testing::TestWithParam<Case> {};

TEST_P(NativeInt8Conformance, BitExactWithReferenceOnEveryIsa) { expect_bit_exact(GetParam()); }

std::vector<Case> cases() {
  std::vector<Case> out;
  uint32_t seed = 100;
  constexpr Activation kActs[] = {Activation::kNone, Activation::kRelu, Activation::kRelu6,
                                  Activation::kReluN1To1};
  // Hand-picked edges.
  {
    Case p;  // zero points at the ends, saturating output scale
    p.in_zp = -128;
    p.out_zp = 127;
    p.out_scale = 0.002f;
    p.c = 17;
    p.out_c = 33;
    p.seed = seed++;
    out.push_back(p);
    p.in_zp = 127;
    p.out_zp = -128;
    p.per_channel = true;
    p.seed = seed++;
    out.push_back(p);
  }
  {
    Case p;  // multipliers above 1: left shifts that saturate
    p.out_scale = 1e-5f;
    p.c = 3;
    p.out_c = 17;
    p.per_channel = true;
    p.seed = seed++;
    out.push_back(p);
    p.per_channel = false;
    p.out_scale = 1e-4f;
    p.kh = p.kw = 1;
    p.c = 16;
    p.seed = seed++;
    out.push_back(p);
  }
  {
    Case p;  // biases at the int32 limits wrap as in the reference
    p.extreme_bias = true;
    p.per_channel = true;
    p.c = 5;
    p.out_c = 20;
    p.seed = seed++;
    out.push_back(p);
    p.fc = true;
    p.batch = 3;
    p.c = 24;
    p.seed = seed++;
    out.push_back(p);
  }
  // 1x1 convolutions: direct on the input (C % 4 == 0) or copied rows.
  for (int64_t c : {1, 3, 4, 16, 17, 32, 64}) {
    for (int64_t oc : {1, 16, 24, 72}) {
      Case p;
      p.kh = p.kw = 1;
      p.padding = Padding::kValid;
      p.h = 11;
      p.w = 13;
      p.c = c;
      p.out_c = oc;
      p.per_channel = (c + oc) % 2 == 0;
      p.activation = kActs[seed % 4];
      p.in_zp = static_cast<int32_t>(seed * 37 % 256) - 128;
      p.out_zp = static_cast<int32_t>(seed * 91 % 256) - 128;
      p.batch = c == 16 ? 2 : 1;
      p.seed = seed++;
      out.push_back(p);
    }
  }
  // 1x1 16 -> 16 (selfie_segmentation's 128x128 ones), which AVX-512 VNNI
  // runs four rows per vector (qgemm_avx512.cc, rows4_k16n16): its exact
  // shape, row counts with every remainder mod 4 (and mod the 48-row
  // grain), batches, zero points at the ends, every activation, and scales
  // outside the one-rounding form (left shifts; right shifts past its
  // limit) that keep the general tiles.
  {
    struct Sq {
      int64_t batch, h, w;
      int32_t in_zp, out_zp;
      float out_scale;
    };
    const Sq sq[] = {{1, 128, 128, -3, 5, 0.08f},   {1, 1, 1, 12, -7, 0.08f},
                     {1, 1, 2, -128, 127, 0.08f},   {1, 1, 3, 127, -128, 0.03f},
                     {2, 5, 7, 40, 0, 0.08f},       {1, 7, 7, -20, 100, 0.002f},
                     {3, 4, 13, 0, 0, 0.2f},        {1, 6, 9, -5, 3, 1e-4f},
                     {1, 5, 5, 1, -1, 5000.0f},     {1, 64, 64, -100, -60, 0.05f}};
    int j = 0;
    for (const Sq& q : sq) {
      Case p;
      p.kh = p.kw = 1;
      p.padding = j % 2 == 0 ? Padding::kSame : Padding::kValid;
      p.batch = q.batch;
      p.h = q.h;
      p.w = q.w;
      p.c = 16;
      p.out_c = 16;
      p.in_zp = q.in_zp;
      p.out_zp = q.out_zp;
      p.out_scale = q.out_scale;
      p.per_channel = j % 3 != 1;
      p.activation = kActs[j % 4];
      p.bias = j != 3;
      p.extreme_bias = j == 8;
      p.seed = seed++;
      out.push_back(p);
      ++j;
    }
  }
  // Windows: kernel sizes, strides, dilation, padding, odd channel counts.
  struct Window {
    int kh, kw, stride, dilation;
    Padding padding;
  };
  const Window windows[] = {{3, 3, 1, 1, Padding::kSame},  {3, 3, 2, 1, Padding::kSame},
                            {3, 3, 2, 1, Padding::kValid}, {3, 3, 1, 2, Padding::kSame},
                            {5, 5, 1, 1, Padding::kSame},  {1, 1, 2, 1, Padding::kValid},
                            {2, 3, 1, 1, Padding::kValid}, {3, 1, 2, 2, Padding::kSame}};
  const int64_t channels[][2] = {{1, 1}, {3, 16}, {3, 33}, {8, 17}, {17, 48},
                                 {33, 64}, {64, 65}, {13, 7}};
  int i = 0;
  for (const Window& win : windows) {
    for (int j = 0; j < 3; ++j, ++i) {
      const auto& ch = channels[(i * 3 + j) % 8];
      Case p;
      p.kh = win.kh;
      p.kw = win.kw;
      p.stride = win.stride;
      p.dilation = win.dilation;
      p.padding = win.padding;
      p.c = ch[0];
      p.out_c = ch[1];
      p.h = 6 + (i * 5) % 13;
      p.w = 5 + (i * 7) % 11;
      p.batch = i % 5 == 4 ? 2 : 1;
      p.per_channel = i % 2 == 1;
      p.activation = kActs[i % 4];
      p.bias = i % 6 != 5;
      p.in_zp = static_cast<int32_t>(seed * 37 % 256) - 128;
      p.out_zp = static_cast<int32_t>(seed * 91 % 256) - 128;
      p.seed = seed++;
      out.push_back(p);
    }
  }
  // Stems: few channels (a window row of k_w * C <= 32 bytes goes through
  // the zero-point-bordered copy), 7x7 and 3x3 at stride 2, with SAME
  // padding on every border (even and odd sizes) and VALID.
  for (int64_t c : {1, 2, 3, 4}) {
    for (int k : {7, 3}) {
      for (int64_t hw : {16, 17}) {
        Case p;
        p.kh = p.kw = k;
        p.stride = 2;
        p.c = c;
        p.out_c = c == 3 ? 64 : 16 + c;
        p.h = hw;
        p.w = hw + 3;
        p.padding = hw == 17 && k == 3 && c == 2 ? Padding::kValid : Padding::kSame;
        p.batch = c == 4 && hw == 17 ? 2 : 1;
        p.per_channel = true;
        p.activation = kActs[seed % 4];
        p.in_zp = static_cast<int32_t>(seed * 37 % 256) - 128;
        p.out_zp = static_cast<int32_t>(seed * 91 % 256) - 128;
        p.seed = seed++;
        out.push_back(p);
      }
    }
  }
  // Window rows of whole 4-byte groups wider than 32 bytes: read in place
  // (QGemmBlock::ind) where the ISA can, with copies at the left and right
  // borders and a zero-point row above and below.
  struct Indirect {
    int k, stride;
    int64_t c, out_c, h, w;
    Padding padding;
  };
  const Indirect indirect[] = {{3, 1, 16, 64, 9, 11, Padding::kSame},
                               {3, 2, 16, 40, 10, 9, Padding::kSame},
                               {3, 1, 12, 16, 7, 8, Padding::kValid},
                               {5, 1, 12, 33, 8, 8, Padding::kSame},
                               {3, 2, 64, 72, 8, 7, Padding::kSame},
                               {7, 2, 8, 20, 15, 16, Padding::kSame}};
  for (const Indirect& ind : indirect) {
    Case p;
    p.kh = p.kw = ind.k;
    p.stride = ind.stride;
    p.c = ind.c;
    p.out_c = ind.out_c;
    p.h = ind.h;
    p.w = ind.w;
    p.padding = ind.padding;
    p.per_channel = seed % 2 == 0;
    p.activation = kActs[seed % 4];
    p.batch = ind.c == 12 ? 2 : 1;
    p.in_zp = static_cast<int32_t>(seed * 37 % 256) - 128;
    p.out_zp = static_cast<int32_t>(seed * 91 % 256) - 128;
    p.seed = seed++;
    out.push_back(p);
  }
  {
    Case p;  // right shifts past the one-rounding form's limit (qgemm.h)
    p.kh = p.kw = 3;
    p.stride = 2;
    p.c = 3;
    p.out_c = 16;
    p.h = p.w = 12;
    p.out_scale = 5000.0f;
    p.extreme_bias = true;
    p.seed = seed++;
    out.push_back(p);
  }
  // A deep patch (K = 3 * 3 * 128) and a row count with a remainder for every tile.
  {
    Case p;
    p.h = 7;
    p.w = 9;
    p.c = 128;
    p.out_c = 80;
    p.per_channel = true;
    p.activation = Activation::kRelu6;
    p.seed = seed++;
    out.push_back(p);
  }
  // FULLY_CONNECTED: batch 1 (GEMV) and 5, in sizes not a multiple of 4.
  for (int64_t batch : {1, 5, 50}) {
    for (int64_t in : {1, 3, 40, 1152}) {
      for (int64_t oc : {1, 17, 63, 64}) {
        Case p;
        p.fc = true;
        p.batch = batch;
        p.c = in;
        p.out_c = oc;
        p.per_channel = oc % 2 == 1;
        p.activation = kActs[seed % 4];
        p.in_zp = static_cast<int32_t>(seed * 37 % 256) - 128;
        p.out_zp = static_cast<int32_t>(seed * 91 % 256) - 128;
        p.out_scale = in > 100 ? 0.5f : 0.08f;
        p.seed = seed++;
        out.push_back(p);
      }
    }
  }
  // Every case again with ONNX Runtime's float requantization.
  const size_t fixed_cases = out.size();
  for (size_t i = 0; i < fixed_cases; ++i) {
    Case p = out[i];
    p.requantization = Requantization::kFloat;
    out.push_back(p);
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Shapes, NativeInt8Conformance, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string s = name_of(info.param);
                           for (char& ch : s) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return s;
                         });

TEST(NativeInt8, TwoThreadsBitExact) {
  Case conv;
  conv.h = conv.w = 20;
  conv.c = 32;
  conv.out_c = 40;
  conv.per_channel = true;
  expect_bit_exact(conv, 2);
  Case pointwise = conv;
  pointwise.kh = pointwise.kw = 1;
  pointwise.h = pointwise.w = 3;  // few rows: split by channels
  expect_bit_exact(pointwise, 2);
  Case stem;  // the bordered copy, shared by the tasks
  stem.h = stem.w = 31;
  stem.kh = stem.kw = 7;
  stem.stride = 2;
  stem.c = 3;
  stem.out_c = 24;
  stem.per_channel = true;
  expect_bit_exact(stem, 2);
  Case fc;
  fc.fc = true;
  fc.c = 1152;
  fc.out_c = 63;
  expect_bit_exact(fc, 2);
}

TEST(NativeInt8, DeclinesFloatNodesWithAReason) {
  Graph g = one_node_graph(OpKind::kConv2D, Conv2DAttrs{});
  const int in = add_test_tensor(g, "in", TensorRole::kInput, DType::kF32, {1, 4, 4, 3}, {});
  g.inputs.push_back(in);
  g.nodes[0].inputs.push_back(in);
  const std::vector<float> w(2 * 3, 0.5f);
  g.nodes[0].inputs.push_back(
      add_test_tensor(g, "w", TensorRole::kConstant, DType::kF32, {2, 1, 1, 3}, {}, bytes_of(w)));
  const int out = add_test_tensor(g, "out", TensorRole::kOutput, DType::kF32, {}, {});
  g.outputs.push_back(out);
  g.nodes[0].outputs.push_back(out);
  Built b;
  b.graph = g;
  b.input.assign(4 * 4 * 3 * sizeof(float), 0);
  Result<Ran> r = run(b, {"native", "cpu"});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->backend, "cpu");
  EXPECT_NE(r->why.find("int8"), std::string::npos) << r->why;
}

// OPSCOPE_EXPECT_NATIVE_ISA=<name> (scripts/test_aarch64_native.sh sets
// neondot): that ISA is one the tests above ran, so a CPU or emulator
// without it fails here instead of testing fewer paths in silence.
TEST(NativeInt8, ExpectedIsaIsTested) {
  const char* want = std::getenv("OPSCOPE_EXPECT_NATIVE_ISA");
  if (want == nullptr) GTEST_SKIP() << "OPSCOPE_EXPECT_NATIVE_ISA is not set";
  native::Isa isa;
  ASSERT_TRUE(native::parse_isa(want, &isa)) << want;
  EXPECT_TRUE(native::cpu_has(isa)) << want << " is not available on this CPU";
  EXPECT_EQ(native::detect_isa(), isa) << "the best ISA here is not " << want;
}

TEST(NativeInt8, ForcedIsaFallsBackWhenUnknown) {
  setenv("OPSCOPE_NATIVE_ISA", "no-such-isa", 1);
  EXPECT_EQ(native::selected_isa(), native::detect_isa());
  unsetenv("OPSCOPE_NATIVE_ISA");
}

}  // namespace
}  // namespace opscope::testing
