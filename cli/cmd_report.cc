#include "cli/cmd_report.h"

#include <cstdio>
#include <memory>
#include <set>

#include <CLI/CLI.hpp>

#include "cli/store_options.h"
#include "harness/exit_codes.h"
#include "reports/report_writer.h"

namespace opscope::cli {

// The commands drive the measurement library (harness/).
using namespace harness;  // NOLINT(build/namespaces)
namespace {

struct ReportCommand {
  std::string db = kDefaultStorePath;
  std::vector<std::string> selectors;  // each a run id or a selector
  std::string format;
  std::string output;
  reports::ReportOptions options;
};

int run_report(ReportCommand& c) {
  auto format = reports::parse_format(c.format);
  if (!format.is_ok()) {
    std::fprintf(stderr, "opscope: error: %s\n", format.status().message().c_str());
    return kExitUsage;
  }
  int exit_code = kExitOk;
  auto db = open_store_or_report(c.db, StoreAccess::kMustExist, exit_code);
  if (!db) return exit_code;

  // Runs in the order the user named them (the first is the comparison's
  // base), each once.
  std::vector<int64_t> ids;
  std::set<int64_t> seen;
  for (const std::string& sel : c.selectors) {
    auto matched = db->select(sel);
    if (!matched.is_ok()) {
      std::fprintf(stderr, "opscope: error: %s\n", matched.status().message().c_str());
      return matched.status().code() == ErrorCode::kInvalidArgument ? kExitUsage : kExitStore;
    }
    if (matched->empty()) {
      std::fprintf(stderr, "opscope: error: no stored run matches '%s' in %s\n", sel.c_str(),
                   store::display_name(c.db).c_str());
      return kExitUsage;
    }
    for (int64_t id : *matched) {
      if (seen.insert(id).second) ids.push_back(id);
    }
  }
  std::vector<store::StoredRun> runs;
  for (int64_t id : ids) {
    auto run = db->load_run(id);
    if (!run.is_ok()) {
      std::fprintf(stderr, "opscope: error: %s\n", run.status().message().c_str());
      return kExitStore;
    }
    runs.push_back(std::move(run).value());
  }
  Status st = reports::write_report(*format, runs, c.options, c.output);
  if (!st.is_ok()) {
    std::fprintf(stderr, "opscope: error: %s\n", st.message().c_str());
    return kExitIo;
  }
  std::fprintf(stderr, "opscope: wrote %s report of %zu run(s) to %s\n",
               std::string(reports::format_name(*format)).c_str(), runs.size(),
               c.output.c_str());
  return kExitOk;
}

}  // namespace

CliCommand add_report_command(CLI::App& app) {
  auto c = std::make_shared<ReportCommand>();
  CLI::App* sub = app.add_subcommand(
      "report",
      "Write a report of stored runs: md, html (one self-contained file), csv (per-op "
      "profile), junit, chrome-trace (Perfetto / chrome://tracing), gbench-json (Google "
      "Benchmark JSON). With several runs the first is the comparison's base");
  sub->add_option("runs", c->selectors,
                  "Run ids or selectors (latest, 12,13, sweep:ID, tag:KEY=VALUE, "
                  "model:NAME, ... joined by '+')")
      ->required();
  sub->add_option("--format,-f", c->format, reports::format_names())->required();
  sub->add_option("-o,--output", c->output, "The file to write")->required();
  add_db_option(*sub, c->db);
  sub->add_option("--title", c->options.title, "Title of the report")->capture_default_str();
  sub->add_option("--top", c->options.top_n, "md: rows of each top-operators table")
      ->capture_default_str()->check(CLI::PositiveNumber);
  sub->add_flag("--aggregates-only", c->options.aggregates_only,
                "gbench-json: only the mean/median/stddev/cv rows (one row per name, for "
                "github-action-benchmark)");
  return {sub, [c] { return run_report(*c); }};
}

}  // namespace opscope::cli
