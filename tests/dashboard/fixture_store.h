// The dashboard tests' fixture database, built with the real store code:
// a float and an int8 run of the selfie model on two backends (cpu and
// xnnpack,cpu), a failed run, and the float XNNPACK case at two more commits
// (the last one 20% slower, which the gate flags), and a stored quant-diff
// of the float/int8 pair on xnnpack,cpu.
#pragma once

#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "adapters/store/store.h"
#include "tests/dashboard/synthetic_runs.h"
#include "tests/util/scratch_dir.h"

namespace opscope::dashboard::testing {

struct FixtureIds {
  int64_t float_xnn = 0, float_cpu = 0, int8_xnn = 0, int8_cpu = 0, failed = 0;
  int64_t float_xnn_c2 = 0, float_xnn_c3 = 0;
  int64_t quant_diff = 0;  // of (float_xnn, int8_xnn)
  static constexpr int kRuns = 7;
};

inline int64_t must(Result<int64_t> r) {
  if (!r.is_ok()) throw std::runtime_error(r.status().message());
  return *r;
}

// What `opscope quant-diff` stores for the selfie pair: the error grows with
// depth (SNR falls from ~40 dB), every non-DEQUANTIZE float node matched.
inline store::QuantDiff synthetic_quant_diff(int64_t float_run, int64_t int8_run) {
  store::QuantDiff q;
  q.float_run_id = float_run;
  q.int8_run_id = int8_run;
  q.float_model = "/root/.cache/opscope/models/selfie_segmentation.tflite";
  q.int8_model = "results/selfie_segmentation_int8.tflite";
  q.output_snr_db = 21.7;
  q.task_metric = "mask_iou";
  q.task_metric_value = 0.962;
  const auto& cycle = selfie_op_cycle();
  for (int i = 0; i < 136; ++i) {
    const std::string type = cycle[static_cast<size_t>(i) % cycle.size()].type;
    if (type == "DEQUANTIZE") continue;
    store::QuantDiffOp op;
    op.source_index = i;
    op.name = "node_" + std::to_string(i);
    op.type = type;
    op.snr_db = 40.0 - 0.13 * i;
    op.cosine = 1.0 - std::pow(10.0, -op.snr_db / 10.0) / 2.0;
    op.rmse_over_scale = 0.3 + 0.004 * i;
    op.max_abs_error = 0.002 * (1 + i % 9);
    q.ops.push_back(op);
  }
  q.document = {{"output_snr_db", q.output_snr_db}, {"task_metric", q.task_metric}};
  return q;
}

inline FixtureIds build_fixture_store(const std::string& path) {
  auto opened = store::open_sqlite_store(path);
  if (!opened.is_ok()) throw std::runtime_error(opened.status().message());
  store::Store& db = **opened;
  FixtureIds ids;
  auto run = [&](SyntheticRun s, const std::string& variant, const std::string& commit,
                 const std::string& sweep) {
    return must(db.ingest(synthetic_document(s), {{"branch", "main"}, {"commit", commit}}, sweep,
                          variant));
  };
  SyntheticRun f;  // float on xnnpack,cpu
  f.median_ms = 7.0;
  f.seed = 1;
  ids.float_xnn = run(f, "float", "c1", "sw-fixture");
  SyntheticRun fc = f;
  fc.backends = {"cpu"};
  fc.median_ms = 15.8;
  fc.seed = 2;
  ids.float_cpu = run(fc, "float", "c1", "sw-fixture");
  SyntheticRun q = f;
  q.model = "selfie_segmentation_int8.tflite";
  q.precision = "int8";
  q.median_ms = 10.4;
  q.seed = 3;
  ids.int8_xnn = run(q, "int8", "c1", "sw-fixture");
  SyntheticRun qc = q;
  qc.backends = {"cpu"};
  qc.median_ms = 89.1;
  qc.seed = 4;
  ids.int8_cpu = run(qc, "int8", "c1", "sw-fixture");
  SyntheticRun bad;
  bad.model = "hand_landmark_full.tflite";
  bad.backends = {"cpu"};
  bad.failed = true;
  ids.failed = run(bad, "", "c1", "");
  SyntheticRun f2 = f;
  f2.seed = 5;
  ids.float_xnn_c2 = run(f2, "float", "c2", "");
  SyntheticRun f3 = f;
  f3.seed = 6;
  f3.median_ms = 8.4;  // 20% slower: the gate fails it against c2
  ids.float_xnn_c3 = run(f3, "float", "c3", "");
  ids.quant_diff = must(db.ingest_quant_diff(synthetic_quant_diff(ids.float_xnn, ids.int8_xnn)));
  return ids;
}

// A fresh folder under /tmp, removed at destruction.
struct ScratchDir : opscope::testing::ScratchDir {
  ScratchDir() : opscope::testing::ScratchDir("opscope-dashboard-test") {}
};

}  // namespace opscope::dashboard::testing
