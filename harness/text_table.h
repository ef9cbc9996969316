// A plain-text table with aligned columns, for terminal output.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace opscope::harness {

class TextTable {
 public:
  enum class Align { kLeft, kRight };

  void add_column(std::string header, Align align = Align::kRight);
  void add_row(std::vector<std::string> cells);
  void print(std::FILE* out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<Align> aligns_;
  std::vector<std::vector<std::string>> rows_;
};

// Formatting helpers shared by the tables.
std::string format_fixed(double v, int decimals);
std::string format_bytes(int64_t bytes);  // "1.5 MiB", "512 B"
std::string format_count(int64_t n);      // "12.3M", "950k", "42"
std::string truncate_middle(const std::string& s, size_t max);

}  // namespace opscope::harness
