#include "engine/backends/native/kernels/native_support.h"

#include <utility>

namespace opscope::native {

bool decline(std::string* why_not, std::string reason) {
  if (why_not != nullptr) *why_not = std::move(reason);
  return false;
}

bool is_int8_per_tensor(const Graph& graph, int id, std::string_view what, std::string* why_not) {
  if (id < 0 || id >= static_cast<int>(graph.tensors.size())) {
    return decline(why_not, std::string(what) + " is absent");
  }
  const Tensor& t = graph.tensors[id];
  if (t.dtype != DType::kI8) {
    return decline(why_not, std::string(what) + " has dtype " + std::string(to_string(t.dtype)) +
                                ", native kernels take i8");
  }
  const Quantization& q = t.quantization;
  if (q.scales.size() != 1 || q.zero_points.size() > 1) {
    return decline(why_not, std::string(what) + " is not quantized per tensor");
  }
  if (!q.zero_points.empty() && (q.zero_points[0] < -128 || q.zero_points[0] > 127)) {
    return decline(why_not, std::string(what) + " has a zero point outside [-128, 127]");
  }
  return true;
}

}  // namespace opscope::native
