#include "reports/units.h"

#include <cstdio>

namespace opscope::reports {

std::string format_fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

std::string format_bytes(int64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 3) {
    v /= 1024.0;
    ++u;
  }
  return u == 0 ? std::to_string(bytes) + " B"
                : format_fixed(v, v < 10 ? 2 : 1) + " " + units[u];
}

std::string format_count(int64_t n) {
  if (n >= 1000000000) return format_fixed(static_cast<double>(n) / 1e9, 2) + "G";
  if (n >= 1000000) return format_fixed(static_cast<double>(n) / 1e6, 2) + "M";
  if (n >= 10000) return format_fixed(static_cast<double>(n) / 1e3, 1) + "k";
  return std::to_string(n);
}

std::string truncate_middle(const std::string& s, size_t max) {
  if (s.size() <= max || max < 5) return s;
  const size_t keep = max - 3;
  return s.substr(0, keep / 2) + "..." + s.substr(s.size() - (keep - keep / 2));
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

}  // namespace opscope::reports
