#include "engine/macs.h"

#include <vector>

#include "engine/shapes/einsum_plan.h"

namespace opscope {
namespace {

const Shape* shape_of(const Graph& g, const Node& n, int input) {
  if (input >= static_cast<int>(n.inputs.size()) || n.inputs[input] < 0) {
    return nullptr;
  }
  return &g.tensors[n.inputs[input]].shape;
}

}  // namespace

int64_t node_macs(const Graph& g, const Node& n) {
  if (n.outputs.empty()) return 0;
  const Shape& out = g.tensors[n.outputs[0]].shape;
  const int64_t out_elems = num_elements(out);
  const Shape* in = shape_of(g, n, 0);
  const Shape* w = shape_of(g, n, 1);
  switch (n.op) {
    case OpKind::kConv2D:  // filter OHWI: each output reads KH*KW*I
      if (w && w->size() == 4) return out_elems * (*w)[1] * (*w)[2] * (*w)[3];
      return 0;
    case OpKind::kDepthwiseConv2D:  // filter [1,KH,KW,C*M]
      if (w && w->size() == 4) return out_elems * (*w)[1] * (*w)[2];
      return 0;
    case OpKind::kTransposeConv:  // each input pixel scatters KH*KW*O*I
      if (in && w && w->size() == 4) {
        return num_elements(*in) * (*w)[0] * (*w)[1] * (*w)[2];
      }
      return 0;
    case OpKind::kFullyConnected:
      if (w && w->size() == 2) return out_elems * (*w)[1];
      return 0;
    case OpKind::kBatchMatMul: {
      if (!in || in->size() < 2) return 0;
      const auto& a = n.attr<BatchMatMulAttrs>();
      const int64_t k = a.adj_x ? (*in)[in->size() - 2] : in->back();
      return out_elems * k;
    }
    case OpKind::kLstm:
    case OpKind::kGru:
    case OpKind::kRnn: {
      // Every step of every direction: the gate rows W [dirs, G*H, I] and
      // R [dirs, G*H, H] times one input and one state vector per batch.
      const Shape* r = shape_of(g, n, 2);
      if (!in || !w || !r || in->size() != 3 || w->size() != 3 || r->size() != 3) return 0;
      const int64_t steps = (*in)[0] * (*in)[1];  // seq * batch, either layout
      return steps * (*w)[0] * (*w)[1] * ((*w)[2] + (*r)[2]);
    }
    case OpKind::kAveragePool2D:
    case OpKind::kMaxPool2D: {
      const auto& p = n.attr<Pool2DAttrs>();
      return out_elems * p.filter_h * p.filter_w;
    }
    case OpKind::kMean:
    case OpKind::kReduceSum:
    case OpKind::kReduceMin:
    case OpKind::kReduceProd:
    case OpKind::kReduceSumSquare:
    case OpKind::kReduceL1:
    case OpKind::kReduceL2:
    case OpKind::kReduceLogSum:
    case OpKind::kReduceLogSumExp:
    case OpKind::kReduceMax:
      return in ? num_elements(*in) : 0;
    case OpKind::kResize: {  // taps per output: 2 (linear) or 4 (cubic) per resized axis
      const auto* a = std::get_if<ResizeNdAttrs>(&n.attrs);
      if (!a || !in || a->mode == ResizeMode::kNearest) return 0;
      int64_t taps = 1;
      for (size_t d = 0; d < in->size() && d < a->output_shape.size() && d < a->scales.size(); ++d) {
        if (a->output_shape[d] != (*in)[d] || a->scales[d] != 1.0) {
          taps *= a->mode == ResizeMode::kLinear ? 2 : 4;
        }
      }
      return out_elems * taps;
    }
    case OpKind::kEinsum: {  // one multiply-accumulate per point of the index space
      const auto* a = std::get_if<EinsumAttrs>(&n.attrs);
      if (!a) return 0;
      std::vector<Shape> shapes;
      for (int id : n.inputs) {
        if (id < 0) return 0;
        shapes.push_back(g.tensors[id].shape);
      }
      shapes::EinsumPlan plan;
      if (!shapes::plan_einsum(a->equation, shapes, &plan).empty()) return 0;
      return out_elems * num_elements(plan.summed);
    }
    case OpKind::kGather:  // moves bytes: no multiply-accumulates
    case OpKind::kGatherElements:
    case OpKind::kGatherNd:
      return 0;
    default:
      return 0;
  }
}

int64_t graph_macs(const Graph& g) {
  int64_t total = 0;
  for (const Node& n : g.nodes) total += node_macs(g, n);
  return total;
}

}  // namespace opscope
