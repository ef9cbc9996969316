// `opscope inspect`'s terminal output: the description inspect_model()
// returns (harness/inspect.h), as aligned tables.
#pragma once

#include <cstdio>

#include <nlohmann/json.hpp>

namespace opscope::cli {

void print_inspection(const nlohmann::json& info, std::FILE* out);
// The same for a PyTorch file (harness/inspect_pytorch.h).
void print_pytorch_inspection(const nlohmann::json& info, std::FILE* out);

}  // namespace opscope::cli
