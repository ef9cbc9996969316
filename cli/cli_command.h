// One subcommand of the `opscope` CLI. Each command file offers an
// add_<name>_command(app) that declares the subcommand and its flags on
// `app` (before parsing) and returns how to run it (after parsing); main
// runs the one the user chose. Adding a command is one line in main.
#pragma once

#include <functional>

namespace CLI {
class App;
}  // namespace CLI

namespace opscope::cli {

struct CliCommand {
  CLI::App* app = nullptr;  // the subcommand: *app is true when it was chosen
  std::function<int()> run;  // returns the process exit code
};

}  // namespace opscope::cli
