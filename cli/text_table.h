// A plain-text table with aligned columns, for terminal output.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "reports/units.h"

namespace opscope::cli {

// The console tables format numbers as the reports do.
using reports::format_bytes;
using reports::format_count;
using reports::format_fixed;
using reports::truncate_middle;

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

}  // namespace opscope::cli
