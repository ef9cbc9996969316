#include "harness/cpu_affinity.h"

#include <sched.h>

#include <cerrno>
#include <cstring>
#include <sstream>

namespace opscope::harness {
namespace {

std::string mask_to_string(const cpu_set_t& set) {
  std::string s;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) s += (s.empty() ? "" : ",") + std::to_string(cpu);
  }
  return s;
}

Status bad_list(const std::string& cpus, const std::string& why) {
  return Status(ErrorCode::kInvalidArgument, "--cpus '" + cpus + "': " + why);
}

// Parses `cpus` into `set`, refusing a CPU outside this process's current
// mask: sched_setaffinity accepts a list as long as one CPU in it exists,
// and "--cpus 0,99" must not quietly mean "--cpus 0".
Status parse_cpu_list(const std::string& cpus, cpu_set_t& set) {
  CPU_ZERO(&set);
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  const bool know_allowed = sched_getaffinity(0, sizeof(allowed), &allowed) == 0;
  std::stringstream ss(cpus);
  std::string item;
  while (std::getline(ss, item, ',')) {
    int first = 0, last = 0;
    char dash = 0;
    std::stringstream is(item);
    if (!(is >> first)) return bad_list(cpus, "'" + item + "' is not a CPU number");
    last = first;
    if (is >> dash) {
      if (dash != '-' || !(is >> last)) return bad_list(cpus, "bad range '" + item + "'");
    }
    if (first < 0 || last < first || last >= CPU_SETSIZE) {
      return bad_list(cpus, "bad range '" + item + "'");
    }
    for (int c = first; c <= last; ++c) {
      if (know_allowed && !CPU_ISSET(c, &allowed)) {
        return bad_list(cpus, "CPU " + std::to_string(c) + " is not available here (available: " +
                                  mask_to_string(allowed) + ")");
      }
      CPU_SET(c, &set);
    }
  }
  if (CPU_COUNT(&set) == 0) return bad_list(cpus, "no CPU named");
  return Status::ok();
}

}  // namespace

Status check_cpu_list(const std::string& cpus) {
  cpu_set_t set;
  return parse_cpu_list(cpus, set);
}

Result<std::string> pin_to_cpus(const std::string& cpus) {
  if (!cpus.empty()) {
    cpu_set_t set;
    OPSCOPE_RETURN_IF_ERROR(parse_cpu_list(cpus, set));
    if (sched_setaffinity(0, sizeof(set), &set) != 0) {
      return bad_list(cpus, std::string("sched_setaffinity failed: ") + std::strerror(errno));
    }
  }
  cpu_set_t now;
  CPU_ZERO(&now);
  if (sched_getaffinity(0, sizeof(now), &now) != 0) return std::string();
  return mask_to_string(now);
}

}  // namespace opscope::harness
