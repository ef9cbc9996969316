// Ops of the XNNPACK table not implemented yet: they claim nothing, so the
// partitioner leaves their nodes to the reference backend. Each op file
// that lands removes its entries here.
#include "engine/backends/xnnpack/xnn_ops.h"

namespace opscope::xnnpack {

}  // namespace opscope::xnnpack
