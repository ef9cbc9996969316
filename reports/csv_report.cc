#include "reports/csv_report.h"

#include "reports/report_text.h"
#include "reports/units.h"

namespace opscope::reports {

// "mem KB" is what the node holds while it runs: live activations plus its
// scratch buffer (benchmark_model reports the heap growth during the node,
// which is 0 for an arena-planned interpreter; ours is the planned figure).
std::string render_csv(const std::vector<store::StoredRun>& runs) {
  std::string out =
      "node type,first,avg_ms,%,cdf%,mem KB,times called,name,"
      "run_id,model,backends,threads,index,source_index,backend,median_ms,"
      "min_ms,max_ms,macs,live_bytes,weights_bytes,scratch_bytes,output_shapes\n";
  for (const store::StoredRun& run : runs) {
    const auto& d = run.doc;
    const std::string backends = csv_field(join(d.config.backends, ","));
    for (const OpStats& op : d.ops) {
      const double mem_kb = static_cast<double>(op.live_bytes + op.scratch_bytes) / 1024.0;
      out += csv_field(op.type) + "," + format_fixed(op.first_us / 1e3, 6) + "," +
             format_fixed(op.mean_us / 1e3, 6) + "," + format_fixed(op.pct, 3) + "%," +
             format_fixed(op.cdf_pct, 3) + "%," + format_fixed(mem_kb, 3) + "," +
             std::to_string(op.count) + "," + csv_field(op.name) + "," +
             std::to_string(run.id) + "," + csv_field(d.model.name) + "," + backends + "," +
             std::to_string(d.config.threads) + "," + std::to_string(op.index) + "," +
             std::to_string(op.source_index) + "," + csv_field(op.backend) + "," +
             format_fixed(op.median_us / 1e3, 6) + "," + format_fixed(op.min_us / 1e3, 6) + "," +
             format_fixed(op.max_us / 1e3, 6) + "," + std::to_string(op.macs) + "," +
             std::to_string(op.live_bytes) + "," + std::to_string(op.weights_bytes) + "," +
             std::to_string(op.scratch_bytes) + "," +
             csv_field(join(op.output_shapes, ";")) + "\n";
    }
  }
  return out;
}

}  // namespace opscope::reports
