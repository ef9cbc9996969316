#include "adapters/devices/device_registry.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace opscope::devices {
namespace {

namespace fs = std::filesystem;

}  // namespace

std::string default_devices_file() {
  if (const char* f = std::getenv("OPSCOPE_DEVICES_FILE"); f && *f) return f;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) {
    return (fs::path(x) / "opscope" / "devices.json").string();
  }
  const char* home = std::getenv("HOME");
  return (fs::path(home && *home ? home : ".") / ".config" / "opscope" / "devices.json").string();
}

Result<DeviceRegistry> load_devices(const std::string& path) {
  DeviceRegistry r;
  std::error_code ec;
  if (!fs::exists(path, ec)) return r;
  if (!fs::is_regular_file(path, ec)) {
    return Status(ErrorCode::kIoError, "devices file " + path + " is not a regular file");
  }
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  if (!f) return Status(ErrorCode::kIoError, "cannot read the devices file " + path);
  try {
    const nlohmann::json j = nlohmann::json::parse(ss.str());
    if (j.value("format", 0) != 1) {
      return Status(ErrorCode::kInvalidArgument,
                    "devices file " + path + ": unknown format (expected \"format\": 1)");
    }
    for (const nlohmann::json& d : j.at("devices")) {
      DeviceSpec s;
      s.name = d.at("name").get<std::string>();
      s.uri = d.at("uri").get<std::string>();
      s.identity = d.value("identity", "");
      s.workdir = d.value("workdir", "");
      if (Status st = check_device_name(s.name); !st.is_ok()) return st.with_prefix("devices file " + path);
      if (Status st = check_device_uri(s.uri); !st.is_ok()) return st.with_prefix("devices file " + path);
      r.devices.push_back(std::move(s));
    }
  } catch (const std::exception& e) {
    return Status(ErrorCode::kInvalidArgument,
                  "devices file " + path + " is malformed: " + e.what());
  }
  return r;
}

Status save_devices(const std::string& path, const DeviceRegistry& registry) {
  nlohmann::json list = nlohmann::json::array();
  for (const DeviceSpec& s : registry.devices) {
    list.push_back({{"name", s.name}, {"uri", s.uri}, {"identity", s.identity},
                    {"workdir", s.workdir}});
  }
  const nlohmann::json j = {{"format", 1}, {"devices", list}};
  std::error_code ec;
  const fs::path p(path);
  if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
  const std::string tmp = path + ".tmp" + std::to_string(getpid());
  {
    std::ofstream f(tmp);
    f << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    if (!f) {
      fs::remove(tmp, ec);
      return Status(ErrorCode::kIoError, "cannot write the devices file " + path);
    }
  }
  fs::rename(tmp, p, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return Status(ErrorCode::kIoError, "cannot write the devices file " + path + ": " + ec.message());
  }
  return Status::ok();
}

Result<DeviceSpec> find_device(const DeviceRegistry& registry, const std::string& name,
                               const std::string& file) {
  if (name == "local") return DeviceSpec{"local", "local", "", ""};
  std::string known = "local";
  for (const DeviceSpec& s : registry.devices) {
    if (s.name == name) return s;
    known += ", " + s.name;
  }
  return Status(ErrorCode::kUnknownDevice, "no device named '" + name + "' (known: " + known +
                                               "; devices file " + file +
                                               "; add one with `opscope devices add`)");
}

Status add_device(DeviceRegistry& registry, const DeviceSpec& spec, bool replace) {
  OPSCOPE_RETURN_IF_ERROR(check_device_name(spec.name));
  OPSCOPE_RETURN_IF_ERROR(check_device_uri(spec.uri));
  if (spec.name == "local") {
    return Status(ErrorCode::kInvalidArgument, "'local' is this machine and always there");
  }
  for (DeviceSpec& s : registry.devices) {
    if (s.name != spec.name) continue;
    if (!replace) {
      return Status(ErrorCode::kInvalidArgument,
                    "a device named '" + spec.name + "' exists (" + s.uri +
                        "); use --replace to change it");
    }
    s = spec;
    return Status::ok();
  }
  registry.devices.push_back(spec);
  return Status::ok();
}

Status remove_device(DeviceRegistry& registry, const std::string& name) {
  for (auto it = registry.devices.begin(); it != registry.devices.end(); ++it) {
    if (it->name == name) {
      registry.devices.erase(it);
      return Status::ok();
    }
  }
  return Status(ErrorCode::kUnknownDevice, "no device named '" + name + "'");
}

}  // namespace opscope::devices
