#include "harness/quant_diff.h"

#include <algorithm>
#include <chrono>

#include "harness/model_loader.h"
#include "harness/run_options.h"

namespace opscope::harness {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The same inputs `opscope quantize --calibration` would prepare.
Result<datasets::InputSet> load_inputs(const QuantDiffRequest& r, const Graph& g,
                                       std::string& source) {
  if (r.dataset.empty()) {
    const int n = r.inputs > 0 ? r.inputs : 4;
    source = std::to_string(n) + " seeded random input(s) (seed " + std::to_string(r.seed) + ")";
    return datasets::random_inputs(g, n, r.seed);
  }
  OPSCOPE_ASSIGN_OR_RETURN(datasets::ImageNormalization norm,
                           datasets::parse_image_normalization(r.range, r.mean, r.std));
  OPSCOPE_ASSIGN_OR_RETURN(datasets::InputSet set,
                           datasets::load_input_folder(r.dataset, g, norm, r.inputs));
  source = std::to_string(set.samples.size()) + " file(s) of " + r.dataset;
  return set;
}

Result<std::unique_ptr<Session>> capture_session(std::shared_ptr<const Model> model,
                                                 const QuantDiffRequest& r,
                                                 const std::string& path) {
  SessionOptions options;
  options.backends = split_backend_list(r.backends);
  options.threads = r.threads;
  options.keep_all_tensors = true;
  auto s = Session::create(std::move(model), options);
  if (!s.is_ok()) return s.status().with_prefix(path);
  return s;
}

std::string node_label(const Graph& g, int i) {
  const Node& n = g.nodes[i];
  return (n.type_name.empty() ? std::string(to_string(n.op)) : n.type_name) + " '" + n.name + "'";
}

}  // namespace

double QuantDiffReport::output_snr_db() const {
  const int i = task.output >= 0 ? task.output : 0;
  return i < static_cast<int>(outputs.size()) ? outputs[i].error.snr_db() : 0.0;
}

Result<QuantDiffReport> compute_quant_diff(const QuantDiffRequest& r) {
  const auto t0 = std::chrono::steady_clock::now();
  QuantDiffReport rep;
  rep.request = r;
  auto fm = load_model(r.float_model);
  if (!fm.is_ok()) return fm.status();
  auto qm = load_model(r.int8_model);
  if (!qm.is_ok()) return qm.status();
  const Graph& fg = (*fm)->graph;
  const Graph& qg = (*qm)->graph;
  OPSCOPE_RETURN_IF_ERROR(check_model_pair(fg, r.float_model, qg, r.int8_model));
  rep.by_source_index = has_source_indices(r.int8_model);
  if (!rep.by_source_index) {
    rep.warnings.push_back(r.int8_model +
                           " has no opscope.source_indices metadata (not written by `opscope "
                           "quantize`): ops are matched by output tensor name");
  }
  OPSCOPE_ASSIGN_OR_RETURN(OpMatching matching,
                           match_ops(fg, r.float_model, qg, r.int8_model, rep.by_source_index));
  OPSCOPE_ASSIGN_OR_RETURN(rep.task, plan_task(fg, r.task));
  OPSCOPE_ASSIGN_OR_RETURN(datasets::InputSet inputs, load_inputs(r, fg, rep.input_source));
  for (const std::string& w : inputs.warnings) rep.warnings.push_back(w);

  OPSCOPE_ASSIGN_OR_RETURN(std::unique_ptr<Session> fs,
                           capture_session(*fm, r, r.float_model));
  OPSCOPE_ASSIGN_OR_RETURN(std::unique_ptr<Session> qs, capture_session(*qm, r, r.int8_model));
  rep.load_s = seconds_since(t0);

  const auto t1 = std::chrono::steady_clock::now();
  OPSCOPE_ASSIGN_OR_RETURN(NumericResult num,
                           compare_numerics(*fs, *qs, matching, rep.task, inputs));
  rep.numerics_s = seconds_since(t1);

  rep.samples = num.samples;
  rep.metrics = num.task;
  rep.float_nodes = static_cast<int>(fg.nodes.size());
  rep.int8_nodes = static_cast<int>(qg.nodes.size());
  rep.unmatched_float = matching.unmatched_float;
  rep.unmatched_int8 = matching.unmatched_int8;
  rep.inserted_int8_nodes = matching.inserted_int8_nodes;
  for (size_t k = 0; k < matching.pairs.size(); ++k) {
    const OpPair& p = matching.pairs[k];
    const Node& fnode = fg.nodes[p.float_node];
    const Tensor& qt = qg.tensors[p.int8_tensor];
    QuantDiffRow row;
    row.float_node = p.float_node;
    row.int8_node = p.int8_node;
    row.source_index = fnode.source_index;
    row.name = fnode.name;
    row.type = fnode.type_name.empty() ? std::string(to_string(fnode.op)) : fnode.type_name;
    const Node& qnode = qg.nodes[p.int8_node];
    row.int8_type = qnode.type_name.empty() ? std::string(to_string(qnode.op)) : qnode.type_name;
    row.int8_dtype = std::string(to_string(qg.tensors[qnode.outputs[0]].dtype));
    row.fused_nodes = p.fused_float_nodes;
    for (int f : p.fused_float_nodes) row.fused.push_back(node_label(fg, f));
    row.error = num.ops[k];
    if (qt.dtype != DType::kF32 && qt.quantization.scales.size() == 1) {
      row.scale = qt.quantization.scales[0];
    }
    rep.rows.push_back(std::move(row));
  }
  for (int o = 0; o < static_cast<int>(fg.outputs.size()); ++o) {
    rep.outputs.push_back({fg.tensors[fg.outputs[o]].name, num.outputs[o]});
  }
  return rep;
}

