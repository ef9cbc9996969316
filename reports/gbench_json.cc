#include "reports/gbench_json.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <regex>

#include "harness/statistics.h"
#include "reports/report_text.h"

namespace opscope::reports {
namespace {

using nlohmann::ordered_json;
using nlohmann::json;

// "…@ 2.20GHz" in the CPU model string; 0 when absent.
int mhz_from_cpu_model(const std::string& cpu_model) {
  static const std::regex re(R"(@\s*([0-9.]+)\s*GHz)");
  std::smatch m;
  if (std::regex_search(cpu_model, m, re)) {
    return static_cast<int>(std::lround(std::stod(m[1].str()) * 1000.0));
  }
  return 0;
}

// Google Benchmark writes "2024-01-02T03:04:05+00:00"; we store "...Z".
std::string gbench_date(const std::string& iso) {
  if (!iso.empty() && iso.back() == 'Z') return iso.substr(0, iso.size() - 1) + "+00:00";
  return iso;
}

ordered_json context_of(const std::vector<store::StoredRun>& runs, const GbenchOptions& o) {
  ordered_json c;
  const ResultDocument first = runs.empty() ? ResultDocument{} : runs[0].doc;
  std::string build = first.tool.build_type;
  std::transform(build.begin(), build.end(), build.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  c["date"] = gbench_date(runs.empty() ? "" : runs[0].created_at);
  c["host_name"] = first.device.id;
  c["executable"] = o.executable;
  c["num_cpus"] = first.device.cores;
  c["mhz_per_cpu"] = mhz_from_cpu_model(first.device.cpu_model);
  // Google Benchmark's rule: scaling is on unless the governor is
  // "performance"; unknown (no cpufreq, as in most VMs) counts as off.
  c["cpu_scaling_enabled"] = !first.device.governor.empty() &&
                             first.device.governor != "performance" &&
                             first.device.governor != "unknown";
  c["caches"] = json::array();  // not captured by the runner
  c["load_avg"] = json::array();
  c["library_build_type"] = build == "debug" ? "debug" : "release";
  // Ours, beside the standard keys (readers ignore unknown ones).
  c["opscope_version"] = first.tool.version;
  c["opscope_git_commit"] = first.tool.git_commit;
  c["cpu_model"] = first.device.cpu_model;
  return c;
}

// The leading keys every row has; run_name follows them.
ordered_json row(const std::string& name, int family, const std::string& run_type,
                 int64_t repetitions) {
  ordered_json r;
  r["name"] = name;
  r["family_index"] = family;
  r["per_family_instance_index"] = 0;
  r["run_name"] = name;  // the caller resets it for aggregate rows
  r["run_type"] = run_type;
  r["repetitions"] = repetitions;
  return r;
}

}  // namespace

ordered_json render_gbench_json(const std::vector<store::StoredRun>& runs,
                                const GbenchOptions& o) {
  ordered_json benchmarks = ordered_json::array();
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto& d = runs[i].doc;
    const std::string name = case_name(runs[i]);
    const int family = static_cast<int>(i);
    const int threads = d.config.threads;
    if (d.status != "ok") {
      ordered_json r = row(name, family, "iteration", 1);
      r["repetition_index"] = 0;
      r["threads"] = threads;
      r["iterations"] = 0;
      r["real_time"] = 0.0;
      r["cpu_time"] = 0.0;
      r["time_unit"] = "ms";
      r["error_occurred"] = true;
      r["error_message"] = d.error.code + ": " + d.error.message;
      benchmarks.push_back(std::move(r));
      continue;
    }
    const std::vector<double>& s = d.latency_ms.samples;
    const int64_t n = static_cast<int64_t>(s.size());
    if (!o.aggregates_only) {
      for (int64_t k = 0; k < n; ++k) {
        ordered_json r = row(name, family, "iteration", n);
        r["repetition_index"] = k;
        r["threads"] = threads;
        r["iterations"] = 1;
        r["real_time"] = s[k];
        r["cpu_time"] = s[k];
        r["time_unit"] = "ms";
        benchmarks.push_back(std::move(r));
      }
    }
    if (n == 0) continue;
    // Recomputed from the samples, so the rows agree with each other even
    // for a document whose aggregates were written by another tool version.
    const LatencyStats st = harness::summarize_latency(s);
    const double cv = st.mean > 0 ? st.stddev / st.mean : 0.0;
    const std::pair<const char*, double> aggregates[] = {
        {"mean", st.mean}, {"median", st.median}, {"stddev", st.stddev}, {"cv", cv}};
    for (const auto& [agg, value] : aggregates) {
      const bool is_cv = std::string(agg) == "cv";
      ordered_json r = row(name + "_" + agg, family, "aggregate", n);
      r["run_name"] = name;
      r["threads"] = threads;
      r["aggregate_name"] = agg;
      r["aggregate_unit"] = is_cv ? "percentage" : "time";
      r["iterations"] = n;
      r["real_time"] = value;
      r["cpu_time"] = value;
      r["time_unit"] = "ms";
      benchmarks.push_back(std::move(r));
    }
  }
  ordered_json out;
  out["context"] = context_of(runs, o);
  out["benchmarks"] = std::move(benchmarks);
  return out;
}

}  // namespace opscope::reports
