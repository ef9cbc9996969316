#include "engine/backends/xnnpack/xnn_node_op.h"

namespace opscope::xnnpack {

const char* to_string(xnn_status status) {
  switch (status) {
    case xnn_status_success: return "success";
    case xnn_status_uninitialized: return "uninitialized";
    case xnn_status_invalid_parameter: return "invalid parameter";
    case xnn_status_invalid_state: return "invalid state";
    case xnn_status_unsupported_parameter: return "unsupported parameter";
    case xnn_status_unsupported_hardware: return "unsupported hardware";
    case xnn_status_out_of_memory: return "out of memory";
  }
  return "unknown status";
}

Status xnn_error(const Graph& graph, int node, const char* call,
                 xnn_status status) {
  return Status(ErrorCode::kBackendError, describe_node(graph, node) + ": " +
                                              call + " failed: " +
                                              to_string(status));
}

}  // namespace opscope::xnnpack
