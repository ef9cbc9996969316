// The results-store flags the host commands share (--db, --tag, --variant,
// --no-store) and opening the store with the CLI's messages and exit codes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "adapters/store/store.h"

namespace CLI {
class App;
}  // namespace CLI

namespace opscope::cli {

inline constexpr const char* kDefaultStorePath = "opscope.db";

struct StoreFlags {
  std::string db = kDefaultStorePath;
  bool no_store = false;
  std::vector<std::string> tags;  // KEY=VALUE each, as given
  std::string variant;
};

// --db only (commands that read the store).
void add_db_option(CLI::App& app, std::string& db);
// --db, --no-store, --tag and (with_variant) --variant: commands that store runs.
void add_store_flags(CLI::App& app, StoreFlags& flags, bool with_variant = true);

// KEY=VALUE pairs; kInvalidArgument naming the bad one.
Result<store::Tags> parse_tags(const std::vector<std::string>& items);
Result<std::vector<std::pair<std::string, std::string>>> parse_tag_filters(
    const std::vector<std::string>& items);

enum class StoreAccess { kCreate, kMustExist };

// Opens the store at `db` (kMustExist: commands that only read refuse a
// missing file instead of creating an empty store, and open read-only a
// file they may not write; kCreate: writers, which also refuse a file that
// fails SQLite's integrity check); on failure prints
// "opscope: error: ..." and sets `exit_code` to kExitStore.
std::unique_ptr<store::Store> open_store_or_report(const std::string& db, StoreAccess access,
                                                   int& exit_code);

}  // namespace opscope::cli
