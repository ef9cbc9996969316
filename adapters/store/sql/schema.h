// The schema of the results store, as an ordered list of migrations, one
// description for both dialects (schema.cc says how the types are spelled).
//
// A store records how many migrations it has applied (SQLite: PRAGMA
// user_version; PostgreSQL: the opscope_schema table). Opening a store
// applies the missing ones in order, in one transaction; a store whose
// version is above latest_schema_version() was written by a newer opscope
// and is refused, untouched. Never edit a migration once released: add the
// next one (the tests build a version-1 database from migration 1 and check
// that opening it migrates it).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "adapters/store/sql/connection.h"

namespace opscope::store::sql {

struct Migration {
  int version;            // the store's version after this migration
  std::string_view what;  // one line, for messages and docs
  std::string_view sql;   // shared text, with type tokens
  std::string_view sqlite = {}, postgres = {};  // what one dialect alone says
};

// Every migration, oldest first; migrations()[i].version == i + 1.
std::span<const Migration> migrations();

// The version this build reads and writes: the last migration's.
int latest_schema_version();

// The statements of `m` in `dialect`.
std::string migration_sql(const Migration& m, Dialect dialect);

}  // namespace opscope::store::sql
