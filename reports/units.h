// How every human-readable output writes numbers and lists: the terminal,
// the reports and the dashboard print a byte count or a MAC count alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace opscope::reports {

// "%.*f".
std::string format_fixed(double v, int decimals);
std::string format_bytes(int64_t bytes);  // "1.5 MiB", "512 B"
std::string format_count(int64_t n);      // "12.3M", "950k", "42"
// Keeps both ends: "conv2d_very...long_name" (s when it fits or max < 5).
std::string truncate_middle(const std::string& s, size_t max);
// "a,b,c" for ({"a","b","c"}, ",").
std::string join(const std::vector<std::string>& items, std::string_view sep);

}  // namespace opscope::reports
