// Builds small synthetic .tflite files for the reader's tests with the
// generated FlatBuffers builder API, so tests need no model files.
//
//   TfliteModelBuilder b;
//   int w = b.add_buffer_of<float>({1, 2, 3, 4});
//   int in = b.add_tensor("in", TensorType::FLOAT32, {1, 2, 2, 1});
//   ...
//   int add = b.add_opcode(BuiltinOperator::ADD);
//   b.add_op(add, {in, c}, {out}, b.add_options(...));
//   std::vector<uint8_t> bytes = b.finish({in}, {out});
//
// Several subgraphs (control flow): tensors and ops go to the current
// subgraph, subgraph 0 ("main") at first. begin_subgraph() starts the next
// one and makes it current; tensor indices are per subgraph, as in the
// file. Give each subgraph its inputs and outputs with set_subgraph_io();
// finish() sets subgraph 0's.
//
//   int body = b.begin_subgraph("body");
//   int i = b.add_tensor("i", TensorType::INT32, {});  // body's tensor 0
//   ...
//   b.set_subgraph_io({i, x}, {i_next, x_next});
//   b.use_subgraph(0);
//   b.add_op(b.add_opcode(BuiltinOperator::WHILE), {i0, x0}, {i1, x1},
//            b.while_options(cond, body));
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tflite_schema_generated.h"

namespace opscope::tflite::testing {

namespace fb = opscope::tflite::fb;

struct TensorDef {
  std::string name;
  fb::TensorType type = fb::TensorType::FLOAT32;
  std::vector<int32_t> shape;
  uint32_t buffer = 0;
  std::vector<float> scales;
  std::vector<int64_t> zero_points;
  int32_t quantized_dimension = 0;
  bool is_variable = false;
  flatbuffers::Offset<fb::SparsityParameters> sparsity;  // made with fbb()
};

inline TensorDef tensor_def(std::string name, fb::TensorType type,
                            std::vector<int32_t> shape, uint32_t buffer = 0) {
  TensorDef def;
  def.name = std::move(name);
  def.type = type;
  def.shape = std::move(shape);
  def.buffer = buffer;
  return def;
}

// Options of one operator: a union tag and the table, made with fbb().
struct OptionsDef {
  fb::BuiltinOptions type = fb::BuiltinOptions::NONE;
  flatbuffers::Offset<void> table;
};

struct OpDef {
  uint32_t opcode_index = 0;
  std::vector<int32_t> inputs, outputs;
  OptionsDef options;
  std::vector<uint8_t> custom_options;
};

class TfliteModelBuilder {
 public:
  TfliteModelBuilder() { buffers_.emplace_back(); }  // buffer 0: empty

  flatbuffers::FlatBufferBuilder& fbb() { return fbb_; }

  // Returns the new buffer's index.
  uint32_t add_buffer(std::vector<uint8_t> bytes) {
    buffers_.push_back({std::move(bytes), 0, 0});
    return static_cast<uint32_t>(buffers_.size() - 1);
  }
  // A buffer whose bytes lie outside the flatbuffer, at `offset` from the
  // start of the file (the >2 GB layout).
  uint32_t add_external_buffer(uint64_t offset, uint64_t size) {
    buffers_.push_back({{}, offset, size});
    return static_cast<uint32_t>(buffers_.size() - 1);
  }
  template <typename T>
  uint32_t add_buffer_of(const std::vector<T>& values) {
    std::vector<uint8_t> bytes(values.size() * sizeof(T));
    if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    return add_buffer(std::move(bytes));
  }

  int add_tensor(TensorDef def) {
    auto& tensors = current().tensors;
    tensors.push_back(std::move(def));
    return static_cast<int>(tensors.size() - 1);
  }
  int add_tensor(const std::string& name, fb::TensorType type,
                 std::vector<int32_t> shape, uint32_t buffer = 0) {
    return add_tensor(tensor_def(name, type, std::move(shape), buffer));
  }
  // A constant tensor with its own buffer holding `values`.
  template <typename T>
  int add_constant(const std::string& name, fb::TensorType type,
                   std::vector<int32_t> shape, const std::vector<T>& values) {
    return add_tensor(name, type, std::move(shape), add_buffer_of(values));
  }
  TensorDef& tensor(int index) { return current().tensors[index]; }

