// What a model file states about itself, read straight from its format
// (the ONNX protobuf, the TFLite flatbuffer) with no engine graph built.
//
// `opscope inspect` shows it for a model the engine cannot import (an op
// the importer lacks, an element type the engine has no kernels for), so a
// model that parses is always described. Names and types are the file's
// own, as bytes (they may not be UTF-8: whoever writes them out escapes
// them, result/utf8.h); nothing here is checked against the engine except
// the list of what cannot run.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace opscope::formats {

// One dim as the file states it.
struct FileDim {
  bool has_value = false;
  int64_t value = 0;   // the size when has_value (as stated: a hostile file may say -3)
  std::string symbol;  // ONNX dim_param ("N", "batch"); empty when none
};

struct FileTensor {
  std::string name;
  std::string type;           // the format's name: ONNX "DOUBLE", TFLite "FLOAT64"
  bool has_shape = true;      // an ONNX value may state no shape at all
  std::vector<FileDim> shape;  // empty: a scalar (when has_shape)
};

// A graph of the file: the main graph, an ONNX subgraph held by a node's
// attribute (If's branches, Loop's and Scan's bodies, at any depth), or a
// TFLite subgraph.
struct FileGraph {
  std::string path;   // ONNX: "main", "If.then_branch", "If.then_branch/Loop.body";
                      // TFLite: "subgraph 1"
  std::string name;   // the graph's own name in the file (may be empty)
  int parent = -1;    // index into ModelFileInfo::graphs; -1 for top-level graphs
  int owner_node = -1;  // ONNX: the node of `parent` whose attribute holds it
  std::string owner_name, owner_op, attribute;
  int depth = 0;      // 0 for top-level graphs
  int nodes = 0;
  std::map<std::string, int> op_histogram;  // op type -> count (this graph only)
};

// A node (or a tensor no node produces) that keeps the engine from
// running the model.
struct UnrunnableNode {
  int graph = 0;       // index into ModelFileInfo::graphs
  int index = -1;      // the node's index in that graph; -1: no node (a graph input or initializer)
  std::string name;    // the node's name in the file (may be empty)
  std::string op;      // its op type
  std::string reason;
  // Element type problems: the tensor and the type the file gives it.
  std::string tensor, tensor_type;
};

struct ModelFileInfo {
  std::string format;  // "onnx" or "tflite"
  std::string producer, producer_version;  // TFLite: the description string
  int64_t ir_version = -1;                  // ONNX
  std::vector<std::pair<std::string, int64_t>> opset_imports;  // ONNX: domain ("" default), version
  int64_t schema_version = -1;              // TFLite
  std::vector<FileTensor> inputs, outputs;  // of the main graph (ONNX: initializers left out)
  std::vector<FileGraph> graphs;            // [0] is the main graph; nested ones depth-first
  // Initializers (ONNX) / constant buffers (TFLite): elements and bytes.
  int64_t params = 0, param_bytes = 0;
  int uncounted_constants = 0;  // constants whose size could not be counted (too large)
  std::vector<UnrunnableNode> unrunnable;
};

}  // namespace opscope::formats
