// EINSUM (op_kind.h): the equation parser behind einsum_plan.h, and the
// shape rule.
#include <algorithm>
#include <array>
#include <string>

#include "engine/shapes/einsum_plan.h"
#include "engine/shapes/int_params.h"
#include "engine/shapes/shape_rules.h"

namespace opscope::shapes {
namespace {

constexpr int kEllipsis = -1;
constexpr int kLabels = 128;  // indexed by the letter's ASCII code
constexpr int64_t kMaxPoints = int64_t{1} << 40;

bool is_label(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// One term ("bij", "...ii", "") as labels and at most one kEllipsis.
std::string parse_term(std::string_view term, std::vector<int>* out) {
  out->clear();
  bool ellipsis = false;
  for (size_t i = 0; i < term.size();) {
    const char c = term[i];
    if (is_label(c)) {
      out->push_back(c);
      ++i;
    } else if (c == '.') {
      if (term.substr(i, 3) != "...") return "term " + quoted(term) + " has a '.' outside \"...\"";
      if (ellipsis) return "term " + quoted(term) + " has \"...\" twice";
      ellipsis = true;
      out->push_back(kEllipsis);
      i += 3;
    } else {
      return "term " + quoted(term) + " has " + quoted(std::string(1, c)) +
             ", which is no label (a-z, A-Z), ',', \"...\" or \"->\"";
    }
  }
  return "";
}

}  // namespace

std::string plan_einsum(std::string_view equation, const std::vector<Shape>& shapes,
                        EinsumPlan* plan) {
  std::string eq;
  for (char c : equation) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') eq += c;
  }
  const std::string in_eq = " in equation " + quoted(equation);
  const size_t arrow = eq.find("->");
  if (arrow != std::string::npos && eq.find("->", arrow + 2) != std::string::npos) {
    return "\"->\" appears twice" + in_eq;
  }
  const std::string lhs = eq.substr(0, arrow);
  std::vector<std::string> terms(1);
  for (char c : lhs) {
    if (c == ',') {
      terms.emplace_back();
    } else {
      terms.back() += c;
    }
  }
  if (terms.size() != shapes.size()) {
    return "the equation has " + std::to_string(terms.size()) + " operand term(s), the node " +
           std::to_string(shapes.size()) + " input(s)" + in_eq;
  }
  const size_t n = shapes.size();
  std::vector<std::vector<int>> parsed(n);
  for (size_t k = 0; k < n; ++k) {
    std::string why = parse_term(terms[k], &parsed[k]);
    if (!why.empty()) return why + in_eq;
  }

  // Each operand's ellipsis rank, and the dims every label and every
  // (right-aligned) ellipsis dim has.
  std::array<int64_t, kLabels> size;
  size.fill(-1);
  std::array<int, kLabels> uses{};
  std::array<int, kLabels> first_operand{};
  std::vector<int> ell_rank(n, 0);
  int ell = 0;
  bool any_ellipsis = false;
  for (size_t k = 0; k < n; ++k) {
    const auto& t = parsed[k];
    const bool has_ell = std::find(t.begin(), t.end(), kEllipsis) != t.end();
    const int labels = static_cast<int>(t.size()) - (has_ell ? 1 : 0);
    const int rank = static_cast<int>(shapes[k].size());
    if (has_ell ? rank < labels : rank != labels) {
      return "term " + std::to_string(k) + " " + quoted(terms[k]) + " has " +
             std::to_string(labels) + " label(s)" + (has_ell ? " and \"...\"" : "") +
             ", input " + std::to_string(k) + " has rank " + std::to_string(rank) + " (" +
             shape_to_string(shapes[k]) + ")" + in_eq;
    }
    ell_rank[k] = has_ell ? rank - labels : 0;
    ell = std::max(ell, ell_rank[k]);
    any_ellipsis = any_ellipsis || has_ell;
  }
  Shape ell_dims(static_cast<size_t>(ell), 1);
  for (size_t k = 0; k < n; ++k) {
    int d = 0;
    for (int token : parsed[k]) {
      if (token == kEllipsis) {
        for (int e = 0; e < ell_rank[k]; ++e, ++d) {
          const int64_t dim = shapes[k][static_cast<size_t>(d)];
          int64_t& have = ell_dims[static_cast<size_t>(ell - ell_rank[k] + e)];
          if (dim != 1 && have != 1 && dim != have) {
            return "the \"...\" dims of input " + std::to_string(k) + " (" +
                   shape_to_string(shapes[k]) + ") do not broadcast with the other inputs'" +
                   in_eq;
          }
          if (dim != 1) have = dim;
        }
        continue;
      }
      const int64_t dim = shapes[k][static_cast<size_t>(d++)];
      if (size[token] >= 0 && size[token] != dim) {
        return "label '" + std::string(1, static_cast<char>(token)) + "' has size " +
               std::to_string(size[token]) + " in input " +
               std::to_string(first_operand[token]) + " and " + std::to_string(dim) +
               " in input " + std::to_string(k) + in_eq;
      }
      if (size[token] < 0) first_operand[token] = static_cast<int>(k);
      size[token] = dim;
      ++uses[token];
    }
  }

