#include "cli/quant_diff_text.h"

#include "cli/text_table.h"

namespace opscope::cli {

// The commands drive the measurement library (harness/).
using namespace harness;  // NOLINT(build/namespaces)
namespace {

std::string us_or_dash(double us) { return us > 0 ? format_fixed(us, 1) : "-"; }

std::string task_line(const QuantDiffReport& r) {
  const TaskMetrics& m = r.metrics;
  switch (r.task.task) {
    case QuantTask::kNone: return "task metric: none (" + r.task.why + ")";
    case QuantTask::kSegment:
      return "mask IoU (threshold " + format_fixed(m.mask.threshold, 2) + "): " +
             format_fixed(m.mask.iou(), 4) + "   [" + r.task.why + "]";
    case QuantTask::kDetect:
      return "score agreement (anchors with score >= " + format_fixed(m.scores.threshold, 2) +
             " in both / in either): " + format_fixed(m.scores.agreement(), 4) + " (" +
             std::to_string(m.scores.both) + "/" + std::to_string(m.scores.either) +
             "; float " + std::to_string(m.scores.float_detections) + ", int8 " +
             std::to_string(m.scores.int8_detections) + "), max score diff " +
             format_fixed(m.scores.max_score_diff, 4) + "   [" + r.task.why + "]";
    case QuantTask::kLandmarks:
      return "landmark RMSE: " + format_fixed(m.landmarks.rmse(), 3) + " px over " +
             std::to_string(m.landmarks.points) + " points   [" + r.task.why + "]";
    case QuantTask::kClassify:
      return "top-1 agreement: " + format_fixed(m.top1.agreement(), 4) + " (" +
             std::to_string(m.top1.agree) + "/" + std::to_string(m.top1.samples) + ")   [" +
             r.task.why + "]";
  }
  return "";
}

}  // namespace

void print_quant_diff(const QuantDiffReport& r, std::FILE* out) {
  std::fprintf(out, "quant-diff %s vs %s\n", r.request.float_model.c_str(),
               r.request.int8_model.c_str());
  std::fprintf(out, "  inputs: %s; backends %s, %d thread(s)\n", r.input_source.c_str(),
               r.request.backends.c_str(), r.request.threads);
  std::fprintf(out, "  ops matched by %s: %zu of %d float nodes (%zu unmatched), %d int8 "
                    "nodes (%d inserted QUANTIZE/DEQUANTIZE, %zu unmatched)\n",
               r.by_source_index ? "source index" : "output tensor name", r.rows.size(),
               r.float_nodes, r.unmatched_float.size(), r.int8_nodes, r.inserted_int8_nodes,
               r.unmatched_int8.size());
  std::fprintf(out, "  output SNR: %.2f dB (output %d)", r.output_snr_db(),
               r.task.output >= 0 ? r.task.output : 0);
  for (size_t i = 0; i < r.outputs.size() && r.outputs.size() > 1; ++i) {
    std::fprintf(out, "%s %s %.2f", i == 0 ? "; every output:" : ",", r.outputs[i].name.c_str(),
                 r.outputs[i].error.snr_db());
  }
  std::fprintf(out, "\n");
  std::fprintf(out, "  %s\n", task_line(r).c_str());
  if (r.timed) {
    std::fprintf(out, "  latency median: float %.3f ms, int8 %.3f ms (x%.2f); inserted "
                      "QUANTIZE/DEQUANTIZE %.1f us; runs %lld (float), %lld (int8)\n",
                 r.float_median_ms, r.int8_median_ms,
                 r.int8_median_ms > 0 ? r.float_median_ms / r.int8_median_ms : 0.0,
                 r.inserted_int8_us, static_cast<long long>(r.float_run_id),
                 static_cast<long long>(r.int8_run_id));
  }
  std::fprintf(out, "\n");

  TextTable t;
  t.add_column("src");
  t.add_column("name", TextTable::Align::kLeft);
  t.add_column("type", TextTable::Align::kLeft);
  t.add_column("int8");
  t.add_column("SNR dB");
  t.add_column("cosine");
  t.add_column("RMSE/scale");
  t.add_column("max|err|");
  t.add_column("float us");
  t.add_column("int8 us");
  t.add_column("speedup");
  for (const QuantDiffRow& row : r.rows) {
    std::string type = row.type;
    for (const std::string& f : row.fused) type += "+" + f.substr(0, f.find(' '));
    t.add_row({std::to_string(row.source_index), truncate_middle(row.name, 32), type,
               row.int8_dtype, format_fixed(row.error.snr_db(), 1),
               format_fixed(row.error.cosine(), 5),
               row.scale > 0 ? format_fixed(row.rmse_over_scale(), 3) : "-",
               format_fixed(row.error.max_abs_error(), 4), us_or_dash(row.float_us),
               us_or_dash(row.int8_us),
               row.int8_us > 0 && row.float_us > 0 ? format_fixed(row.float_us / row.int8_us, 2)
                                                   : "-"});
  }
  t.print(out);
  std::fprintf(out, "\nRMSE/scale: the error in units of the int8 output's step; ~0.289 "
                    "(1/sqrt(12)) is ideal rounding noise. int8 f32: a node the int8 model "
                    "keeps in float.\n");
  for (const std::string& s : r.unmatched_float) std::fprintf(out, "  unmatched float %s\n", s.c_str());
  for (const std::string& s : r.unmatched_int8) std::fprintf(out, "  unmatched int8 %s\n", s.c_str());
}

}  // namespace opscope::cli
