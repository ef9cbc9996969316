#include "adapters/devices/probe.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <sstream>

namespace opscope::devices {
namespace {

// Only what toybox sh and busybox have: no bash, no arrays, no `local`.
// Shell builtins only (read, case, parameter expansion) apart from one
// uname and, on Android, getprop: the runner runs this before and after
// every case, and on small devices each exec costs milliseconds.
const char* const kProbeScript = R"SH(
r() { v=; [ -r "$1" ] && IFS= read -r v < "$1"; }
set -- $(uname -snrm)
echo "arch=$4"
echo "os=$1 $3"
echo "hostname=$2"
model= cores=0
while IFS= read -r line; do
  case "$line" in
    processor*) cores=$((cores + 1)) ;;
  esac
  if [ -z "$model" ]; then
    case "$line" in
      "model name"*|Hardware*|"cpu model"*|Processor*)
        model=${line#*:}
        model=${model#"${model%%[![:space:]]*}"} ;;
    esac
  fi
done < /proc/cpuinfo
echo "cpu_model=$model"
echo "cores=$cores"
while IFS= read -r line; do
  case "$line" in
    MemTotal:*) set -- ${line#MemTotal:}; echo "mem_kb=$1"; break ;;
  esac
done < /proc/meminfo
for d in /sys/devices/system/cpu/cpu[0-9]*; do
  [ -d "$d" ] || continue
  n=${d##*cpu}
  f=$d/cpufreq
  echo "cpu.$n.present=1"
  r "$f/cpuinfo_max_freq" && echo "cpu.$n.max_khz=$v"
  r "$f/scaling_cur_freq" && echo "cpu.$n.cur_khz=$v"
  r "$f/scaling_governor" && echo "cpu.$n.governor=$v"
done
for z in /sys/class/thermal/thermal_zone*; do
  r "$z/temp" || continue
  n=${z##*thermal_zone}
  t=$v
  r "$z/type"
  echo "thermal.$n.type=$v"
  echo "thermal.$n.temp=$t"
done
b=/sys/class/power_supply/battery
r "$b/capacity" && echo "battery.capacity=$v"
r "$b/temp" && echo "battery.temp=$v"
if command -v getprop >/dev/null 2>&1; then
  echo "android.model=$(getprop ro.product.model)"
  echo "android.release=$(getprop ro.build.version.release)"
  echo "android.abi=$(getprop ro.product.cpu.abi)"
fi
echo "probe.done=1"
)SH";

int64_t to_i64(const std::string& s, int64_t fallback = 0) {
  if (s.empty()) return fallback;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  return end && *end == '\0' ? v : fallback;
}

// Thermal zones report millidegrees; a few old kernels report degrees.
double temp_c(int64_t raw) { return raw > 1000 || raw < -1000 ? raw / 1000.0 : double(raw); }

}  // namespace

const std::string& probe_script() {
  static const std::string script = kProbeScript;
  return script;
}

DeviceProbe parse_probe_output(const std::string& text) {
  DeviceProbe p;
  std::map<int, CpuState> cpus;
  std::map<int, ThermalZone> zones;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "arch") p.info.arch = value;
    else if (key == "os") p.info.os = value;
    else if (key == "hostname") p.info.hostname = value;
    else if (key == "cpu_model") p.info.cpu_model = value;
    else if (key == "cores") p.info.cores = static_cast<int>(to_i64(value));
    else if (key == "mem_kb") p.info.ram_bytes = to_i64(value) * 1024;
    else if (key == "battery.capacity") p.state.battery_pct = static_cast<double>(to_i64(value, -1));
    else if (key == "battery.temp") p.state.battery_temp_c = to_i64(value, -10) / 10.0;  // tenths
    else if (key == "android.model") p.info.android_model = value;
    else if (key == "android.release") p.info.android_release = value;
    else if (key == "android.abi") p.info.android_abi = value;
    else if (key.rfind("cpu.", 0) == 0 || key.rfind("thermal.", 0) == 0) {
      const bool is_cpu = key[0] == 'c';
      const size_t a = key.find('.'), b = key.find('.', a + 1);
      if (b == std::string::npos) continue;
      const int n = static_cast<int>(to_i64(key.substr(a + 1, b - a - 1), -1));
      if (n < 0 || n > 4096) continue;
      const std::string field = key.substr(b + 1);
      if (is_cpu) {
        CpuState& c = cpus[n];
        c.cpu = n;
        if (field == "max_khz") c.max_khz = to_i64(value);
        else if (field == "cur_khz") c.cur_khz = to_i64(value);
        else if (field == "governor") c.governor = value;
      } else {
        ThermalZone& z = zones[n];
        if (field == "type") z.type = value;
        else if (field == "temp") z.temp_c = temp_c(to_i64(value));
      }
    }
  }
  for (auto& [n, c] : cpus) p.state.cpus.push_back(c);
  for (auto& [n, z] : zones) p.state.thermal.push_back(z);
  if (p.info.cores == 0) p.info.cores = static_cast<int>(cpus.size());
  for (const CpuState& c : p.state.cpus) {
    if (!c.governor.empty()) {
      p.info.governor = c.governor;
      break;
    }
  }
  p.info.clusters = clusters_of(p.state, p.info.cores);
  return p;
}

