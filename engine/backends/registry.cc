// The list of backends a session can be given by name.
#include <string>
#include <vector>

#include "engine/backend.h"
#include "engine/backends/reference/reference_backend.h"

namespace opscope {

std::vector<std::string> available_backends() { return {"cpu"}; }

Result<std::unique_ptr<Backend>> create_backend(std::string_view name,
                                                const BackendConfig& config) {
  if (name == "cpu" || name == "reference") {
    return reference::create_reference_backend(config);
  }
  std::string known;
  for (const std::string& b : available_backends()) {
    known += (known.empty() ? "" : ", ") + b;
  }
  return Status(ErrorCode::kInvalidArgument,
                "unknown backend '" + std::string(name) + "' (available: " +
                    known + ")");
}

}  // namespace opscope
