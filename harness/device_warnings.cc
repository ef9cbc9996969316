#include "harness/device_warnings.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

namespace opscope::harness {
namespace {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

// "0-3,6": consecutive CPUs as ranges.
std::string cpu_ranges(const std::set<int>& cpus) {
  std::string s;
  for (auto it = cpus.begin(); it != cpus.end();) {
    const int first = *it;
    int last = first;
    for (++it; it != cpus.end() && *it == last + 1; ++it) last = *it;
    if (!s.empty()) s += ",";
    s += std::to_string(first);
    if (last > first) s += (last == first + 1 ? "," : "-") + std::to_string(last);
  }
  return s;
}

std::string cpu_word(const std::set<int>& cpus) {
  return (cpus.size() == 1 ? "cpu " : "cpus ") + cpu_ranges(cpus);
}

std::string khz_text(int64_t khz) {
  if (khz >= 1000000) return fixed(static_cast<double>(khz) / 1e6, 2) + " GHz";
  return fixed(static_cast<double>(khz) / 1e3, 0) + " MHz";
}

// Text read from the device (a governor, a zone type) on one line.
std::string one_line(const std::string& s) {
  std::string out;
  for (char c : s) out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
  return out;
}

// The zone that holds `state`'s hottest reading ("" when none).
std::string hottest_zone(const DeviceState& state) {
  const ThermalZone* best = nullptr;
  for (const ThermalZone& z : state.thermal) {
    if (!best || z.temp_c > best->temp_c) best = &z;
  }
  return best ? best->type : std::string();
}

}  // namespace

std::vector<int> cpus_of_list(const std::string& list) {
  std::vector<int> cpus;
  size_t pos = 0;
  while (pos < list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string::npos) comma = list.size();
    const std::string part = list.substr(pos, comma - pos);
    pos = comma + 1;
    char* end = nullptr;
    const long a = std::strtol(part.c_str(), &end, 10);
    if (end == part.c_str() || a < 0) continue;
    long b = a;
    if (*end == '-') {
      const char* rest = end + 1;
      b = std::strtol(rest, &end, 10);
      if (end == rest || b < a) continue;
    }
    if (*end != '\0' || b - a > 65536) continue;
    for (long c = a; c <= b; ++c) cpus.push_back(static_cast<int>(c));
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return cpus;
}

std::vector<std::string> device_warnings(const DeviceState& before, const DeviceState& after,
                                         const CaseConfig& config) {
  std::vector<std::string> out;
  const std::vector<int> listed = cpus_of_list(config.affinity);
  const std::set<int> used(listed.begin(), listed.end());
  auto was_used = [&](int cpu) { return used.empty() || used.count(cpu) > 0; };

  // Heat: the hottest zone before against the hottest zone after.
  const double t0 = before.max_temp_c(), t1 = after.max_temp_c();
  if (!before.thermal.empty() && !after.thermal.empty() && t1 - t0 >= kHeatWarningDeltaC) {
    const std::string zone = one_line(hottest_zone(after));
    out.push_back("the device heated during the case: hottest thermal zone " + fixed(t0, 1) +
                  " \xC2\xB0" "C before, " + fixed(t1, 1) + " \xC2\xB0" "C after (+" +
                  fixed(t1 - t0, 1) + " \xC2\xB0" "C, warning from +" +
                  fixed(kHeatWarningDeltaC, 0) + " \xC2\xB0" "C" +
                  (zone.empty() ? "" : "; " + zone) +
                  "): later invokes may have run on lowered clocks");
  }

  // Governors other than `performance` on a used CPU, before or after.
  std::map<std::string, std::set<int>> by_governor;
  for (const DeviceState* s : {&before, &after}) {
    for (const CpuState& c : s->cpus) {
      if (!c.governor.empty() && c.governor != kSteadyGovernor && was_used(c.cpu)) {
        by_governor[c.governor].insert(c.cpu);
      }
    }
  }
  for (const auto& [governor, cpus] : by_governor) {
    out.push_back("cpufreq governor '" + one_line(governor) + "' (not '" + kSteadyGovernor +
                  "') on " + cpu_word(cpus) +
                  " that the case used: the frequency follows the load, and the latency "
                  "with it");
  }

  // Throttling: a `performance` CPU well below its maximum after the case.
  std::set<int> slow;
  const CpuState* slowest = nullptr;
  double slowest_fraction = 1;
  for (const CpuState& c : after.cpus) {
    if (c.governor != kSteadyGovernor || c.cur_khz <= 0 || c.max_khz <= 0 || !was_used(c.cpu)) {
      continue;
    }
    const double fraction = static_cast<double>(c.cur_khz) / static_cast<double>(c.max_khz);
    if (fraction >= kThrottleFreqFraction) continue;
    slow.insert(c.cpu);
    if (!slowest || fraction < slowest_fraction) {
      slowest = &c;
      slowest_fraction = fraction;
    }
  }
  if (slowest) {
    out.push_back(cpu_word(slow) + " below " + fixed(100 * kThrottleFreqFraction, 0) +
                  "% of maximum frequency after the case under the '" + kSteadyGovernor +
                  "' governor (lowest: cpu " + std::to_string(slowest->cpu) + " at " +
                  khz_text(slowest->cur_khz) + " of " + khz_text(slowest->max_khz) + ", " +
                  fixed(100 * slowest_fraction, 0) +
                  "%): throttled by a thermal or power limit");
  }

  // Battery: the lower of the readings that are known.
  double battery = -1;
  for (const DeviceState* s : {&before, &after}) {
    if (s->battery_pct >= 0 && (battery < 0 || s->battery_pct < battery)) battery = s->battery_pct;
  }
  if (battery >= 0 && battery < kLowBatteryPct) {
    out.push_back("battery at " + fixed(battery, 0) + "% (below " + fixed(kLowBatteryPct, 0) +
                  "%): the device may lower its clocks to save power");
  }
  return out;
}

}  // namespace opscope::harness