std::vector<CpuCluster> clusters_of(const DeviceState& state, int cores) {
  std::map<int64_t, std::vector<int>> by_freq;
  for (const CpuState& c : state.cpus) by_freq[c.max_khz].push_back(c.cpu);
  std::vector<CpuCluster> out;
  if (by_freq.size() <= 1) {
    CpuCluster all{"all", {}, by_freq.empty() ? 0 : by_freq.begin()->first};
    if (!by_freq.empty()) {
      all.cpus = by_freq.begin()->second;
    } else {
      for (int i = 0; i < cores; ++i) all.cpus.push_back(i);
    }
    out.push_back(all);
    return out;
  }
  const size_t n = by_freq.size();
  size_t i = 0;
  for (auto& [khz, list] : by_freq) {
    std::string name;
    if (i == 0) name = "little";
    else if (i + 1 == n) name = "big";
    else if (n == 3) name = "mid";
    else name = "mid" + std::to_string(i);
    out.push_back({name, list, khz});
    ++i;
  }
  return out;
}

Result<std::string> resolve_cpu_names(const std::string& cpus,
                                      const std::vector<CpuCluster>& clusters) {
  if (cpus.empty() || std::isdigit(static_cast<unsigned char>(cpus[0]))) return cpus;
  std::string known;
  for (const CpuCluster& c : clusters) {
    if (c.name == cpus) {
      std::string list;
      for (int cpu : c.cpus) list += (list.empty() ? "" : ",") + std::to_string(cpu);
      if (list.empty()) break;
      return list;
    }
    known += (known.empty() ? "" : ", ") + c.name;
  }
  return Status(ErrorCode::kInvalidArgument,
                "--cpus '" + cpus + "': not a CPU list or a cluster of this device (clusters: " +
                    (known.empty() ? std::string("none") : known) + ")");
}

Result<DeviceProbe> probe_device(Transport& t, double timeout_secs) {
  CommandOptions o;
  o.limits.timeout_secs = timeout_secs;
  o.capture_stderr = true;
  OPSCOPE_ASSIGN_OR_RETURN(CommandResult r, t.run(probe_script(), o));
  if (r.process.timed_out || r.out.find("probe.done=1") == std::string::npos) {
    return Status(ErrorCode::kDeviceIo, t.describe() + ": the environment probe failed" +
                                            (r.process.timed_out ? " (timed out)" : "") +
                                            (r.err.empty() ? "" : ": " + r.err.substr(0, 200)));
  }
  DeviceProbe p = parse_probe_output(r.out);
  p.info.kind = t.kind();
  p.info.emulated = t.emulated();
  if (!t.forced_arch().empty()) p.info.arch = t.forced_arch();
  return p;
}

Result<DeviceProbe> probe_here(double timeout_secs) {
  ProcessLimits limits;
  limits.timeout_secs = timeout_secs;
  std::string out;
  std::string err;
  OPSCOPE_ASSIGN_OR_RETURN(ProcessOutcome p,
                           run_local_captured("sh", {"-c", probe_script()}, limits, &out, &err));
  if (p.timed_out || out.find("probe.done=1") == std::string::npos) {
    return Status(ErrorCode::kDeviceIo, "the environment probe failed");
  }
  return parse_probe_output(out);
}

}  // namespace opscope::devices
