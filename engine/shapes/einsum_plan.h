// EINSUM's equation (op_kind.h) parsed against its operands' shapes, for
// the shape rule, the reference kernel and the MAC count: the full index
// space of the equation split into the output's axes (output order) and the
// summed axes, and each operand's element stride along every one of them.
//
// Labels are the letters a-z and A-Z; "..." stands for the dims an operand
// has beyond its labels (right-aligned across operands, broadcast numpy's
// way). Without "->" the output is the ellipsis dims, then the labels that
// appear once in the whole equation in ASCII order (numpy's implicit
// mode: upper case first). Spaces are ignored.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tensor.h"

namespace opscope::shapes {

struct EinsumPlan {
  Shape output;  // the output's shape
  Shape summed;  // the sizes of the summed axes (labels not in the output,
                 // ellipsis dims when the explicit output has no "...")
  // [operand][axis]: the operand's element stride along the axis, 0 where
  // it does not use it or broadcasts it (size 1 under "..."); a label an
  // operand repeats adds its dims' strides (the diagonal).
  std::vector<std::vector<int64_t>> out_strides;
  std::vector<std::vector<int64_t>> sum_strides;
};

// Parses `equation` for operands of `shapes`. Returns "" and fills *plan,
// or says what is wrong (for an error that names the node). An index space
// (output elements x summed elements) over 2^40 points is refused.
std::string plan_einsum(std::string_view equation, const std::vector<Shape>& shapes,
                        EinsumPlan* plan);

}  // namespace opscope::shapes