  // Starts a new subgraph after the existing ones and makes it current;
  // returns its index.
  int begin_subgraph(const std::string& name = "") {
    subgraphs_.emplace_back();
    subgraphs_.back().name = name;
    current_ = static_cast<int>(subgraphs_.size() - 1);
    return current_;
  }
  // Makes subgraph `index` (already begun; 0 is the main one) current.
  void use_subgraph(int index) { current_ = index; }
  // The current subgraph's inputs and outputs (its tensor indices).
  void set_subgraph_io(std::vector<int32_t> inputs, std::vector<int32_t> outputs) {
    current().inputs = std::move(inputs);
    current().outputs = std::move(outputs);
  }

  // Returns the opcode index. `deprecated_only` writes the code the way
  // old converters did (byte field only).
  uint32_t add_opcode(fb::BuiltinOperator code,
                      const std::string& custom_code = "",
                      bool deprecated_only = false, int32_t version = 1) {
    opcodes_.push_back({code, custom_code, deprecated_only, version});
    return static_cast<uint32_t>(opcodes_.size() - 1);
  }

  template <typename T>
  OptionsDef options(fb::BuiltinOptions type, flatbuffers::Offset<T> table) {
    return OptionsDef{type, table.Union()};
  }

  // Options of the control-flow ops; the indices are subgraph indices.
  OptionsDef if_options(int32_t then_subgraph, int32_t else_subgraph) {
    return options(fb::BuiltinOptions::IfOptions,
                   fb::CreateIfOptions(fbb_, then_subgraph, else_subgraph));
  }
  OptionsDef while_options(int32_t cond_subgraph, int32_t body_subgraph) {
    return options(fb::BuiltinOptions::WhileOptions,
                   fb::CreateWhileOptions(fbb_, cond_subgraph, body_subgraph));
  }
  OptionsDef call_once_options(int32_t init_subgraph) {
    return options(fb::BuiltinOptions::CallOnceOptions,
                   fb::CreateCallOnceOptions(fbb_, init_subgraph));
  }

  // Adds an op to the current subgraph.
  void add_op(uint32_t opcode_index, std::vector<int32_t> inputs,
              std::vector<int32_t> outputs, OptionsDef options = {},
              std::vector<uint8_t> custom_options = {}) {
    current().ops.push_back({opcode_index, std::move(inputs), std::move(outputs),
                             options, std::move(custom_options)});
  }

  // Extra subgraphs (empty) after the ones begun.
  void set_extra_subgraphs(int count) { extra_subgraphs_ = count; }

  // Serializes the model with `inputs` and `outputs` as subgraph 0's.
  // Call once.
  std::vector<uint8_t> finish(const std::vector<int32_t>& inputs,
                              const std::vector<int32_t>& outputs) {
    subgraphs_[0].inputs = inputs;
    subgraphs_[0].outputs = outputs;
    std::vector<flatbuffers::Offset<fb::Buffer>> buffers;
    for (const BufferDef& b : buffers_) {
      buffers.push_back(fb::CreateBufferDirect(
          fbb_, b.bytes.empty() ? nullptr : &b.bytes, b.offset, b.size));
    }
    std::vector<flatbuffers::Offset<fb::SubGraph>> subgraphs;
    for (const SubgraphDef& sg : subgraphs_) subgraphs.push_back(write_subgraph(sg));
    for (int i = 0; i < extra_subgraphs_; ++i) {
      subgraphs.push_back(fb::CreateSubGraphDirect(fbb_));
    }
    std::vector<flatbuffers::Offset<fb::OperatorCode>> codes;
    for (const auto& c : opcodes_) {
      const int32_t value = static_cast<int32_t>(c.code);
      const int8_t deprecated = static_cast<int8_t>(value < 127 ? value : 127);
      codes.push_back(fb::CreateOperatorCodeDirect(
          fbb_, deprecated, c.custom.empty() ? nullptr : c.custom.c_str(), c.version,
          c.deprecated_only ? fb::BuiltinOperator::ADD : c.code));
    }
    auto model = fb::CreateModelDirect(fbb_, 3, &codes, &subgraphs,
                                       "opscope test", &buffers);
    fb::FinishModelBuffer(fbb_, model);
    return std::vector<uint8_t>(fbb_.GetBufferPointer(),
                                fbb_.GetBufferPointer() + fbb_.GetSize());
  }

