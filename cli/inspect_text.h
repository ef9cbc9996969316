// `opscope inspect`'s terminal output: the description inspect_model()
// returns (harness/inspect.h), as aligned tables.
#pragma once

#include <cstdio>

#include <nlohmann/json.hpp>

namespace opscope::cli {

void print_inspection(const nlohmann::json& info, std::FILE* out);

}  // namespace opscope::cli
