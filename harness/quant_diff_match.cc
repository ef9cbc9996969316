#include "harness/quant_diff_match.h"

#include <map>
#include <unordered_map>

#include "adapters/formats/tflite/tflite_reader.h"
#include "engine/transforms/quantize/quantize_model.h"

namespace opscope::harness {
namespace {

bool is_quantized_int(const Tensor& t) {
  return (t.dtype == DType::kI8 || t.dtype == DType::kU8) && !t.quantization.empty();
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Activations the comparison can read: f32, or int8/uint8 with
// quantization parameters (dequantized first).
bool comparable(const Tensor& t) { return t.dtype == DType::kF32 || is_quantized_int(t); }

std::vector<int> producers(const Graph& g) {
  std::vector<int> p(g.tensors.size(), -1);
  for (int i = 0; i < static_cast<int>(g.nodes.size()); ++i) {
    for (int id : g.nodes[i].outputs) p[id] = i;
  }
  return p;
}

struct Builder {
  const Graph& f;
  const Graph& q;
  std::vector<int> f_producer = producers(f);
  std::unordered_map<std::string, int> f_by_name;  // produced float tensors
  std::vector<char> covered = std::vector<char>(f.nodes.size(), 0);
  OpMatching m;

  Builder(const Graph& fg, const Graph& qg) : f(fg), q(qg) {
    for (int id = 0; id < static_cast<int>(f.tensors.size()); ++id) {
      if (f_producer[id] >= 0) f_by_name.emplace(f.tensors[id].name, id);
    }
  }

  // The float tensor named like int8 tensor `qt`, if it is produced and has
  // as many elements.
  int same_name(int qt) const {
    auto it = f_by_name.find(q.tensors[qt].name);
    if (it == f_by_name.end()) return -1;
    return f.tensors[it->second].elements() == q.tensors[qt].elements() ? it->second : -1;
  }

  void unmatched_int8(int j, const std::string& why) {
    m.unmatched_int8.push_back(describe_node(q, j) + ": " + why);
  }

  // Pairs int8 node j with float tensor ft (produced by float node fn).
  void add(int j, int fn, int ft) {
    const int qt = q.nodes[j].outputs[0];
    if (!comparable(f.tensors[ft]) || !comparable(q.tensors[qt])) {
      unmatched_int8(j, "output is " + std::string(to_string(q.tensors[qt].dtype)) +
                            " vs float " + std::string(to_string(f.tensors[ft].dtype)) +
                            ", not values to compare");
      covered[fn] = 1;
      return;
    }
    OpPair p;
    p.float_node = fn;
    p.int8_node = j;
    p.float_tensor = ft;
    p.int8_tensor = qt;
    covered[fn] = 1;
    const int writer = f_producer[ft];
    if (writer >= 0 && writer != fn) {
      p.fused_float_nodes.push_back(writer);
      covered[writer] = 1;
    }
    m.pairs.push_back(std::move(p));
  }

  void by_source(const std::map<int, int>& f_by_source) {
    for (int j = 0; j < static_cast<int>(q.nodes.size()); ++j) {
      const Node& n = q.nodes[j];
      if (n.source_index < 0) {
        ++m.inserted_int8_nodes;
        continue;
      }
      auto it = f_by_source.find(n.source_index);
      if (it == f_by_source.end()) {
        unmatched_int8(j, "source index " + std::to_string(n.source_index) +
                              " is no node of the float model");
        continue;
      }
      const int fn = it->second;
      if (n.outputs.empty() || f.nodes[fn].outputs.empty()) continue;
      int ft = same_name(n.outputs[0]);
      if (ft < 0) {
        ft = f.nodes[fn].outputs[0];
        if (f.tensors[ft].elements() != q.tensors[n.outputs[0]].elements()) {
          unmatched_int8(j, "output " + shape_to_string(q.tensors[n.outputs[0]].shape) +
                                " differs from float " + describe_node(f, fn) + "'s " +
                                shape_to_string(f.tensors[ft].shape));
          continue;
        }
      }
      add(j, fn, ft);
    }
  }

  void by_name() {
    for (int j = 0; j < static_cast<int>(q.nodes.size()); ++j) {
      const Node& n = q.nodes[j];
      if (n.outputs.empty()) continue;
      const int ft = same_name(n.outputs[0]);
      if (ft < 0) {
        if (n.op == OpKind::kQuantize || n.op == OpKind::kDequantize) {
          ++m.inserted_int8_nodes;
        } else {
          unmatched_int8(j, "no float tensor named '" + q.tensors[n.outputs[0]].name + "'");
        }
        continue;
      }
      // A DEQUANTIZE that restores a float tensor's name stands for the
      // node before it: compare its output, time the producer.
      int node = j;
      if (n.op == OpKind::kDequantize && !n.inputs.empty() && n.inputs[0] >= 0) {
        for (int k = 0; k < j; ++k) {
          if (!q.nodes[k].outputs.empty() && q.nodes[k].outputs[0] == n.inputs[0]) node = k;
        }
      }
      add(j, f_producer[ft], ft);
      if (!m.pairs.empty() && m.pairs.back().int8_node == j) m.pairs.back().int8_node = node;
    }
  }
};

}  // namespace

bool has_source_indices(const std::string& path) {
  return ends_with(path, ".tflite") && tflite::file_has_source_indices(path);
}

Status check_model_pair(const Graph& f, const std::string& float_path, const Graph& q,
                        const std::string& int8_path) {
  Status is_float = check_float_model(f);
  if (!is_float.is_ok()) {
    return Status(ErrorCode::kTypeMismatch,
                  float_path + ": not a float model (the first model must be the float one): " +
                      is_float.message());
  }
  bool any_int8 = false;
  for (const Tensor& t : q.tensors) any_int8 = any_int8 || is_quantized_int(t);
  if (!any_int8) {
    return Status(ErrorCode::kTypeMismatch,
                  int8_path + ": not a quantized model: no tensor is int8 with quantization "
                              "parameters (make one with `opscope quantize`)");
  }
  const std::string both = float_path + " and " + int8_path;
  if (f.inputs.size() != q.inputs.size()) {
    return Status(ErrorCode::kShapeMismatch,
                  both + " have different inputs: " + std::to_string(f.inputs.size()) + " vs " +
                      std::to_string(q.inputs.size()));
  }
  for (size_t i = 0; i < f.inputs.size(); ++i) {
    const Tensor& a = f.tensors[f.inputs[i]];
    const Tensor& b = q.tensors[q.inputs[i]];
    if (a.shape != b.shape) {
      return Status(ErrorCode::kShapeMismatch,
                    both + " have different inputs: input " + std::to_string(i) + " '" +
                        a.name + "' is " + shape_to_string(a.shape) + " vs '" + b.name + "' " +
                        shape_to_string(b.shape));
    }
    if (a.dtype != DType::kF32 || !(b.dtype == DType::kF32 || is_quantized_int(b))) {
      return Status(ErrorCode::kTypeMismatch,
                    both + ": input " + std::to_string(i) + " '" + a.name + "' is " +
                        std::string(to_string(a.dtype)) + " vs " +
                        std::string(to_string(b.dtype)) +
                        " (expected f32 in the float model; f32 or quantized int8 in the "
                        "int8 model)");
    }
  }
  if (f.outputs.size() != q.outputs.size()) {
    return Status(ErrorCode::kShapeMismatch,
                  both + " have different outputs: " + std::to_string(f.outputs.size()) +
                      " vs " + std::to_string(q.outputs.size()));
  }
  for (size_t i = 0; i < f.outputs.size(); ++i) {
    const Tensor& a = f.tensors[f.outputs[i]];
    const Tensor& b = q.tensors[q.outputs[i]];
    if (a.elements() != b.elements() || !comparable(a) || !comparable(b)) {
      return Status(ErrorCode::kShapeMismatch,
                    both + " have different outputs: output " + std::to_string(i) + " '" +
                        a.name + "' is " + std::string(to_string(a.dtype)) + " " +
                        shape_to_string(a.shape) + " vs " + std::string(to_string(b.dtype)) +
                        " " + shape_to_string(b.shape));
    }
  }
  return Status::ok();
}

Result<OpMatching> match_ops(const Graph& f, const std::string& float_path, const Graph& q,
                             const std::string& int8_path, bool by_source_index) {
  Builder b(f, q);
  b.m.by_source_index = by_source_index;
  if (by_source_index) {
    std::map<int, int> f_by_source;
    for (int i = 0; i < static_cast<int>(f.nodes.size()); ++i) {
      f_by_source.emplace(f.nodes[i].source_index, i);
    }
    b.by_source(f_by_source);
  } else {
    b.by_name();
  }
  for (int i = 0; i < static_cast<int>(f.nodes.size()); ++i) {
    if (!b.covered[i]) {
      b.m.unmatched_float.push_back(describe_node(f, i) + ": no int8 node " +
                                    (by_source_index ? "carries its source index"
                                                     : "writes a tensor of its output's name"));
    }
  }
  if (b.m.pairs.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  float_path + " and " + int8_path + ": no op matched " +
                      (by_source_index ? "by source index" : "by output tensor name") +
                      ": is the int8 model made from this float model (`opscope quantize`)?");
  }
  return std::move(b.m);
}

}  // namespace opscope::harness
