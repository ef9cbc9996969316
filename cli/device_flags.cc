#include "cli/device_flags.h"

#include <algorithm>
#include <cstdio>

#include <CLI/CLI.hpp>

#include "harness/exit_codes.h"

namespace opscope::cli {

void add_device_flags(CLI::App& app, DeviceFlags& flags, bool repeatable) {
  if (repeatable) {
    app.add_option("--device", flags.names,
                   "Run on this configured device (`opscope devices`); repeat for several: "
                   "each device runs its own queue, all devices at once. Default: local");
  } else {
    app.add_option("--device", flags.names,
                   "Run on this configured device (`opscope devices`). Default: local")
        ->expected(1);
  }
  app.add_option("--devices-file", flags.devices_file,
                 "The devices file (default: $OPSCOPE_DEVICES_FILE, else "
                 "~/.config/opscope/devices.json)");
  app.add_flag("--no-cache", flags.no_cache,
               "Push the runner bundle and the model again even when the device has them");
  app.add_flag("--verbose", flags.verbose,
               "Print every file pushed to a device, with its size");
}

std::vector<std::unique_ptr<harness::DeviceSession>> open_devices_or_report(
    const DeviceFlags& flags, int& exit_code) {
  std::vector<std::string> names = flags.names;
  if (names.empty()) names.push_back("local");
  std::vector<std::unique_ptr<harness::DeviceSession>> out;
  std::vector<std::string> seen;
  for (const std::string& name : names) {
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
    seen.push_back(name);
    auto session = harness::open_device_session(name, flags.devices_file);
    if (!session.is_ok()) {
      std::fprintf(stderr, "opscope: error: %s\n", session.status().message().c_str());
      exit_code = harness::exit_code_for(session.status().code());
      return {};
    }
    (*session)->no_cache = flags.no_cache;
    (*session)->verbose = flags.verbose;
    out.push_back(std::move(*session));
  }
  return out;
}

}  // namespace opscope::cli
