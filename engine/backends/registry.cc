// The list of backends a session can be given by name.
#include <string>
#include <vector>

#include "engine/backend.h"
#include "engine/backends/native/native_backend.h"
#include "engine/backends/reference/reference_backend.h"
#if OPSCOPE_WITH_XNNPACK
#include "engine/backends/xnnpack/xnnpack_backend.h"
#endif

namespace opscope {

std::vector<std::string> available_backends() {
#if OPSCOPE_WITH_XNNPACK
  return {"cpu", "xnnpack", "native"};
#else
  return {"cpu", "native"};
#endif
}

Result<std::unique_ptr<Backend>> create_backend(std::string_view name,
                                                const BackendConfig& config) {
  if (name == "cpu" || name == "reference") {
    return reference::create_reference_backend(config);
  }
  if (name == "native") return native::create_native_backend(config);
#if OPSCOPE_WITH_XNNPACK
  if (name == "xnnpack") return xnnpack::create_xnnpack_backend(config);
#endif
  std::string known;
  for (const std::string& b : available_backends()) {
    known += (known.empty() ? "" : ", ") + b;
  }
  return Status(ErrorCode::kInvalidArgument,
                "unknown backend '" + std::string(name) + "' (available: " +
                    known + ")");
}

}  // namespace opscope
