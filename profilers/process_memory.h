// Memory of the current process, from the kernel's accounting.
#pragma once

#include <cstddef>

namespace opscope::profilers {

// Peak resident set size since the process started (getrusage), in bytes.
size_t peak_rss_bytes();
// Current resident set size (/proc/self/statm), in bytes; 0 if unknown.
size_t current_rss_bytes();

}  // namespace opscope::profilers
