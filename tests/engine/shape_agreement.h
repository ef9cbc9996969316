// Holds infer_shapes (engine/shape_inference.h) to the reference kernels'
// prepare on a whole graph: node by node, in order, both must set the same
// shape and dtype on every output.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/backends/reference/kernel_registry.h"
#include "engine/shape_inference.h"

namespace opscope::testing {

// Returns the number of nodes compared.
inline int expect_shapes_agree(const Graph& loaded, const std::string& what) {
  Graph inferred = loaded;
  Graph prepared = loaded;
  // Forget the outputs' shapes so that both must set them.
  for (const Node& n : loaded.nodes) {
    for (int id : n.outputs) {
      inferred.tensors[id].shape.clear();
      prepared.tensors[id].shape.clear();
    }
  }
  int compared = 0;
  for (int i = 0; i < static_cast<int>(loaded.nodes.size()); ++i) {
    size_t scratch_bytes = 0;
    const Status want = reference::prepare_kernel(prepared, i, &scratch_bytes).status();
    if (!want.is_ok()) {
      ADD_FAILURE() << what << ": " << want.message();
      return compared;
    }
    const Status got = infer_shapes(inferred, i);
    if (!got.is_ok()) {
      ADD_FAILURE() << what << ": " << got.message();
      return compared;
    }
    for (int id : loaded.nodes[i].outputs) {
      EXPECT_EQ(shape_to_string(inferred.tensors[id].shape),
                shape_to_string(prepared.tensors[id].shape))
          << what << ": " << describe_node(loaded, i) << " output '" << loaded.tensors[id].name
          << "'";
      EXPECT_EQ(inferred.tensors[id].dtype, prepared.tensors[id].dtype)
          << what << ": " << describe_node(loaded, i);
    }
    ++compared;
  }
  return compared;
}

// The real models of OPSCOPE_MODEL_DIR (else ~/.cache/opscope/models) whose
// names end in `suffix`.
inline std::vector<std::string> real_models(const std::string& suffix) {
  std::string dir;
  if (const char* d = std::getenv("OPSCOPE_MODEL_DIR"); d != nullptr && d[0] != '\0') {
    dir = d;
  } else if (const char* home = std::getenv("HOME"); home != nullptr) {
    dir = std::string(home) + "/.cache/opscope/models";
  }
  std::vector<std::string> paths;
  std::error_code ec;
  if (dir.empty() || !std::filesystem::is_directory(dir, ec)) return paths;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string p = e.path().string();
    if (p.size() > suffix.size() && p.compare(p.size() - suffix.size(), suffix.size(), suffix) == 0) {
      paths.push_back(p);
    }
  }
  return paths;
}

}  // namespace opscope::testing
