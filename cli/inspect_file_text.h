// `opscope inspect`'s terminal output for a model the engine cannot import:
// the description read from the file (harness/inspect_file.h).
#pragma once

#include <cstdio>

#include <nlohmann/json.hpp>

namespace opscope::cli {

void print_file_inspection(const nlohmann::json& info, std::FILE* out);

}  // namespace opscope::cli
