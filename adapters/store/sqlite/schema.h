// The SQLite schema of the results store, as an ordered list of migrations.
//
// The database's PRAGMA user_version is the number of migrations applied.
// Opening a store applies the missing ones in order, in one transaction;
// a database whose user_version is above kSchemaVersion was written by a
// newer opscope and is refused. Never edit a migration once released: add
// the next one (the tests build a version-1 database from migration 1 and
// check that opening it migrates it).
#pragma once

#include <span>
#include <string_view>

namespace opscope::store::sqlite {

struct Migration {
  int version;            // user_version after this migration
  std::string_view what;  // one line, for messages and docs
  std::string_view sql;   // one or more statements
};

// Every migration, oldest first; migrations()[i].version == i + 1.
std::span<const Migration> migrations();

// The version this build reads and writes: the last migration's.
int latest_schema_version();

}  // namespace opscope::store::sqlite
