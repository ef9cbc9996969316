#include "cli/store_options.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include <CLI/CLI.hpp>

#include "harness/exit_codes.h"

namespace opscope::cli {

// The commands drive the measurement library (harness/).
using namespace harness;  // NOLINT(build/namespaces)

void add_db_option(CLI::App& app, std::string& db) {
  app.add_option("--db", db,
                 "Results store: a SQLite file, or a PostgreSQL URL "
                 "(postgresql://USER@HOST:PORT/DATABASE; the password from ~/.pgpass or "
                 "PGPASSFILE). Default: $OPSCOPE_DB, else opscope.db")
      ->envname("OPSCOPE_DB")
      ->capture_default_str();
}

void add_store_flags(CLI::App& app, StoreFlags& flags, bool with_variant) {
  add_db_option(app, flags.db);
  app.add_flag("--no-store", flags.no_store, "Do not store the result");
  app.add_option("--tag", flags.tags,
                 "Store with this tag, KEY=VALUE (repeatable), e.g. --tag branch=main");
  if (!with_variant) return;
  app.add_option("--variant", flags.variant,
                 "Store with this label, e.g. float or int8 (runs and selectors filter on it)");
}

Result<std::vector<std::pair<std::string, std::string>>> parse_tag_filters(
    const std::vector<std::string>& items) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& item : items) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status(ErrorCode::kInvalidArgument,
                    "--tag '" + item + "' is not KEY=VALUE (e.g. --tag branch=main)");
    }
    out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
  }
  return out;
}

Result<store::Tags> parse_tags(const std::vector<std::string>& items) {
  OPSCOPE_ASSIGN_OR_RETURN(auto pairs, parse_tag_filters(items));
  store::Tags tags;
  for (auto& [key, value] : pairs) {
    if (tags.count(key) != 0) {
      return Status(ErrorCode::kInvalidArgument, "--tag " + key + " is given twice");
    }
    tags[key] = value;
  }
  return tags;
}

namespace {

std::unique_ptr<store::Store> opened_or_report(Result<std::unique_ptr<store::Store>> store,
                                               int& exit_code) {
  if (!store.is_ok()) {
    std::fprintf(stderr, "opscope: error: %s\n", store.status().message().c_str());
    exit_code = kExitStore;
    return nullptr;
  }
  return std::move(store).value();
}

// Before a migration that takes a while: why the command is slow this once.
void say_migrating(const std::string& note) {
  std::fprintf(stderr, "opscope: %s\n", note.c_str());
}

}  // namespace

std::unique_ptr<store::Store> open_store_or_report(const std::string& db, StoreAccess access,
                                                   int& exit_code) {
  if (store::is_postgres_url(db)) {
    // The server keeps its own integrity; a reader never creates or
    // migrates the schema.
    store::PostgresOptions options;
    options.read_only = access == StoreAccess::kMustExist;
    options.on_long_migration = say_migrating;
    return opened_or_report(store::open_postgres_store(db, options), exit_code);
  }
  std::error_code ec;
  if (access == StoreAccess::kMustExist && !std::filesystem::exists(db, ec)) {
    std::fprintf(stderr,
                 "opscope: error: no results store at %s (store runs with `opscope run` or "
                 "`opscope sweep`, or name one with --db)\n",
                 db.c_str());
    exit_code = kExitStore;
    return nullptr;
  }
  // A reader opens a file it may not write (or whose folder it may not
  // write: SQLite's -wal and -shm live beside it) read-only.
  store::SqliteOptions options;
  options.on_long_migration = say_migrating;
  if (access == StoreAccess::kMustExist) {
    const std::filesystem::path folder =
        std::filesystem::absolute(db, ec).parent_path();
    options.read_only = ::access(db.c_str(), W_OK) != 0 || ::access(folder.c_str(), W_OK) != 0;
  }
  auto store = opened_or_report(store::open_sqlite_store(db, options), exit_code);
  // A writer never adds to a damaged file.
  if (store && access == StoreAccess::kCreate) {
    if (Status st = store->check_integrity(); !st.is_ok()) {
      std::fprintf(stderr, "opscope: error: %s\n", st.message().c_str());
      exit_code = kExitStore;
      return nullptr;
    }
  }
  return store;
}

}  // namespace opscope::cli
