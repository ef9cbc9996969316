// Source indices that survive a rewrite: when opscope writes a model whose
// nodes came from another file (the int8 variant `opscope quantize` makes),
// each operator keeps the index of the node it came from in the original
// model, so that per-op tables of the two line up row by row (compare,
// reports, quant-diff). TFLite has no per-operator field for this; the
// writer stores it as model metadata named kSourceIndicesMetadata: one
// little-endian int32 per operator, in operator order (-1: a node with no
// original, e.g. an inserted QUANTIZE). Other runtimes ignore the entry.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "adapters/formats/tflite/tflite_read_context.h"
#include "engine/graph.h"

namespace opscope::tflite {

inline constexpr const char* kSourceIndicesMetadata = "opscope.source_indices";

// The table to write for `graph`, or nothing when every node's source index
// is its own position (nothing to remember).
std::optional<std::vector<int32_t>> source_indices_to_write(const Graph& graph);

// Applies the table, when the file has one, to the nodes read from it
// (node.source_index is the operator index until then). A table of the
// wrong size or with values below -1 is kMalformedModel.
Status apply_source_indices(const ReadContext& ctx);

// file_has_source_indices(path) is declared in tflite_reader.h.

}  // namespace opscope::tflite