 private:
  struct SubgraphDef {
    std::string name;
    std::vector<TensorDef> tensors;
    std::vector<OpDef> ops;
    std::vector<int32_t> inputs, outputs;
  };
  struct BufferDef {
    std::vector<uint8_t> bytes;
    uint64_t offset, size;
  };
  struct OpcodeDef {
    fb::BuiltinOperator code;
    std::string custom;
    bool deprecated_only;
    int32_t version;
  };

  SubgraphDef& current() { return subgraphs_[static_cast<size_t>(current_)]; }

  flatbuffers::Offset<fb::SubGraph> write_subgraph(const SubgraphDef& sg) {
    std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
    for (const TensorDef& t : sg.tensors) {
      flatbuffers::Offset<fb::QuantizationParameters> quant;
      if (!t.scales.empty()) {
        quant = fb::CreateQuantizationParametersDirect(
            fbb_, nullptr, nullptr, &t.scales,
            t.zero_points.empty() ? nullptr : &t.zero_points,
            fb::QuantizationDetails::NONE, 0, t.quantized_dimension);
      }
      tensors.push_back(fb::CreateTensorDirect(fbb_, &t.shape, t.type,
                                               t.buffer, t.name.c_str(), quant,
                                               t.is_variable, t.sparsity));
    }
    std::vector<flatbuffers::Offset<fb::Operator>> ops;
    for (const OpDef& op : sg.ops) {
      ops.push_back(fb::CreateOperatorDirect(
          fbb_, op.opcode_index, &op.inputs, &op.outputs, op.options.type,
          op.options.table,
          op.custom_options.empty() ? nullptr : &op.custom_options));
    }
    return fb::CreateSubGraphDirect(fbb_, &tensors, &sg.inputs, &sg.outputs, &ops,
                                    sg.name.empty() ? nullptr : sg.name.c_str());
  }

  flatbuffers::FlatBufferBuilder fbb_;
  std::vector<BufferDef> buffers_;
  std::vector<SubgraphDef> subgraphs_ = std::vector<SubgraphDef>(1, SubgraphDef{"main", {}, {}, {}, {}});
  int current_ = 0;
  std::vector<OpcodeDef> opcodes_;
  int extra_subgraphs_ = 0;
};

// A sparse FLOAT32 [2, 4] tensor: dim 0 DENSE, dim 1 SPARSE_CSR with row
// `segments` and column indices {1, 3, 0} (absent, though the union's type
// tag stays set, when `with_indices` is false), holding `values`. With
// segments {0, 2, 3}, row 0 has values at columns 1 and 3, row 1 at 0.
inline TensorDef sparse_2x4_def(TfliteModelBuilder& b, std::string name,
                                const std::vector<uint8_t>& segments,
                                bool with_indices, const std::vector<float>& values) {
  auto& fbb = b.fbb();
  const std::vector<int32_t> order = {0, 1};
  const std::vector<uint8_t> indices = {1, 3, 0};
  auto seg = fb::CreateUint8VectorDirect(fbb, &segments);
  auto idx = with_indices ? fb::CreateUint8VectorDirect(fbb, &indices)
                          : flatbuffers::Offset<fb::Uint8Vector>();
  std::vector<flatbuffers::Offset<fb::DimensionMetadata>> dims = {
      fb::CreateDimensionMetadata(fbb, fb::DimensionType::DENSE, 2),
      fb::CreateDimensionMetadata(fbb, fb::DimensionType::SPARSE_CSR, 0,
                                  fb::SparseIndexVector::Uint8Vector, seg.Union(),
                                  fb::SparseIndexVector::Uint8Vector, idx.Union())};
  TensorDef sparse = tensor_def(std::move(name), fb::TensorType::FLOAT32, {2, 4},
                                b.add_buffer_of<float>(values));
  sparse.sparsity = fb::CreateSparsityParametersDirect(fbb, &order, nullptr, &dims);
  return sparse;
}

// Little-endian int32 bytes, for raw custom options.
inline std::vector<uint8_t> le_int32s(const std::vector<int32_t>& values) {
  std::vector<uint8_t> out;
  for (int32_t v : values) {
    const uint32_t u = static_cast<uint32_t>(v);
    for (int k = 0; k < 4; ++k) out.push_back(static_cast<uint8_t>(u >> (8 * k)));
  }
  return out;
}

inline std::shared_ptr<const std::vector<uint8_t>> share(
    std::vector<uint8_t> bytes) {
  return std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
}

}  // namespace opscope::tflite::testing
