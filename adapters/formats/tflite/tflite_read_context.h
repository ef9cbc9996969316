// Internal to the TFLite reader: the state its translation steps share.
//
// The reader runs: check bytes -> verify -> then, per subgraph
// (tflite_subgraphs.h: subgraph 0, and those control flow runs, each as a
// Model of its own): read_tensors -> read_operators -> fill_model_info ->
// validate_graph. Each step returns errors without the file name;
// tflite_reader.cc prefixes every message with it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "adapters/formats/tflite/tflite_reader.h"
#include "engine/graph.h"
#include "engine/status.h"
#include "tflite_schema_generated.h"

namespace opscope::tflite {

// Bytes the reader may allocate for tensor data that is not in the file
// (densified sparse weights, zero-filled variables). It bounds what a small
// hostile file can make the reader allocate.
class AllocationBudget {
 public:
  explicit AllocationBudget(size_t bytes) : left_(bytes), limit_(bytes) {}
  // Takes `bytes` from the budget; false (and nothing taken) if too few
  // are left.
  bool take(size_t bytes) {
    if (bytes > left_) return false;
    left_ -= bytes;
    return true;
  }
  size_t limit() const { return limit_; }

 private:
  size_t left_;
  size_t limit_;
};

class SubgraphReader;  // tflite_subgraphs.h

struct ReadContext {
  // The whole file: flatbuffer plus any buffers stored after it.
  const uint8_t* file_data = nullptr;
  size_t file_size = 0;
  const fb::Model* model = nullptr;        // verified
  const fb::SubGraph* subgraph = nullptr;  // the one being read, verified
  int subgraph_index = 0;                  // its index in the file
  Graph* graph = nullptr;                  // being built
  ModelInfo* info = nullptr;               // folded_nodes is counted here
  LoadNotes* notes = nullptr;              // never null
  AllocationBudget* budget = nullptr;      // never null, one per file
  // Reads the subgraphs control-flow ops run (IF, WHILE, CALL_ONCE); never
  // null while operators are read.
  SubgraphReader* subgraphs = nullptr;
};

// Translates ctx.subgraph's tensors, inputs and outputs into ctx.graph:
// dtypes, shapes, quantization, roles and constant data.
Status read_tensors(const ReadContext& ctx);

// Translates ctx.subgraph's operators into canonical nodes (op_kind.h).
// Needs the tensors read first (constant shape inputs are folded into
// attributes). Control-flow ops read the subgraphs they run through
// ctx.subgraphs; CALL_ONCE is dropped (tflite_control_flow.cc).
Status read_operators(const ReadContext& ctx);

// Fills params, param_bytes and weight_precision from the graph's
// constants as read from the file.
void fill_weight_info(const Graph& graph, ModelInfo& info);

// Checks size, identifier and the FlatBuffers verifier before any field is
// read; after it the generated accessors may be used freely on `data`
// (indices inside the tables are still unchecked). Errors: kMalformedModel,
// without the file name.
Result<const fb::Model*> check_flatbuffer(const uint8_t* data, size_t size);

// The engine dtype of a TFLite tensor type; nullopt for those it lacks
// (FLOAT64, STRING, COMPLEX64, ...).
std::optional<DType> map_dtype(fb::TensorType type);

// An operator code's builtin code: the larger of builtin_code and the
// byte-sized deprecated_builtin_code (old files fill only the latter).
int32_t resolve_builtin_code(const fb::OperatorCode& code);

// "CONV_2D"; "BUILTIN_<n>" for a code this schema does not name.
std::string builtin_name(int32_t code);

// The bytes of a byte-vector field that may instead be stored outside the
// flatbuffer at [offset, offset + size) of the file (models over 2 GB).
struct ByteRange {
  const uint8_t* data = nullptr;
  size_t size = 0;
};

// Resolves `offset`/`size` against the file. Fails (kMalformedModel) when
// the range does not lie inside the file. `what` names the field.
Result<ByteRange> external_range(const ReadContext& ctx, uint64_t offset,
                                 uint64_t size, const std::string& what);

}  // namespace opscope::tflite
