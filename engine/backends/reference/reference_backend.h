// The reference backend: one kernel per (op, dtype), run in order.
#pragma once

#include <memory>

#include "engine/backend.h"

namespace opscope::reference {

std::unique_ptr<Backend> create_reference_backend(const BackendConfig& config);

}  // namespace opscope::reference
