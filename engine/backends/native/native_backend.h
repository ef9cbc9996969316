// The native backend ("native"): int8 operators on kernels of our own
// (native_kernels.h), intrinsics microkernels chosen at run time by CPU
// features (native_env.h: selected_isa(), OPSCOPE_NATIVE_ISA forces a lower
// level). It declines every node its table has no kernel for, and every
// non-int8 node, with the reason; the partitioner gives those to the next
// backend of the user's list.
#pragma once

#include <memory>

#include "engine/backend.h"

namespace opscope::native {

std::unique_ptr<Backend> create_native_backend(const BackendConfig& config);

}  // namespace opscope::native
