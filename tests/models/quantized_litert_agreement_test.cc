// opscope's int8 models, checked by LiteRT.js (the official TFLite runtime):
// each visible model is quantized by engine/transforms/quantize, calibrated
// on the real photographs (datasets/fetch_photos.sh), and written with our
// TFLite writer. Then, on photographs:
//  - LiteRT.js loads and runs our int8 file (end-to-end differences are
//    printed: 1-LSB rounding differences between TFLite's fixed-point
//    kernels and XNNPACK's compound through 50+ layers);
//  - every int8 node of it, fed the same int8 inputs (captured from our
//    run), gives the same output in LiteRT.js and in opscope (reference cpu,
//    and xnnpack,cpu) within 1 LSB per element: all int8 nodes are written
//    side by side as independent single-op islands into one model, so one
//    LiteRT.js run checks them all;
//  - a float model re-written by our writer gives LiteRT.js the same
//    outputs as the original file;
//  - selfie_segmentation's int8 mask keeps IoU >= 0.90 against the float
//    mask, pooled over the photos (printed per photo). The photos are also
//    the calibration set: an in-sample figure.
// Models from $OPSCOPE_MODEL_DIR, photos from $OPSCOPE_PHOTO_DIR, LiteRT.js
// from $OPSCOPE_NODE_DIR; skipped when missing unless OPSCOPE_REQUIRE_ORACLE=1.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "adapters/devices/local_process.h"
#include "adapters/formats/tflite/tflite_reader.h"
#include "adapters/formats/tflite/tflite_writer.h"
#include "datasets/calibration_set.h"
#include "datasets/npy.h"
#include "engine/session.h"
#include "engine/transforms/quantize/quantize_model.h"
#include "harness/model_loader.h"
#include "tests/models/oracle_test_util.h"

