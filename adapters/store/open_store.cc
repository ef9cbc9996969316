// Which database a store name means, and opening it: the few functions of
// store.h that are about either database rather than one.
#include "adapters/store/postgres/pg_connection.h"
#include "adapters/store/sql/schema.h"
#include "adapters/store/store.h"

namespace opscope::store {

int schema_version() { return sql::latest_schema_version(); }

bool is_postgres_url(std::string_view name) {
  return name.starts_with("postgresql://") || name.starts_with("postgres://");
}

std::string display_name(const std::string& store) {
  return is_postgres_url(store) ? postgres::url_without_password(store) : store;
}

Result<std::unique_ptr<Store>> open_store(const std::string& name, bool read_only) {
  if (is_postgres_url(name)) {
    PostgresOptions options;
    options.read_only = read_only;
    return open_postgres_store(name, options);
  }
  SqliteOptions options;
  options.read_only = read_only;
  return open_sqlite_store(name, options);
}

}  // namespace opscope::store
