#include "cli/cmd_store.h"

#include <cstdio>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/run_report.h"
#include "cli/store_options.h"
#include "cli/text_table.h"
#include "harness/exit_codes.h"
#include "result/utf8.h"

namespace opscope::cli {

// The commands drive the measurement library (harness/).
using namespace harness;  // NOLINT(build/namespaces)
namespace {

struct RunsCommand {
  std::string db = kDefaultStorePath;
  store::RunFilter filter;
  std::vector<std::string> tags;
  bool json = false;
};

std::string tags_text(const store::Tags& tags) {
  std::string s;
  for (const auto& [k, v] : tags) s += (s.empty() ? "" : " ") + k + "=" + v;
  return s;
}

nlohmann::json row_json(const store::RunRow& r) {
  return {{"id", r.id},           {"created_at", r.created_at}, {"model", r.model},
          {"model_path", r.model_path}, {"precision", r.precision}, {"variant", r.variant},
          {"device", r.device},   {"backends", r.backends},     {"threads", r.threads},
          {"median_ms", r.median_ms}, {"p90_ms", r.p90_ms},
          {"peak_rss_bytes", r.peak_rss_bytes}, {"status", r.status},
          {"sweep_id", r.sweep_id}, {"tags", r.tags}};
}

void print_runs_table(const std::vector<store::RunRow>& rows) {
  using Align = TextTable::Align;
  TextTable t;
  t.add_column("id");
  t.add_column("date (UTC)", Align::kLeft);
  t.add_column("model", Align::kLeft);
  t.add_column("variant", Align::kLeft);
  t.add_column("backend", Align::kLeft);
  t.add_column("threads");
  t.add_column("device", Align::kLeft);
  t.add_column("median_ms");
  t.add_column("p90_ms");
  t.add_column("peak RSS");
  t.add_column("status", Align::kLeft);
  t.add_column("tags", Align::kLeft);
  for (const store::RunRow& r : rows) {
    const bool ok = r.status == "ok";
    t.add_row({std::to_string(r.id), r.created_at, truncate_middle(r.model, 32), r.variant,
               r.backends, std::to_string(r.threads), truncate_middle(r.device, 20), ok ? format_fixed(r.median_ms, 3) : "-",
               ok ? format_fixed(r.p90_ms, 3) : "-", ok ? format_bytes(r.peak_rss_bytes) : "-",
               r.status, tags_text(r.tags)});
  }
  t.print(stdout);
}

int run_runs(RunsCommand& c) {
  auto tags = parse_tag_filters(c.tags);
  if (!tags.is_ok()) {
    std::fprintf(stderr, "opscope: error: %s\n", tags.status().message().c_str());
    return kExitUsage;
  }
  c.filter.tags = *tags;
  int exit_code = kExitOk;
  auto db = open_store_or_report(c.db, StoreAccess::kMustExist, exit_code);
  if (!db) return exit_code;
  auto rows = db->list_runs(c.filter);
  if (!rows.is_ok()) {
    std::fprintf(stderr, "opscope: error: %s\n", rows.status().message().c_str());
    return rows.status().code() == ErrorCode::kInvalidArgument ? kExitUsage : kExitStore;
  }
  if (c.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const store::RunRow& r : *rows) out.push_back(row_json(r));
    std::cout << dump_json(out, 1) << "\n";
  } else if (rows->empty()) {
    std::printf("no stored runs match\n");
  } else {
    print_runs_table(*rows);
  }
  return kExitOk;
}

struct ShowCommand {
  std::string db = kDefaultStorePath;
  std::string selector;
  RunReportOptions report;
  bool no_run_order = false;
  bool json = false;
};

void print_stored_header(const store::StoredRun& run) {
  std::printf("run     %lld, stored %s", static_cast<long long>(run.id), run.created_at.c_str());
  if (!run.variant.empty()) std::printf(", variant %s", run.variant.c_str());
  if (!run.sweep_id.empty()) std::printf(", sweep %s", run.sweep_id.c_str());
  if (!run.tags.empty()) std::printf(", tags %s", tags_text(run.tags).c_str());
  std::printf("\n");
}

int run_show(ShowCommand& c) {
  c.report.run_order = !c.no_run_order;
  int exit_code = kExitOk;
  auto db = open_store_or_report(c.db, StoreAccess::kMustExist, exit_code);
  if (!db) return exit_code;
  auto ids = db->select(c.selector);
  if (!ids.is_ok()) {
    std::fprintf(stderr, "opscope: error: %s\n", ids.status().message().c_str());
    return ids.status().code() == ErrorCode::kInvalidArgument ? kExitUsage : kExitStore;
  }
  if (ids->empty()) {
    std::fprintf(stderr, "opscope: error: no stored run matches '%s' in %s\n",
                 c.selector.c_str(), store::display_name(c.db).c_str());
    return kExitUsage;
  }
  nlohmann::json documents = nlohmann::json::array();
  for (size_t i = 0; i < ids->size(); ++i) {
    auto run = db->load_run((*ids)[i]);
    if (!run.is_ok()) {
      std::fprintf(stderr, "opscope: error: %s\n", run.status().message().c_str());
      return kExitStore;
    }
    if (c.json) {
      documents.push_back(run->document);
      continue;
    }
    if (i > 0) std::printf("\n");
    print_stored_header(*run);
    if (run->doc.status == "ok") {
      print_run_report(run->doc, c.report, stdout);
    } else {
      std::printf("model   %s\nstatus  error (%s): %s\n", run->doc.model.path.c_str(),
                  run->doc.error.code.c_str(), run->doc.error.message.c_str());
    }
  }
  if (c.json) std::cout << dump_json(documents.size() == 1 ? documents[0] : documents, 1) << "\n";
  return kExitOk;
}

}  // namespace

