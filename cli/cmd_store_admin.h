// Managing results stores (docs/store.md "A team store"):
//   opscope store init STORE               create or migrate a store's schema
//   opscope store push FROM TO [--select]  copy runs into another store
//   opscope store pull FROM TO [--select]  the same, named for the other way
// STORE, FROM and TO are SQLite files or PostgreSQL URLs. Copying keeps each
// run's uid, so running it twice copies nothing twice.
#pragma once

#include "cli/cli_command.h"

namespace opscope::cli {

CliCommand add_store_admin_command(CLI::App& app);

}  // namespace opscope::cli