namespace opscope {
namespace {

namespace fs = std::filesystem;

using opscope::testing::env_or;

struct Case {
  const char* model;
  float lo, hi;  // the model's input range (--range)
};

struct Paths {
  fs::path model, photos, node_dir, oracle, work;
};

// Every tensor a node writes, after one cpu run of `model` on `input`:
// bytes by tensor id (a copy of the graph where each is a graph output).
std::vector<std::vector<uint8_t>> capture_tensors(const Model& model,
                                                  const std::vector<uint8_t>& input) {
  auto copy = std::make_shared<Model>(model);
  Graph& g = copy->graph;
  std::vector<int> out_index(g.tensors.size(), -1);
  for (size_t k = 0; k < g.outputs.size(); ++k) out_index[g.outputs[k]] = static_cast<int>(k);
  for (const Node& n : g.nodes) {
    for (int t : n.outputs) {
      if (out_index[t] >= 0) continue;
      out_index[t] = static_cast<int>(g.outputs.size());
      g.outputs.push_back(t);
      g.tensors[t].role = TensorRole::kOutput;
    }
  }
  std::vector<std::vector<uint8_t>> values(g.tensors.size());
  auto s = Session::create(copy, {});
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  if (!s.is_ok()) return values;
  Session& session = **s;
  std::memcpy(session.input_data(0), input.data(), input.size());
  EXPECT_TRUE(session.invoke().is_ok());
  values[g.inputs[0]] = input;
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    if (out_index[t] < 0) continue;
    const auto* p = static_cast<const uint8_t*>(session.output_data(out_index[t]));
    values[t].assign(p, p + session.output_tensor(out_index[t]).bytes());
  }
  return values;
}

// Every node of `g` that reads or writes int8, as independent single-op
// islands of one graph: each node's activation inputs become graph inputs
// (their values in `values`, appended to `feeds`), its output a graph
// output. Constants are shared with `g`.
Graph int8_islands(const Graph& g, const std::vector<std::vector<uint8_t>>& values,
                   std::vector<std::vector<uint8_t>>& feeds) {
  Graph out;
  out.tensors = g.tensors;
  for (Tensor& t : out.tensors) {
    if (!t.is_constant()) t.role = TensorRole::kIntermediate;
  }
  for (const Node& n : g.nodes) {
    bool int8 = false;
    for (int t : n.inputs) int8 = int8 || (t >= 0 && g.tensors[t].dtype == DType::kI8);
    for (int t : n.outputs) int8 = int8 || g.tensors[t].dtype == DType::kI8;
    if (!int8) continue;
    Node island = n;
    for (int& t : island.inputs) {
      if (t < 0 || g.tensors[t].is_constant()) continue;
      Tensor in = g.tensors[t];
      in.name += "@" + n.name;
      in.role = TensorRole::kInput;
      feeds.push_back(values[t]);
      t = out.add_tensor(std::move(in));
      out.inputs.push_back(t);
    }
    Tensor o = g.tensors[n.outputs[0]];
    o.role = TensorRole::kOutput;
    island.outputs = {out.add_tensor(std::move(o))};
    out.outputs.push_back(island.outputs[0]);
    out.nodes.push_back(std::move(island));
  }
  return out;
}

// Outputs of `model` run on `backends` with `feeds` (one per input), as
// raw bytes.
std::vector<std::vector<uint8_t>> run_ours(std::shared_ptr<const Model> model,
                                           const std::vector<std::string>& backends,
                                           const std::vector<std::vector<uint8_t>>& feeds) {
  SessionOptions o;
  o.backends = backends;
  auto s = Session::create(model, o);
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  if (!s.is_ok()) return {};
  Session& session = **s;
  for (int i = 0; i < session.num_inputs(); ++i) {
    std::memcpy(session.input_data(i), feeds[i].data(), feeds[i].size());
  }
  EXPECT_TRUE(session.invoke().is_ok());
  std::vector<std::vector<uint8_t>> outs;
  for (int i = 0; i < session.num_outputs(); ++i) {
    const auto* p = static_cast<const uint8_t*>(session.output_data(i));
    outs.emplace_back(p, p + session.output_tensor(i).bytes());
  }
  return outs;
}

std::vector<std::vector<uint8_t>> run_litert(const Paths& p, const fs::path& model,
                                             const std::vector<fs::path>& inputs,
                                             const std::string& tag) {
  const fs::path out = p.work / ("litert_" + tag);
  std::vector<std::string> args = {"node", p.oracle.string(), "--model", model.string(),
                                   "--out-dir", out.string(), "--node-dir", p.node_dir.string()};
  for (const fs::path& in : inputs) {
    args.push_back("--input");
    args.push_back(in.string());
  }
  auto outcome = devices::run_local_process("/usr/bin/env", args);
  EXPECT_TRUE(outcome.is_ok() && !outcome->signaled && outcome->exit_code == 0)
      << "run_litert.mjs failed on " << model;
  std::vector<std::vector<uint8_t>> outs;
  for (int i = 0;; ++i) {
    const fs::path f = out / ("output_" + std::to_string(i) + ".npy");
    if (!fs::exists(f)) break;
    auto a = datasets::read_npy(f);
    EXPECT_TRUE(a.is_ok()) << f;
    if (!a.is_ok()) break;
    outs.push_back(std::move(a->data));
  }
  return outs;
}

std::vector<float> as_floats(const std::vector<uint8_t>& bytes) {
  std::vector<float> v(bytes.size() / sizeof(float));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
  return v;
}

// Largest element difference of two outputs of dtype `dtype` (int8: in
// LSB; f32: absolute).
double max_diff(DType dtype, const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  double m = 0;
  if (dtype == DType::kI8) {
    for (size_t k = 0; k < a.size(); ++k) {
      m = std::max(m, std::fabs(double(int8_t(a[k])) - double(int8_t(b[k]))));
    }
    return m;
  }
  const auto x = as_floats(a), y = as_floats(b);
  for (size_t k = 0; k < x.size(); ++k) {
    const double d = std::fabs(double(x[k]) - y[k]);
    m = std::isnan(d) ? INFINITY : std::max(m, d);
  }
  return m;
}

double mask_iou(const std::vector<float>& a, const std::vector<float>& b, int64_t& both,
                int64_t& either) {
  int64_t n_both = 0, n_either = 0;
  for (size_t k = 0; k < a.size(); ++k) {
    n_both += a[k] > 0.5f && b[k] > 0.5f;
    n_either += a[k] > 0.5f || b[k] > 0.5f;
  }
  both += n_both;
  either += n_either;
  return n_either == 0 ? 1.0 : static_cast<double>(n_both) / n_either;
}

fs::path write_feed(const fs::path& path, const Tensor& t, const std::vector<uint8_t>& bytes) {
  datasets::NpyArray a;
  a.dtype = t.dtype;
  a.shape = t.shape;
  a.data = bytes;
  EXPECT_TRUE(datasets::write_npy(path, a).is_ok()) << path;
  return path;
}

class QuantizedLiteRt : public ::testing::TestWithParam<Case> {};

TEST_P(QuantizedLiteRt, Int8OutputsMatchLiteRtWithinOneLsb) {
  const Case& c = GetParam();
  const std::string home = env_or("HOME", "/root");
  Paths p;
  p.model = fs::path(env_or("OPSCOPE_MODEL_DIR", home + "/.cache/opscope/models")) /
            (std::string(c.model) + ".tflite");
  p.photos = env_or("OPSCOPE_PHOTO_DIR", home + "/.cache/opscope/photos");
  p.node_dir = env_or("OPSCOPE_NODE_DIR", home + "/.cache/opscope/node");
  p.oracle = fs::path(env_or("OPSCOPE_SOURCE_DIR", ".")) / "tools/litert/run_litert.mjs";
  if (!fs::exists(p.model) || !fs::is_directory(p.photos) ||
      !fs::exists(p.node_dir / "node_modules/@litertjs/core") || !fs::exists(p.oracle)) {
    if (env_or("OPSCOPE_REQUIRE_ORACLE", "0") == "1") FAIL() << "model, photos or LiteRT.js missing";
    GTEST_SKIP() << "model, photos or LiteRT.js not installed";
  }
  p.work = fs::temp_directory_path() /
           ("opscope-qagree-" + std::string(c.model) + "-" + std::to_string(::getpid()));
  fs::remove_all(p.work);
  fs::create_directories(p.work);

  auto loaded = harness::load_model(p.model.string());
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  std::shared_ptr<const Model> float_model = loaded.value();
  datasets::ImageNormalization norm;
  norm.lo = c.lo;
  norm.hi = c.hi;
  auto photos = datasets::load_input_folder(p.photos, float_model->graph, norm);
  ASSERT_TRUE(photos.is_ok()) << photos.status().to_string();
  const auto& samples = photos->samples;
  ASSERT_GE(samples.size(), 4u);

  // Percentile ranges: with minmax, a few outlier activations stretch the
  // ranges and the selfie mask IoU falls to 0.54 pooled (percentile: 0.93;
  // mse: 0.86; measured on these photos).
  QuantizeOptions options;
  options.method = RangeMethod::kPercentile;
#if OPSCOPE_WITH_XNNPACK
  options.calibration_backends = {"xnnpack", "cpu"};
#endif
  QuantizeReport report;
  auto fill = [&](int k, Session& s) {
    std::memcpy(s.input_data(0), samples[k].inputs[0].data(), samples[k].inputs[0].size());
    return Status::ok();
  };
  auto q = quantize_model(float_model, static_cast<int>(samples.size()), fill, options, &report);
  ASSERT_TRUE(q.is_ok()) << q.status().to_string();
  const fs::path int8_file = p.work / "int8.tflite";
  const fs::path float_file = p.work / "float.tflite";
  ASSERT_TRUE(tflite::write_tflite_file((*q)->graph, int8_file.string()).is_ok());
  ASSERT_TRUE(tflite::write_tflite_file(float_model->graph, float_file.string()).is_ok());
  // What we run is what we wrote.
  auto int8_model = harness::load_model(int8_file.string());
  ASSERT_TRUE(int8_model.is_ok()) << int8_model.status().to_string();
  const Graph& g8 = (*int8_model)->graph;
  std::printf("  %-26s %d int8 / %d float nodes, %d fused, %zu calibration photos\n", c.model,
              report.int8_nodes, report.float_nodes, report.fused_activations, samples.size());

  std::vector<std::vector<std::string>> configs = {{"cpu"}};
#if OPSCOPE_WITH_XNNPACK
  configs.push_back({"xnnpack", "cpu"});
#endif
  const Tensor& input = float_model->graph.tensors[float_model->graph.inputs[0]];

  // Per node: all int8 nodes as islands, fed what our cpu run computed on
  // the first photo.
  {
    const auto values = capture_tensors(**int8_model, samples[0].inputs[0]);
    std::vector<std::vector<uint8_t>> feeds;
    auto islands = std::make_shared<Model>();
    islands->graph = int8_islands(g8, values, feeds);
    islands->storage = (*int8_model)->storage;
    const fs::path islands_file = p.work / "islands.tflite";
    ASSERT_TRUE(tflite::write_tflite_file(islands->graph, islands_file.string()).is_ok());
    auto reloaded = harness::load_model(islands_file.string());
    ASSERT_TRUE(reloaded.is_ok()) << reloaded.status().to_string();
    const Graph& gi = (*reloaded)->graph;
    std::vector<fs::path> feed_files;
    for (size_t i = 0; i < feeds.size(); ++i) {
      feed_files.push_back(write_feed(p.work / ("feed_" + std::to_string(i) + ".npy"),
                                      gi.tensors[gi.inputs[i]], feeds[i]));
    }
    const auto ref = run_litert(p, islands_file, feed_files, "islands");
    ASSERT_EQ(ref.size(), gi.outputs.size());
    for (const auto& backends : configs) {
      const auto ours = run_ours(*reloaded, backends, feeds);
      ASSERT_EQ(ours.size(), ref.size());
      double worst = 0;
      int worst_node = 0, off = 0;
      for (size_t i = 0; i < ours.size(); ++i) {
        const Tensor& t = gi.tensors[gi.outputs[i]];
        const double d = max_diff(t.dtype, ours[i], ref[i]);
        const double limit = t.dtype == DType::kI8 ? 1.0 : 1e-6;
        if (d > limit) ++off;
        EXPECT_LE(d, limit) << c.model << " " << backends[0] << ": "
                            << describe_node(gi, static_cast<int>(i)) << " differs from LiteRT.js";
        if (t.dtype == DType::kI8 && d > worst) {
          worst = d;
          worst_node = static_cast<int>(i);
        }
      }
      std::printf("  %-26s %-12s per node: %zu int8 nodes vs LiteRT.js, max %g LSB (%s), %d over\n",
                  c.model, backends.size() > 1 ? "xnnpack,cpu" : "cpu", ours.size(), worst,
                  describe_node(gi, worst_node).c_str(), off);
    }
  }

  // End to end, on photographs.
  int64_t both = 0, either = 0;
  const size_t checked = samples.size();
  for (size_t k = 0; k < checked; ++k) {
    const fs::path npy =
        write_feed(p.work / ("input_" + std::to_string(k) + ".npy"), input, samples[k].inputs[0]);
    const auto ref8 = run_litert(p, int8_file, {npy}, "int8_" + std::to_string(k));
    const auto ref_orig = run_litert(p, p.model, {npy}, "orig_" + std::to_string(k));
    const auto ref_ours = run_litert(p, float_file, {npy}, "rewritten_" + std::to_string(k));
    ASSERT_EQ(ref8.size(), g8.outputs.size());
    ASSERT_EQ(ref_orig.size(), ref_ours.size());
    for (size_t i = 0; i < ref_orig.size(); ++i) {
      EXPECT_EQ(ref_orig[i], ref_ours[i])
          << "LiteRT.js: re-written float model differs from the original, output " << i;
    }
    for (const auto& backends : configs) {
      const auto ours = run_ours(*int8_model, backends, {samples[k].inputs[0]});
      ASSERT_EQ(ours.size(), ref8.size());
      for (size_t i = 0; i < ours.size(); ++i) {
        const auto a = as_floats(ours[i]), b = as_floats(ref8[i]);
        double err = 0, top = 0;
        for (size_t e = 0; e < a.size(); ++e) {
          err = std::max(err, std::fabs(double(a[e]) - b[e]));
          top = std::max(top, std::fabs(double(b[e])));
        }
        std::printf("  %-26s %-12s %-20s output %zu end to end: max |ours - LiteRT.js| %.3g "
                    "(max |LiteRT.js| %.3g)\n",
                    c.model, backends.size() > 1 ? "xnnpack,cpu" : "cpu",
                    samples[k].source.c_str(), i, err, top);
      }
    }
    if (std::string(c.model) == "selfie_segmentation") {
      const auto f = run_ours(float_model, {"cpu"}, {samples[k].inputs[0]});
      const double iou = mask_iou(as_floats(f[0]), as_floats(ref8[0]), both, either);
      std::printf("  selfie_segmentation mask IoU int8 (LiteRT.js) vs float on %s: %.4f\n",
                  samples[k].source.c_str(), iou);
    }
  }
  if (std::string(c.model) == "selfie_segmentation") {
    const double pooled = either == 0 ? 1.0 : static_cast<double>(both) / either;
    std::printf("  selfie_segmentation mask IoU pooled over %zu photos: %.4f\n", checked, pooled);
    EXPECT_GE(pooled, 0.90);
  }
  // OPSCOPE_KEEP_WORK=1 keeps the models, inputs and outputs for a look.
  if (env_or("OPSCOPE_KEEP_WORK", "0") != "1") fs::remove_all(p.work);
}

INSTANTIATE_TEST_SUITE_P(VisibleModels, QuantizedLiteRt,
                         ::testing::Values(Case{"selfie_segmentation", 0, 1},
                                           Case{"face_detection_full_range", -1, 1},
                                           Case{"hand_landmark_full", 0, 1}),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return std::string(info.param.model);
                         });

}  // namespace
}  // namespace opscope