CliCommand add_runs_command(CLI::App& app) {
  auto c = std::make_shared<RunsCommand>();
  c->filter.limit = 50;
  CLI::App* sub = app.add_subcommand("runs", "List stored runs, newest first");
  add_db_option(*sub, c->db);
  sub->add_option("--model", c->filter.model, "Model name (file stem) or path");
  sub->add_option("--device", c->filter.device, "Device id (host name)");
  sub->add_option("--backend", c->filter.backend, "Runs whose backend list has this backend");
  sub->add_option("--tag", c->tags, "KEY=VALUE (repeatable: all must match)");
  sub->add_option("--variant", c->filter.variant, "Runs stored with this --variant");
  sub->add_option("--sweep", c->filter.sweep_id, "Runs of this sweep");
  sub->add_option("--since", c->filter.since, "From this date (YYYY-MM-DD[THH:MM:SSZ], UTC)");
  sub->add_option("--until", c->filter.until, "Up to this date, inclusive");
  sub->add_option("--status", c->filter.status, "ok or error")
      ->check(CLI::IsMember({"ok", "error"}));
  sub->add_option("--limit", c->filter.limit, "At most this many rows (0: all)")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  sub->add_flag("--json", c->json, "Print JSON instead of a table");
  return {sub, [c] { return run_runs(*c); }};
}

CliCommand add_show_command(CLI::App& app) {
  auto c = std::make_shared<ShowCommand>();
  CLI::App* sub = app.add_subcommand(
      "show", "Print stored runs as `opscope run` did. RUN is a run id or a selector: "
              "latest, 12,13, sweep:ID, sweep:latest, tag:KEY=VALUE, model:NAME, "
              "variant:LABEL, status:ok|error, joined by '+'");
  sub->add_option("run", c->selector, "Run id or selector")->required();
  add_db_option(*sub, c->db);
  sub->add_option("--top", c->report.top_n, "Rows of the top-operators table")
      ->capture_default_str();
  sub->add_flag("--no-run-order", c->no_run_order, "Skip the full run-order table");
  sub->add_flag("--json", c->json,
                "Print the stored result document (an array when several runs match)");
  return {sub, [c] { return run_show(*c); }};
}

}  // namespace opscope::cli