void join_timings(QuantDiffReport& rep, const ResultDocument& f, const ResultDocument& q) {
  // By engine node index: both runs load the files as compute_quant_diff did.
  std::vector<double> f_us, q_us;
  for (const OpStats& op : f.ops) {
    if (op.index >= static_cast<int>(f_us.size())) f_us.resize(op.index + 1, 0);
    f_us[op.index] += op.median_us;
  }
  for (const OpStats& op : q.ops) {
    if (op.index >= static_cast<int>(q_us.size())) q_us.resize(op.index + 1, 0);
    q_us[op.index] += op.median_us;
    if (op.source_index < 0) rep.inserted_int8_us += op.median_us;
  }
  const auto at = [](const std::vector<double>& v, int i) {
    return i >= 0 && i < static_cast<int>(v.size()) ? v[i] : 0.0;
  };
  // A row's float time covers the float nodes fused into its int8 node, so
  // that the speedup compares the same work.
  for (QuantDiffRow& row : rep.rows) {
    row.float_us = at(f_us, row.float_node);
    for (int n : row.fused_nodes) row.float_us += at(f_us, n);
    row.int8_us = at(q_us, row.int8_node);
  }
  rep.timed = true;
  rep.float_median_ms = f.latency_ms.median;
  rep.int8_median_ms = q.latency_ms.median;
}

