// `opscope quant-diff`: the per-op quantization debugger joined with
// latency. The numbers come from compare_numerics (quant_diff_compare.h),
// the per-op times from two ordinary timing runs (one per model, through
// the runner like `opscope run`); this file puts them into one report, its
// JSON document and its store record.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/store/store.h"
#include "harness/quant_diff_compare.h"
#include "harness/run_options.h"
#include "result/result_document.h"

namespace opscope::harness {

struct QuantDiffRequest {
  std::string float_model, int8_model;
  std::string dataset;   // a folder of images/.npy; empty: seeded random inputs
  int inputs = 0;        // random: how many (0: 4); dataset: at most this many (0: all)
  uint64_t seed = 1;
  std::string range = "0,1", mean = "0", std = "1";  // image normalization
  std::string backends = default_backend_list();  // the fastest this build has
  int threads = 1;
  std::string task = "auto";
};

struct QuantDiffRow {
  int float_node = -1, int8_node = -1;
  int source_index = -1;     // the float node's index in its file
  std::string name, type;    // the float node's
  std::string int8_type;     // the int8 node's op (QUANTIZE-free), e.g. CONV_2D
  std::string int8_dtype;    // its output dtype: "i8", or "f32" for a node kept float
  std::vector<int> fused_nodes;    // float nodes folded into this one (fused activations)
  std::vector<std::string> fused;  // the same as labels, "RELU 'x'"
  ErrorStats error;
  double scale = 0;          // the int8 output's scale; 0 when it is not int8
  double float_us = 0, int8_us = 0;  // 0 when not measured
  double rmse_over_scale() const { return scale > 0 ? error.rmse() / scale : 0; }
};

struct QuantDiffOutput {
  std::string name;
  ErrorStats error;
};

struct QuantDiffReport {
  QuantDiffRequest request;
  bool by_source_index = true;
  TaskPlan task;
  TaskMetrics metrics;
  std::vector<QuantDiffRow> rows;  // int8 execution order
  std::vector<QuantDiffOutput> outputs;
  std::vector<std::string> unmatched_float, unmatched_int8, warnings;
  int inserted_int8_nodes = 0;
  int float_nodes = 0, int8_nodes = 0;
  int samples = 0;
  std::string input_source;  // "photos in DIR" or "N seeded random inputs (seed S)"
  double load_s = 0, numerics_s = 0, timing_s = 0;

  // Filled by join_timings / the store.
  bool timed = false;
  int64_t float_run_id = 0, int8_run_id = 0;
  double float_median_ms = 0, int8_median_ms = 0;
  double inserted_int8_us = 0;  // the QUANTIZE/DEQUANTIZE nodes quantization added

  // The model-level output SNR: of the output the task metric reads, or of
  // output 0 without a task. (Not the worst output: a near-zero output such
  // as hand_landmark's presence score on photos without hands has a
  // meaningless SNR. Every output's SNR is in the JSON.)
  double output_snr_db() const;
};

// Loads and checks both models, pairs their ops, runs both on the inputs and
// fills every accuracy figure. Errors name the file and the reason (exit
// codes: exit_code_for(status.code())).
Result<QuantDiffReport> compute_quant_diff(const QuantDiffRequest& request);

// Per-op median times from the two timing runs' result documents, matched
// by engine node index (both runs load the models as compute_quant_diff
// did). A float row's time includes the float nodes fused into it.
void join_timings(QuantDiffReport& report, const ResultDocument& float_run,
                  const ResultDocument& int8_run);

// The whole report as JSON (docs/quantization.md "quant-diff" lists the
// fields), and the store's record of it.
nlohmann::json to_json(const QuantDiffReport& report);
store::QuantDiff to_store_record(const QuantDiffReport& report);

}  // namespace opscope::harness
