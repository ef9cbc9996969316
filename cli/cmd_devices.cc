#include "cli/cmd_devices.h"

#include <algorithm>
#include <cstdio>
#include <future>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "adapters/devices/device_registry.h"
#include "adapters/devices/probe.h"
#include "harness/device_case.h"
#include "harness/exit_codes.h"
#include "reports/units.h"
#include "result/utf8.h"

namespace opscope::cli {
namespace {

using harness::kExitOk;

struct DevicesCommand {
  std::string file;  // the devices file ("" = the default)
  bool json = false;
  bool no_probe = false;
  // add
  std::string name, uri, identity, workdir;
  bool replace = false;
};

// What `opscope devices` prints for one device.
struct DeviceRow {
  devices::DeviceSpec spec;
  bool reachable = false;
  std::string why;  // when not reachable
  std::string bundle;  // the bundle this host has for its arch ("" none)
  devices::DeviceProbe probe;
};

DeviceRow probe_row(const devices::DeviceSpec& spec, bool probe) {
  DeviceRow row;
  row.spec = spec;
  if (!probe) return row;
  auto transport = devices::open_transport(spec);
  if (!transport.is_ok()) {
    row.why = transport.status().message();
    return row;
  }
  auto p = devices::probe_device(**transport, 20);
  if (!p.is_ok()) {
    row.why = p.status().message();
    return row;
  }
  row.reachable = true;
  row.probe = *p;
  row.bundle = spec.uri == "local" ? "(the runner beside opscope)" : harness::find_bundle(p->info.arch);
  return row;
}

std::string clusters_text(const DeviceInfo& info) {
  if (info.clusters.size() <= 1) {
    std::string s = std::to_string(info.cores) + " cores";
    if (!info.clusters.empty() && info.clusters[0].max_khz > 0) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), " @ %.2f GHz", info.clusters[0].max_khz / 1e6);
      s += buf;
    }
    return s;
  }
  std::string s;
  for (const CpuCluster& c : info.clusters) {
    char buf[96];
    std::snprintf(buf, sizeof(buf), "%s%zux %s %.2f GHz", s.empty() ? "" : " + ", c.cpus.size(),
                  c.name.c_str(), c.max_khz / 1e6);
    s += buf;
  }
  return s;
}

nlohmann::json row_json(const DeviceRow& r) {
  nlohmann::json j = {{"name", r.spec.name},         {"uri", r.spec.uri},
                      {"identity", r.spec.identity}, {"workdir", r.spec.workdir},
                      {"kind", devices::uri_kind(r.spec.uri)}, {"reachable", r.reachable}};
  if (!r.reachable) {
    j["why"] = r.why;
    return j;
  }
  ResultDocument d;  // DeviceInfo and DeviceState in their result-document form
  d.device = r.probe.info;
  d.state_before = r.probe.state;
  const nlohmann::json dj = to_json(d);
  j["device"] = dj["device"];
  j["state"] = dj.contains("device_state") ? dj["device_state"]["before"] : nlohmann::json::object();
  j["max_temp_c"] = r.probe.state.max_temp_c();
  j["bundle"] = r.bundle;
  return j;
}

void print_row(const DeviceRow& r) {
  std::printf("%s  %s\n", r.spec.name.c_str(), r.spec.uri.c_str());
  if (!r.reachable) {
    std::printf("  state     %s\n", r.why.empty() ? "not probed" : ("unreachable: " + r.why).c_str());
    return;
  }
  const DeviceInfo& i = r.probe.info;
  std::printf("  state     reachable%s\n", i.emulated ? " (emulated: never gated against real hardware)" : "");
  std::printf("  system    %s, %s%s\n", i.arch.c_str(), i.os.c_str(),
              i.hostname.empty() ? "" : (", host " + i.hostname).c_str());
  if (!i.android_model.empty()) {
    std::printf("  android   %s, Android %s, %s\n", i.android_model.c_str(),
                i.android_release.c_str(), i.android_abi.c_str());
  }
  std::printf("  cpu       %s, %s\n", i.cpu_model.empty() ? "?" : i.cpu_model.c_str(),
              clusters_text(i).c_str());
  std::printf("  memory    %s RAM\n", reports::format_bytes(i.ram_bytes).c_str());
  std::printf("  governor  %s\n", i.governor.empty() ? "(not readable)" : i.governor.c_str());
  const double t = r.probe.state.max_temp_c();
  if (t >= 0) std::printf("  thermal   hottest zone %.1f C\n", t);
  if (r.probe.state.battery_pct >= 0) {
    std::printf("  battery   %.0f%%, %.1f C\n", r.probe.state.battery_pct, r.probe.state.battery_temp_c);
  }
  std::printf("  bundle    %s\n", r.bundle.empty() ? ("none for " + i.arch + " (docs/bundles.md)").c_str()
                                                    : r.bundle.c_str());
}

