#include "result/op_category.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace opscope {
namespace {

bool has(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

std::string_view op_category_of_type(std::string_view type) {
  std::string t(type);
  std::transform(t.begin(), t.end(), t.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // A fused activation ("Conv+Relu") belongs to the op it is fused into.
  t = t.substr(0, t.find('+'));
  if (has(t, "depthwise")) return "depthwise";
  if (has(t, "conv")) return "conv";
  for (std::string_view k : {"fully_connected", "gemm", "matmul", "linear", "addmm"}) {
    if (has(t, k)) return "linear";
  }
  for (std::string_view k : {"pool", "mean"}) {
    if (has(t, k)) return "pooling";
  }
  for (std::string_view k : {"relu", "swish", "sigmoid", "logistic", "tanh", "clip", "clamp",
                             "gelu", "silu", "elu", "softmax", "hardtanh", "prelu"}) {
    if (has(t, k)) return "activation";
  }
  return "other";
}

}  // namespace opscope
