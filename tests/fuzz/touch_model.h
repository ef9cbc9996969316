// Reads everything a loaded model exposes, so that the sanitizers see any
// constant pointer or index that escaped a reader's checks. Shared by the
// readers' fuzz targets.
#pragma once

#include <cstdint>

#include "engine/graph.h"

namespace opscope::fuzz {

inline uint64_t touch(const Model& model) {
  const Graph& g = model.graph;
  uint64_t sum = 0;
  for (const Tensor& t : g.tensors) {
    sum += t.name.size() + t.shape.size() + t.quantization.scales.size();
    for (size_t i = 0; i < t.data_bytes; ++i) sum += t.data[i];
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    sum += describe_node(g, static_cast<int>(i)).size();
    for (int id : g.nodes[i].inputs) {
      if (id >= 0) sum += g.tensors.at(id).shape.size();
    }
    for (int id : g.nodes[i].outputs) sum += g.tensors.at(id).shape.size();
  }
  for (int id : g.inputs) sum += g.tensors.at(id).shape.size();
  for (int id : g.outputs) sum += g.tensors.at(id).shape.size();
  return sum + static_cast<uint64_t>(model.info.params);
}

}  // namespace opscope::fuzz
