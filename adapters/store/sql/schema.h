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
  // Work SQL cannot do (reading JSON documents), run after `sql` in the
  // same transaction, then `then` (shared text, with type tokens).
  void (*backfill)(Connection&) = nullptr;
  std::string_view then = {};
};

// Every migration, oldest first; migrations()[i].version == i + 1.
std::span<const Migration> migrations();

// The version this build reads and writes: the last migration's.
int latest_schema_version();

// The statements of `m` in `dialect`: before its back-fill, and after it
// ("" when it has nothing after).
std::string migration_sql(const Migration& m, Dialect dialect);
std::string migration_then_sql(const Migration& m, Dialect dialect);

// Whether migrating a store from `version` rewrites many rows (a
// back-fill): the freed space is worth giving back (SQLite: VACUUM, once).
bool migration_rewrites_rows(int64_t version);
// What to tell the user before such a migration of the store `name`.
std::string long_migration_note(const std::string& name, int64_t version);

// Applies the migrations after `current` to `db`, inside the caller's
// transaction.
void apply_migrations(Connection& db, int64_t current,
                      void (*set_version)(Connection&, int version));

}  // namespace opscope::store::sql