nlohmann::json to_json(const QuantDiffReport& rep) {
  using nlohmann::json;
  const QuantDiffRequest& r = rep.request;
  json ops = json::array();
  for (const QuantDiffRow& row : rep.rows) {
    ops.push_back({{"source_index", row.source_index},
                   {"name", row.name},
                   {"type", row.type},
                   {"float_node", row.float_node},
                   {"int8_node", row.int8_node},
                   {"int8_type", row.int8_type},
                   {"int8_dtype", row.int8_dtype},
                   {"fused", row.fused},
                   {"snr_db", row.error.snr_db()},
                   {"cosine", row.error.cosine()},
                   {"rmse", row.error.rmse()},
                   {"scale", row.scale},
                   {"rmse_over_scale", row.rmse_over_scale()},
                   {"max_abs_error", row.error.max_abs_error()},
                   {"float_us", row.float_us},
                   {"int8_us", row.int8_us},
                   {"speedup", row.int8_us > 0 ? row.float_us / row.int8_us : 0.0}});
  }
  json outputs = json::array();
  for (size_t i = 0; i < rep.outputs.size(); ++i) {
    const ErrorStats& e = rep.outputs[i].error;
    outputs.push_back({{"index", i},
                       {"name", rep.outputs[i].name},
                       {"snr_db", e.snr_db()},
                       {"cosine", e.cosine()},
                       {"rmse", e.rmse()},
                       {"max_abs_error", e.max_abs_error()}});
  }
  const TaskMetrics& m = rep.metrics;
  json details = json::object();
  switch (rep.task.task) {
    case QuantTask::kNone: break;
    case QuantTask::kSegment:
      details = {{"threshold", m.mask.threshold},
                 {"intersection_pixels", m.mask.intersection},
                 {"union_pixels", m.mask.union_},
                 {"float_pixels", m.mask.float_pixels},
                 {"int8_pixels", m.mask.int8_pixels}};
      break;
    case QuantTask::kDetect:
      details = {{"threshold", m.scores.threshold},
                 {"logits", m.scores.logits},
                 {"anchors_in_both", m.scores.both},
                 {"anchors_in_either", m.scores.either},
                 {"float_detections", m.scores.float_detections},
                 {"int8_detections", m.scores.int8_detections},
                 {"max_score_diff", m.scores.max_score_diff}};
      break;
    case QuantTask::kLandmarks:
      details = {{"points", m.landmarks.points}, {"dims", m.landmarks.dims},
                 {"unit", "input pixels"}};
      break;
    case QuantTask::kClassify:
      details = {{"agreeing_samples", m.top1.agree}, {"samples", m.top1.samples}};
      break;
  }
  const double total_s = rep.load_s + rep.numerics_s + rep.timing_s;
  return json{
      {"schema", "opscope.quant_diff"},
      {"version", 1},
      {"float_model", r.float_model},
      {"int8_model", r.int8_model},
      {"backends", r.backends},
      {"threads", r.threads},
      {"inputs", {{"source", rep.input_source}, {"samples", rep.samples}}},
      {"matching",
       {{"by", rep.by_source_index ? "source_index" : "tensor_name"},
        {"float_nodes", rep.float_nodes},
        {"int8_nodes", rep.int8_nodes},
        {"matched_ops", rep.rows.size()},
        {"inserted_int8_nodes", rep.inserted_int8_nodes},
        {"unmatched_float", rep.unmatched_float},
        {"unmatched_int8", rep.unmatched_int8}}},
      {"output_snr_db", rep.output_snr_db()},
      {"outputs", outputs},
      {"task",
       {{"task", task_name(rep.task.task)},
        {"metric", metric_name(rep.task.task)},
        {"value", m.value(rep.task.task)},
        {"output", rep.task.output},
        {"why", rep.task.why},
        {"details", details}}},
      {"timing",
       {{"measured", rep.timed},
        {"float_run_id", rep.float_run_id},
        {"int8_run_id", rep.int8_run_id},
        {"float_median_ms", rep.float_median_ms},
        {"int8_median_ms", rep.int8_median_ms},
        {"speedup", rep.int8_median_ms > 0 ? rep.float_median_ms / rep.int8_median_ms : 0.0},
        {"inserted_int8_us", rep.inserted_int8_us}}},
      {"ops", ops},
      {"warnings", rep.warnings},
      {"elapsed_s",
       {{"load", rep.load_s},
        {"numerics", rep.numerics_s},
        {"timing_runs", rep.timing_s},
        {"total", total_s}}},
  };
}

store::QuantDiff to_store_record(const QuantDiffReport& rep) {
  store::QuantDiff d;
  d.float_run_id = rep.float_run_id;
  d.int8_run_id = rep.int8_run_id;
  d.float_model = rep.request.float_model;
  d.int8_model = rep.request.int8_model;
  d.output_snr_db = rep.output_snr_db();
  d.task_metric = metric_name(rep.task.task);
  d.task_metric_value = rep.metrics.value(rep.task.task);
  for (const QuantDiffRow& row : rep.rows) {
    store::QuantDiffOp op;
    op.source_index = row.source_index;
    op.name = row.name;
    op.type = row.type;
    op.snr_db = row.error.snr_db();
    op.cosine = row.error.cosine();
    op.rmse_over_scale = row.rmse_over_scale();
    op.max_abs_error = row.error.max_abs_error();
    op.float_us = row.float_us;
    op.int8_us = row.int8_us;
    d.ops.push_back(std::move(op));
  }
  d.document = to_json(rep);
  return d;
}

}  // namespace opscope::harness
