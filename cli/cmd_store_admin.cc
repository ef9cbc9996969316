#include "cli/cmd_store_admin.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "adapters/store/store.h"
#include "cli/store_options.h"
#include "harness/exit_codes.h"
#include "result/utf8.h"

namespace opscope::cli {

using namespace harness;  // NOLINT(build/namespaces)
namespace {

struct StoreAdminCommand {
  std::string store;          // init
  std::string from, to;       // push, pull
  std::string selector;       // push, pull: which runs (all when empty)
  bool json = false;
};

int fail(const Status& st, int code = kExitStore) {
  std::fprintf(stderr, "opscope: error: %s\n", st.message().c_str());
  return code;
}

int run_init(const StoreAdminCommand& c) {
  int exit_code = kExitOk;
  auto db = open_store_or_report(c.store, StoreAccess::kCreate, exit_code);
  if (!db) return exit_code;
  auto runs = db->list_runs({});
  if (!runs.is_ok()) return fail(runs.status());
  const std::string name = store::display_name(c.store);
  if (c.json) {
    std::cout << dump_json(nlohmann::json{{"store", name}, {"schema_version", store::schema_version()},
                            {"runs", runs->size()}}, 1)
              << "\n";
  } else {
    std::printf("store %s is at schema version %d and holds %zu runs\n", name.c_str(),
                store::schema_version(), runs->size());
  }
  return kExitOk;
}

// Copies the runs of `from` that `selector` picks (all when empty) into
// `to`, oldest first; runs whose uid `to` holds already are skipped.
int run_copy(const StoreAdminCommand& c) {
  int exit_code = kExitOk;
  auto from = open_store_or_report(c.from, StoreAccess::kMustExist, exit_code);
  if (!from) return exit_code;
  auto to = open_store_or_report(c.to, StoreAccess::kCreate, exit_code);
  if (!to) return exit_code;
  std::vector<int64_t> ids;
  if (c.selector.empty()) {
    auto rows = from->list_runs({});
    if (!rows.is_ok()) return fail(rows.status());
    for (auto it = rows->rbegin(); it != rows->rend(); ++it) ids.push_back(it->id);
  } else {
    auto selected = from->select(c.selector);
    if (!selected.is_ok()) {
      return fail(selected.status(), selected.status().code() == ErrorCode::kInvalidArgument
                                         ? kExitUsage
                                         : kExitStore);
    }
    ids = std::move(*selected);
  }
  const bool progress = isatty(STDERR_FILENO) != 0 && !c.json;
  size_t added = 0, present = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    auto run = from->load_run(ids[i]);
    if (!run.is_ok()) return fail(run.status());
    auto copied = to->copy_run(*run);
    if (!copied.is_ok()) return fail(copied.status());
    (copied->added ? added : present) += 1;
    if (progress && (i + 1) % 100 == 0) {
      std::fprintf(stderr, "\r%zu of %zu runs", i + 1, ids.size());
    }
  }
  if (progress && ids.size() >= 100) std::fprintf(stderr, "\r");
  const std::string from_name = store::display_name(c.from), to_name = store::display_name(c.to);
  if (c.json) {
    std::cout << dump_json(nlohmann::json{{"from", from_name}, {"to", to_name}, {"runs", ids.size()},
                            {"added", added}, {"already_there", present}}, 1)
              << "\n";
  } else {
    std::printf("%zu runs from %s: %zu added to %s, %zu there already\n", ids.size(),
                from_name.c_str(), added, to_name.c_str(), present);
  }
  return kExitOk;
}

void add_copy_options(CLI::App& sub, StoreAdminCommand& c) {
  sub.add_option("from", c.from, "The store to copy from (SQLite file or PostgreSQL URL)")
      ->required();
  sub.add_option("to", c.to, "The store to copy into (created or migrated if needed)")
      ->required();
  sub.add_option("--select", c.selector,
                 "Only the runs this selector picks (e.g. tag:branch=main, sweep:latest)");
  sub.add_flag("--json", c.json, "Print the counts as JSON");
}

}  // namespace

CliCommand add_store_admin_command(CLI::App& app) {
  auto c = std::make_shared<StoreAdminCommand>();
  CLI::App* sub = app.add_subcommand(
      "store", "Create, migrate and copy between results stores (SQLite files and "
               "PostgreSQL URLs); see docs/store.md");
  sub->require_subcommand(1);
  CLI::App* init = sub->add_subcommand(
      "init", "Create the store's schema, or bring an older one to this version (one "
              "transaction); a store of a newer opscope is refused untouched");
  init->add_option("store", c->store, "SQLite file or PostgreSQL URL")->required();
  init->add_flag("--json", c->json, "Print the result as JSON");
  CLI::App* push = sub->add_subcommand(
      "push", "Copy runs from FROM (e.g. a local opscope.db) into TO (e.g. the team's "
              "PostgreSQL); runs TO holds already (same uid) are skipped");
  add_copy_options(*push, *c);
  CLI::App* pull = sub->add_subcommand(
      "pull", "Copy runs from FROM (e.g. the team's PostgreSQL) into TO (e.g. a local file "
              "for offline work); runs TO holds already are skipped");
  add_copy_options(*pull, *c);
  return {sub, [c, init] { return *init ? run_init(*c) : run_copy(*c); }};
}

}  // namespace opscope::cli
