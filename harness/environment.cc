#include "harness/environment.h"

#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

#include "engine/backends/native/native_env.h"
#include "harness/build_info.h"

namespace opscope::harness {
namespace {

std::string first_line(const std::string& path) {
  std::ifstream f(path);
  std::string line;
  if (f) std::getline(f, line);
  return line;
}

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string v = line.substr(colon + 1);
        v.erase(0, v.find_first_not_of(' '));
        return v;
      }
    }
  }
  return "";
}

}  // namespace

DeviceInfo capture_device() {
  DeviceInfo d;
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  d.id = host;
  d.kind = "local";
  utsname u{};
  if (uname(&u) == 0) {
    d.os = std::string(u.sysname) + " " + u.release;
    d.arch = u.machine;
  }
  d.cpu_model = cpu_model();
  d.cores = static_cast<int>(std::thread::hardware_concurrency());
  struct sysinfo si {};
  if (sysinfo(&si) == 0) {
    d.ram_bytes = static_cast<int64_t>(si.totalram) * si.mem_unit;
  }
  d.governor = first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  d.emulated = false;
  d.native_isa = std::string(native::to_string(native::selected_isa()));
  return d;
}

ToolInfo capture_tool() {
  ToolInfo t;
  t.name = "opscope";
  t.version = kOpscopeVersion;
  t.git_commit = kOpscopeGitCommit;
  t.build_type = kOpscopeBuildType;
  t.compiler = kOpscopeCompiler;
  return t;
}

}  // namespace opscope::harness
