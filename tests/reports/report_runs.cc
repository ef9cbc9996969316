#include "tests/reports/report_runs.h"

#include <cstdlib>
#include <filesystem>
#include <string>

#include "harness/run_case.h"

namespace opscope::reports::testing {
namespace {

namespace fs = std::filesystem;

store::StoredRun stored(const harness::RunRequest& req, int64_t id, const char* when) {
  const ResultDocument doc = harness::run_case(req);
  store::StoredRun run;
  run.id = id;
  run.created_at = when;
  run.tags = {{"branch", "main"}};
  run.document = nlohmann::json::parse(to_json(doc).dump());
  run.doc = parse_result_document(run.document).value();
  return run;
}

harness::RunRequest request(const std::string& model, std::vector<std::string> backends,
                            int runs, int trace_invokes) {
  harness::RunRequest req;
  req.model_path = model;
  req.config.backends = std::move(backends);
  req.config.runs = runs;
  req.config.warmup_runs = 1;
  req.config.min_secs = 0;
  req.config.trace_invokes = trace_invokes;
  return req;
}

}  // namespace

bool models_required() {
  const char* req = std::getenv("OPSCOPE_REQUIRE_ORACLE");
  return req && std::string(req) == "1";
}

const std::vector<store::StoredRun>& real_runs() {
  static const std::vector<store::StoredRun> runs = [] {
    std::vector<store::StoredRun> v;
    const char* dir = std::getenv("OPSCOPE_MODEL_DIR");
    const fs::path model = fs::path(dir ? dir : "") / "selfie_segmentation.tflite";
    if (!fs::exists(model)) return v;
    v.push_back(stored(request(model.string(), {"xnnpack", "cpu"}, 20, kTraceInvokes), 1,
                       "2026-11-21T10:00:00Z"));
    v.push_back(stored(request(model.string(), {"cpu"}, 5, 2), 2, "2026-11-21T10:01:00Z"));
    v.push_back(stored(request((fs::temp_directory_path() / "no_such_model.tflite").string(),
                               {"cpu"}, 5, 2),
                       3, "2026-11-21T10:02:00Z"));
    return v;
  }();
  return runs;
}

}  // namespace opscope::reports::testing
