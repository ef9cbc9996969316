// Reads TFLite model files (.tflite, FlatBuffers "TFL3") into the engine's
// IR. See docs/tflite.md for the reader, docs/engine.md for which ops map
// to which canonical form.
//
// Contract:
// - Every file is checked (size, identifier, FlatBuffers verifier) before
//   any field is read; nothing here throws, aborts or reads out of bounds.
// - Subgraph 0 is the main graph. The subgraphs its control flow runs (IF's
//   branches, WHILE's cond and body, at any depth) are read too, each into
//   a Model of its own held by the op's attributes (IfAttrs, WhileAttrs);
//   references out of range, cycles between subgraphs and arity mismatches
//   are kInvalidGraph errors naming the op and the subgraphs. CALL_ONCE
//   whose init subgraph has no inputs and no outputs is dropped (a note);
//   resource variables (VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE), which
//   such init subgraphs set up, are kUnsupportedOp. Subgraphs nothing runs
//   are counted in LoadNotes and not read.
// - Constant tensors point into the file's bytes; Model::storage keeps
//   them alive. Constants that are not aligned for their element type are
//   copied into owned storage.
// - Operators the engine has no OpKind for load as OpKind::kUnknown with
//   Node::type_name set; a Session rejects them later.
// - Every error message starts with the file's display name (the path for
//   files) and names the node, op and index at fault.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/status.h"

namespace opscope::tflite {

// What the reader passed over without failing.
struct LoadNotes {
  int read_subgraphs = 0;     // subgraph 0 and those its control flow runs
  int ignored_subgraphs = 0;  // subgraphs nothing runs, not read
  std::vector<std::string> messages;  // one line each, for logs
};

// Maps `path` read-only and reads it. Errors: kIoError (cannot open/map),
// kMalformedModel (not a valid TFLite flatbuffer), kInvalidGraph (indices
// out of range, bad graph), kTypeMismatch (unsupported tensor type).
Result<std::shared_ptr<Model>> load_tflite_file(const std::string& path,
                                                LoadNotes* notes = nullptr);

// Reads a model held in memory (tests, fuzzing). `display_name` starts
// every error message and becomes ModelInfo::path and ::name.
Result<std::shared_ptr<Model>> load_tflite_buffer(
    std::shared_ptr<const std::vector<uint8_t>> bytes,
    const std::string& display_name, LoadNotes* notes = nullptr);

// Whether the TFLite file at `path` carries opscope's source-index table
// (written for the int8 variants `opscope quantize` makes; see
// tflite_source_indices.h). False for a file that cannot be read or is not a
// valid TFLite flatbuffer.
bool file_has_source_indices(const std::string& path);

}  // namespace opscope::tflite
