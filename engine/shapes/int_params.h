// Prepare-time helpers of the shape rules (shapes/) and the reference
// kernels that check the same inputs: reading constant integer parameter inputs (axes, paddings, perm,
// sizes), normalizing axes and fetching typed attributes. Every error they
// return comes from ctx.error(...), so its message names the node.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/kernel.h"

namespace opscope::shapes {

// The values of input `i`, which must be present, constant, i32 or i64, of
// rank <= max_rank and carry all its bytes. `what` names the input in
// messages ("axes", "paddings").
Result<std::vector<int64_t>> read_int_input(PrepareContext& ctx, int i,
                                            std::string_view what,
                                            int max_rank = 1);

// The values of input `i` when it may also be computed at run time (a value
// operand, engine/value_operands.h): a constant's values as read_int_input
// reads them, else those the session planned for it (Graph::planned_values),
// for an i32/i64 tensor of rank 1 (up to `max_rank`: PAD's [rank, 2]
// paddings), its values in row-major order.
Result<std::vector<int64_t>> read_int_operand(PrepareContext& ctx, int i, std::string_view what,
                                              int max_rank = 1);

// Maps `axis` in [-rank, rank) to [0, rank); kInvalidArgument otherwise.
Result<int> normalize_axis(const PrepareContext& ctx, int64_t axis, int rank,
                           std::string_view what);

// Checks that the node has exactly one output.
Status expect_one_output(const PrepareContext& ctx);

// The node's attributes as T; kInvalidGraph when the node carries another
// kind (a reader bug), instead of std::get's exception.
template <typename T>
Result<T> node_attrs(const PrepareContext& ctx) {
  const T* attrs = std::get_if<T>(&ctx.node().attrs);
  if (attrs == nullptr) {
    return ctx.error(ErrorCode::kInvalidGraph,
                     "node carries no attributes of the expected kind");
  }
  return *attrs;
}

}  // namespace opscope::shapes
