// The XNNPACK backend: XNNPACK's operator API, one operator per original
// node, each timed on its own (this XNNPACK has no runtime profiler).
#pragma once

#include <memory>

#include "engine/backend.h"

namespace opscope::xnnpack {

// Fails with kBackendError if XNNPACK cannot initialize on this CPU.
Result<std::unique_ptr<Backend>> create_xnnpack_backend(const BackendConfig& config);

}  // namespace opscope::xnnpack
