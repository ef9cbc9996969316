#include "harness/text_table.h"

#include <algorithm>

namespace opscope::harness {

void TextTable::add_column(std::string header, Align align) {
  headers_.push_back(std::move(header));
  aligns_.push_back(align);
}

void TextTable::add_row(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

void TextTable::print(std::FILE* out) const {
  std::vector<size_t> width(headers_.size());
  for (size_t c = 0; c < headers_.size(); ++c) {
    width[c] = headers_[c].size();
    for (const auto& r : rows_) width[c] = std::max(width[c], r[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (size_t c = 0; c < cells.size(); ++c) {
      const std::string pad(width[c] - cells[c].size(), ' ');
      if (c) s += "  ";
      s += aligns_[c] == Align::kLeft ? cells[c] + pad : pad + cells[c];
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    std::fprintf(out, "%s\n", s.c_str());
  };
  line(headers_);
  for (const auto& r : rows_) line(r);
}

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

}  // namespace opscope::harness