  // The output's tokens.
  std::vector<int> out;
  if (arrow != std::string::npos) {
    const std::string rhs = eq.substr(arrow + 2);
    if (rhs.find(',') != std::string::npos) return "the output has a ','" + in_eq;
    std::string why = parse_term(rhs, &out);
    if (!why.empty()) return "output " + why + in_eq;
    std::array<bool, kLabels> seen{};
    for (int token : out) {
      if (token == kEllipsis) continue;
      if (size[token] < 0) {
        return "output label '" + std::string(1, static_cast<char>(token)) +
               "' is in no input" + in_eq;
      }
      if (seen[token]) {
        return "output label '" + std::string(1, static_cast<char>(token)) + "' appears twice" +
               in_eq;
      }
      seen[token] = true;
    }
  } else {
    if (any_ellipsis) out.push_back(kEllipsis);
    for (int c = 0; c < kLabels; ++c) {
      if (uses[c] == 1) out.push_back(c);
    }
  }

  // The axes: output first, then the summed ones; axis_of maps a label, and
  // ell_axis each ellipsis dim, to (in output?, index).
  struct Axis {
    bool output = false;
    int index = -1;
  };
  std::array<Axis, kLabels> axis_of{};
  std::vector<Axis> ell_axis(static_cast<size_t>(ell));
  EinsumPlan p;
  for (int token : out) {
    if (token == kEllipsis) {
      for (int e = 0; e < ell; ++e) {
        ell_axis[static_cast<size_t>(e)] = {true, static_cast<int>(p.output.size())};
        p.output.push_back(ell_dims[static_cast<size_t>(e)]);
      }
    } else {
      axis_of[token] = {true, static_cast<int>(p.output.size())};
      p.output.push_back(size[token]);
    }
  }
  for (int c = 0; c < kLabels; ++c) {
    if (size[c] >= 0 && !axis_of[c].output) {
      axis_of[c] = {false, static_cast<int>(p.summed.size())};
      p.summed.push_back(size[c]);
    }
  }
  const bool out_has_ellipsis = std::find(out.begin(), out.end(), kEllipsis) != out.end();
  if (!out_has_ellipsis) {
    for (int e = 0; e < ell; ++e) {
      ell_axis[static_cast<size_t>(e)] = {false, static_cast<int>(p.summed.size())};
      p.summed.push_back(ell_dims[static_cast<size_t>(e)]);
    }
  }

  // The naive loop visits every point of the index space: refuse one no
  // kernel run (or constant folding at load) could finish.
  const bool empty = std::find(p.output.begin(), p.output.end(), 0) != p.output.end() ||
                     std::find(p.summed.begin(), p.summed.end(), 0) != p.summed.end();
  int64_t points = 1;
  for (const Shape* dims : {&p.output, &p.summed}) {
    for (int64_t d : *dims) {
      if (!empty && (__builtin_mul_overflow(points, d, &points) || points > kMaxPoints)) {
        return "the index space of the equation has more than 2^40 points" + in_eq;
      }
    }
  }

  // Strides.
  p.out_strides.assign(n, std::vector<int64_t>(p.output.size(), 0));
  p.sum_strides.assign(n, std::vector<int64_t>(p.summed.size(), 0));
  for (size_t k = 0; k < n; ++k) {
    const Shape& s = shapes[k];
    std::vector<int64_t> stride(s.size(), 1);
    for (int d = static_cast<int>(s.size()) - 2; d >= 0; --d) {
      stride[static_cast<size_t>(d)] = stride[static_cast<size_t>(d) + 1] * s[static_cast<size_t>(d) + 1];
    }
    auto add = [&](const Axis& a, int64_t st) {
      (a.output ? p.out_strides[k] : p.sum_strides[k])[static_cast<size_t>(a.index)] += st;
    };
    size_t d = 0;
    for (int token : parsed[k]) {
      if (token == kEllipsis) {
        for (int e = 0; e < ell_rank[k]; ++e, ++d) {
          if (s[d] == 1) continue;  // broadcast: stays at 0
          add(ell_axis[static_cast<size_t>(ell - ell_rank[k] + e)], stride[d]);
        }
      } else {
        add(axis_of[token], stride[d++]);
      }
    }
  }
  *plan = std::move(p);
  return "";
}

Status einsum(PrepareContext& ctx) {
  OPSCOPE_ASSIGN_OR_RETURN(const EinsumAttrs attrs, node_attrs<EinsumAttrs>(ctx));
  if (ctx.num_inputs() < 1) return ctx.error(ErrorCode::kInvalidGraph, "needs an operand");
  std::vector<Shape> shapes;
  const DType dtype = ctx.input(0).dtype;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    OPSCOPE_RETURN_IF_ERROR(expect_present(ctx, i));
    const Tensor& t = ctx.input(i);
    if (t.dtype != dtype || !t.quantization.empty() ||
        (dtype != DType::kF32 && dtype != DType::kI32 && dtype != DType::kI64)) {
      return ctx.error(ErrorCode::kTypeMismatch,
                       "operands must share one dtype of f32, i32, i64 (not quantized); input " +
                           std::to_string(i) + " is " + std::string(to_string(t.dtype)));
    }
    shapes.push_back(t.shape);
  }
  EinsumPlan plan;
  const std::string why = plan_einsum(attrs.equation, shapes, &plan);
  if (!why.empty()) return ctx.error(ErrorCode::kInvalidArgument, why);
  ctx.output(0).shape = plan.output;
  ctx.output(0).dtype = dtype;
  return Status::ok();
}

}  // namespace opscope::shapes