int error_exit(const Status& st) {
  std::fprintf(stderr, "opscope: error: %s\n", st.message().c_str());
  return harness::exit_code_for(st.code());
}

int list(const DevicesCommand& c, const std::vector<std::string>& only = {}) {
  const std::string file = c.file.empty() ? devices::default_devices_file() : c.file;
  auto reg = devices::load_devices(file);
  if (!reg.is_ok()) return error_exit(reg.status());
  std::vector<devices::DeviceSpec> specs = {{"local", "local", "", ""}};
  for (const devices::DeviceSpec& s : reg->devices) specs.push_back(s);
  if (!only.empty()) {
    std::vector<devices::DeviceSpec> kept;
    for (const auto& s : specs) {
      if (std::find(only.begin(), only.end(), s.name) != only.end()) kept.push_back(s);
    }
    specs = kept;
  }
  // Probed side by side: a lab's unreachable devices each cost a timeout.
  std::vector<std::future<DeviceRow>> rows;
  for (const auto& s : specs) {
    rows.push_back(std::async(std::launch::async, probe_row, s, !c.no_probe));
  }
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < rows.size(); ++i) {
    const DeviceRow r = rows[i].get();
    if (c.json) {
      out.push_back(row_json(r));
    } else {
      print_row(r);
    }
  }
  if (c.json) std::cout << dump_json(nlohmann::json{{"devices_file", file}, {"devices", out}}, 2) << "\n";
  else std::printf("(devices file: %s)\n", file.c_str());
  return kExitOk;
}

int add(const DevicesCommand& c) {
  const std::string file = c.file.empty() ? devices::default_devices_file() : c.file;
  auto reg = devices::load_devices(file);
  if (!reg.is_ok()) return error_exit(reg.status());
  devices::DeviceSpec spec{c.name, c.uri, c.identity, c.workdir};
  if (Status st = devices::add_device(*reg, spec, c.replace); !st.is_ok()) return error_exit(st);
  if (Status st = devices::save_devices(file, *reg); !st.is_ok()) return error_exit(st);
  std::fprintf(stderr, "opscope: added %s (%s) to %s\n", c.name.c_str(), c.uri.c_str(), file.c_str());
  return list(c, {c.name});
}

int remove(const DevicesCommand& c) {
  const std::string file = c.file.empty() ? devices::default_devices_file() : c.file;
  auto reg = devices::load_devices(file);
  if (!reg.is_ok()) return error_exit(reg.status());
  if (Status st = devices::remove_device(*reg, c.name); !st.is_ok()) {
    return error_exit(st.with_prefix(file));
  }
  if (Status st = devices::save_devices(file, *reg); !st.is_ok()) return error_exit(st);
  std::fprintf(stderr, "opscope: removed %s from %s (nothing on the device was touched)\n",
               c.name.c_str(), file.c_str());
  return kExitOk;
}

}  // namespace

CliCommand add_devices_command(CLI::App& app) {
  auto c = std::make_shared<DevicesCommand>();
  CLI::App* sub = app.add_subcommand(
      "devices",
      "List the devices runs can go to (local, ssh, adb, qemu) with what each is and its "
      "state now (reachable or why not, arch, OS, CPU clusters, RAM, governor, temperature); "
      "add and remove them. Stored in the devices file (docs/devices.md)");
  sub->add_option("--devices-file", c->file,
                  "The devices file (default: $OPSCOPE_DEVICES_FILE, else "
                  "$XDG_CONFIG_HOME/opscope/devices.json, else ~/.config/opscope/devices.json)");
  sub->add_flag("--json", c->json, "Print the list as JSON");
  sub->add_flag("--no-probe", c->no_probe, "List without contacting the devices");
  CLI::App* add_cmd = sub->add_subcommand(
      "add", "Add a device: NAME and ssh://[user@]host[:port], adb:[SERIAL] or qemu:aarch64");
  add_cmd->add_option("name", c->name, "A name for it ([A-Za-z0-9._-])")->required();
  add_cmd->add_option("uri", c->uri, "How to reach it")->required();
  add_cmd->add_option("--identity", c->identity, "ssh: the private key file (ssh -i)");
  add_cmd->add_option("--workdir", c->workdir,
                      "Where the device caches bundles and models (default: ssh "
                      "~/.cache/opscope-device, adb /data/local/tmp/opscope)");
  add_cmd->add_flag("--replace", c->replace, "Change a device of that name");
  CLI::App* rm_cmd = sub->add_subcommand("remove", "Forget a device (nothing on it is touched)");
  rm_cmd->add_option("name", c->name, "Its name")->required();
  CLI::App* list_cmd = sub->add_subcommand("list", "List the devices (the default)");
  (void)list_cmd;
  return {sub, [c, add_cmd, rm_cmd] {
            if (*add_cmd) return add(*c);
            if (*rm_cmd) return remove(*c);
            return list(*c);
          }};
}

}  // namespace opscope::cli
