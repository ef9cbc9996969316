// quant-diff on a real model: selfie_segmentation against its int8 variant
// made by `opscope quantize`'s own code from the real photos. Every float
// op is accounted for (matched or fused), the mask IoU holds, the capture
// session option keeps every activation apart, the fallback matching by
// tensor name works on a file without source indices, and mismatched pairs
// are refused.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>

#include <gtest/gtest.h>

#include "adapters/formats/tflite/tflite_writer.h"
#include "engine/backend.h"
#include "harness/exit_codes.h"
#include "harness/model_loader.h"
#include "harness/quant_diff.h"
#include "harness/quantize_file.h"

namespace opscope::harness {
namespace {

namespace fs = std::filesystem;

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

std::string home() { return env_or("HOME", "/root"); }
std::string models() { return env_or("OPSCOPE_MODEL_DIR", home() + "/.cache/opscope/models"); }
std::string photos() { return env_or("OPSCOPE_PHOTO_DIR", home() + "/.cache/opscope/photos"); }

std::string backends() {
  for (const std::string& b : available_backends()) {
    if (b == "xnnpack") return "xnnpack,cpu";
  }
  return "cpu";
}

// The int8 selfie model, quantized once for the whole suite.
class QuantDiffSelfie : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    float_model_ = models() + "/selfie_segmentation.tflite";
    if (!fs::exists(float_model_) || !fs::is_directory(photos())) return;
    dir_ = fs::temp_directory_path() / ("opscope-qd-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    int8_model_ = (dir_ / "selfie_int8.tflite").string();
    QuantizeRequest q;
    q.model = float_model_;
    q.out = int8_model_;
    q.calibration = photos();
    q.backends = backends();
    std::FILE* log = std::tmpfile();
    quantize_exit_ = run_quantize(q, log);
    std::fclose(log);
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  void SetUp() override {
    if (int8_model_.empty()) GTEST_SKIP() << "selfie_segmentation or the photos not fetched";
    ASSERT_EQ(quantize_exit_, kExitOk) << "opscope quantize failed";
  }
  QuantDiffRequest request() const {
    QuantDiffRequest r;
    r.float_model = float_model_;
    r.int8_model = int8_model_;
    r.dataset = photos();
    r.backends = backends();
    return r;
  }

  static inline std::string float_model_, int8_model_;
  static inline fs::path dir_;
  static inline int quantize_exit_ = -1;
};

TEST_F(QuantDiffSelfie, EveryOpMatchedAndTheMaskHolds) {
  auto rep = compute_quant_diff(request());
  ASSERT_TRUE(rep.is_ok()) << rep.status().message();
  EXPECT_TRUE(rep->by_source_index);
  EXPECT_EQ(rep->samples, 8);
  EXPECT_TRUE(rep->unmatched_float.empty()) << rep->unmatched_float.front();
  EXPECT_TRUE(rep->unmatched_int8.empty()) << rep->unmatched_int8.front();
  // Every float node is one row's own node or fused into one, exactly once.
  std::set<int> covered;
  for (const QuantDiffRow& row : rep->rows) {
    EXPECT_TRUE(covered.insert(row.float_node).second) << row.name;
    for (int f : row.fused_nodes) EXPECT_TRUE(covered.insert(f).second) << row.name;
  }
  EXPECT_EQ(static_cast<int>(covered.size()), rep->float_nodes);
  EXPECT_EQ(static_cast<int>(rep->rows.size()) + rep->inserted_int8_nodes, rep->int8_nodes);

  ASSERT_EQ(rep->task.task, QuantTask::kSegment);
  EXPECT_GE(rep->metrics.mask.iou(), 0.90);
  EXPECT_GT(rep->output_snr_db(), 5.0);
  for (const QuantDiffRow& row : rep->rows) {
    SCOPED_TRACE(row.name);
    EXPECT_GT(row.error.cosine(), 0.5);
    EXPECT_GT(row.error.count, 0);
    if (row.int8_dtype == "i8") {
      EXPECT_GT(row.scale, 0.0);
      // No better than rounding noise allows (a slack for values that sit
      // on a few levels only), no worse than a broken kernel would give.
      EXPECT_GT(row.rmse_over_scale(), 0.05);
      EXPECT_LT(row.rmse_over_scale(), 100.0);
    }
  }
  // The first convolution sees only its input's rounding: it must be the
  // closest to float (int8 errors compound downstream).
  EXPECT_GT(rep->rows.front().error.snr_db(), rep->rows.back().error.snr_db());

  const nlohmann::json j = to_json(*rep);
  EXPECT_EQ(j["task"]["metric"], "mask_iou");
  EXPECT_EQ(j["ops"].size(), rep->rows.size());
  EXPECT_EQ(j["matching"]["by"], "source_index");
  const store::QuantDiff record = to_store_record(*rep);
  EXPECT_EQ(record.task_metric, "mask_iou");
  EXPECT_DOUBLE_EQ(record.task_metric_value, rep->metrics.mask.iou());
  EXPECT_EQ(record.ops.size(), rep->rows.size());
}

TEST_F(QuantDiffSelfie, KeepAllTensorsGivesEveryActivationItsOwnBytes) {
  auto model = load_model(float_model_);
  ASSERT_TRUE(model.is_ok());
  SessionOptions plain, keep;
  keep.keep_all_tensors = true;
  auto a = Session::create(*model, plain);
  auto b = Session::create(*model, keep);
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  const Graph& g = (*b)->graph();
  // No two activations overlap in the capture layout...
  std::vector<std::pair<uintptr_t, uintptr_t>> spans;
  for (int id = 0; id < static_cast<int>(g.tensors.size()); ++id) {
    const void* p = (*b)->tensor_data(id);
    if (p == nullptr || g.tensors[id].is_constant()) continue;
    const auto begin = reinterpret_cast<uintptr_t>(p);
    spans.emplace_back(begin, begin + g.tensors[id].bytes());
  }
  std::sort(spans.begin(), spans.end());
  for (size_t i = 1; i < spans.size(); ++i) EXPECT_LE(spans[i - 1].second, spans[i].first);
  // ...while the plain plan does reuse the arena (or the test proves nothing).
  EXPECT_LT((*a)->memory_plan().arena_bytes, (*b)->memory_plan().arena_bytes);
  // Same outputs, bit for bit.
  for (auto* s : {a->get(), b->get()}) {
    std::memset(s->input_data(0), 0, s->input_tensor(0).bytes());
    static_cast<float*>(s->input_data(0))[5] = 0.75f;
    ASSERT_TRUE(s->invoke().is_ok());
  }
  EXPECT_EQ(std::memcmp((*a)->output_data(0), (*b)->output_data(0),
                        (*a)->output_tensor(0).bytes()), 0);
}

TEST_F(QuantDiffSelfie, WithoutSourceIndicesMatchesByTensorNameAndSaysSo) {
  auto int8 = load_model(int8_model_);
  ASSERT_TRUE(int8.is_ok());
  Model copy = **int8;
  // Source index == position everywhere: the writer then stores no table,
  // as a file from another tool would have none.
  for (size_t i = 0; i < copy.graph.nodes.size(); ++i) {
    copy.graph.nodes[i].source_index = static_cast<int>(i);
  }
  const std::string plain = (dir_ / "selfie_int8_plain.tflite").string();
  ASSERT_TRUE(tflite::write_tflite_file(copy.graph, plain).is_ok());
  EXPECT_TRUE(has_source_indices(int8_model_));
  EXPECT_FALSE(has_source_indices(plain));
  QuantDiffRequest r = request();
  r.int8_model = plain;
  r.dataset.clear();
  r.inputs = 2;
  auto rep = compute_quant_diff(r);
  ASSERT_TRUE(rep.is_ok()) << rep.status().message();
  EXPECT_FALSE(rep->by_source_index);
  ASSERT_FALSE(rep->warnings.empty());
  EXPECT_NE(rep->warnings.front().find("matched by output tensor name"), std::string::npos);
  // Names survive quantization for most activations.
  EXPECT_GT(rep->rows.size(), 80u);
}

TEST_F(QuantDiffSelfie, RefusesSwappedAndMismatchedModels) {
  QuantDiffRequest swapped = request();
  std::swap(swapped.float_model, swapped.int8_model);
  auto a = compute_quant_diff(swapped);
  ASSERT_FALSE(a.is_ok());
  EXPECT_EQ(exit_code_for(a.status().code()), kExitTypeMismatch);
  EXPECT_NE(a.status().message().find(int8_model_ + ": not a float model"), std::string::npos)
      << a.status().message();

  QuantDiffRequest both_float = request();
  both_float.int8_model = float_model_;
  auto b = compute_quant_diff(both_float);
  ASSERT_FALSE(b.is_ok());
  EXPECT_NE(b.status().message().find("not a quantized model"), std::string::npos)
      << b.status().message();

  const std::string face = models() + "/face_detection_full_range.tflite";
  if (!fs::exists(face)) return;
  QuantDiffRequest other = request();
  other.float_model = face;
  auto c = compute_quant_diff(other);
  ASSERT_FALSE(c.is_ok());
  EXPECT_EQ(exit_code_for(c.status().code()), kExitShapeMismatch);
  EXPECT_NE(c.status().message().find("have different inputs"), std::string::npos)
      << c.status().message();
}

}  // namespace
}  // namespace opscope::harness
