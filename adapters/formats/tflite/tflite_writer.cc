#include "adapters/formats/tflite/tflite_writer.h"

#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adapters/formats/tflite/tflite_source_indices.h"
#include "adapters/formats/tflite/tflite_write_ops.h"
#include "tflite_schema_generated.h"

namespace opscope::tflite {

namespace {

// The schema version TFLite writes and reads today.
constexpr uint32_t kSchemaVersion = 3;
// FlatBuffers offsets are 32-bit; keep well clear of 2 GB.
constexpr size_t kMaxInlineBytes = size_t{1} << 30 | size_t{1} << 29;

fb::TensorType tensor_type(DType dtype) {
  switch (dtype) {
    case DType::kF32: return fb::TensorType::FLOAT32;
    case DType::kF16: return fb::TensorType::FLOAT16;
    case DType::kI8: return fb::TensorType::INT8;
    case DType::kU8: return fb::TensorType::UINT8;
    case DType::kI32: return fb::TensorType::INT32;
    case DType::kI64: return fb::TensorType::INT64;
    case DType::kBool: return fb::TensorType::BOOL;
  }
  return fb::TensorType::FLOAT32;
}

// Engine tensor ids -> file tensor ids. Ids at or past the engine graph's
// tensor count are constants the op encoder added (see AddInt32Constant).
class TensorNumbering {
 public:
  explicit TensorNumbering(const Graph& graph) : engine_count_(graph.tensors.size()) {
    used_.assign(engine_count_, false);
    auto use = [&](int id) {
      if (id >= 0 && static_cast<size_t>(id) < engine_count_) used_[id] = true;
    };
    for (int id : graph.inputs) use(id);
    for (int id : graph.outputs) use(id);
    for (const Node& node : graph.nodes) {
      for (int id : node.inputs) use(id);
      for (int id : node.outputs) use(id);
    }
    file_id_.assign(engine_count_, -1);
    for (size_t id = 0; id < engine_count_; ++id) {
      if (used_[id]) file_id_[id] = used_count_++;
    }
  }
  int used_count() const { return used_count_; }
  bool used(size_t engine_id) const { return used_[engine_id]; }
  // -1 stays -1 (absent optional input).
  int file_id(int id) const {
    if (id < 0) return -1;
    if (static_cast<size_t>(id) < engine_count_) return file_id_[id];
    return used_count_ + (id - static_cast<int>(engine_count_));
  }
  int next_extra_engine_id(size_t extras) const {
    return static_cast<int>(engine_count_ + extras);
  }

 private:
  size_t engine_count_;
  std::vector<bool> used_;
  std::vector<int> file_id_;
  int used_count_ = 0;
};

struct ExtraConstant {
  std::string name;
  std::vector<int32_t> values;
};

class ModelWriter {
 public:
  ModelWriter(const Graph& graph, const WriteOptions& options)
      : graph_(graph), options_(options), numbering_(graph) {
    buffers_.push_back(fb::CreateBuffer(fbb_));  // buffer 0: no data
  }

  Result<std::vector<uint8_t>> write() {
    OPSCOPE_RETURN_IF_ERROR(check_sizes());
    // Operators first: they may add constants (TRANSPOSE_CONV's shape).
    std::vector<flatbuffers::Offset<fb::Operator>> ops;
    for (int i = 0; i < static_cast<int>(graph_.nodes.size()); ++i) {
      OPSCOPE_ASSIGN_OR_RETURN(auto op, write_op(i));
      ops.push_back(op);
    }
    std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
    for (size_t id = 0; id < graph_.tensors.size(); ++id) {
      if (numbering_.used(id)) tensors.push_back(write_tensor(graph_.tensors[id]));
    }
    for (const ExtraConstant& c : extras_) tensors.push_back(write_extra(c));

    std::vector<int32_t> inputs, outputs;
    for (int id : graph_.inputs) inputs.push_back(numbering_.file_id(id));
    for (int id : graph_.outputs) outputs.push_back(numbering_.file_id(id));
    const auto subgraph = fb::CreateSubGraph(
        fbb_, fbb_.CreateVector(tensors), fbb_.CreateVector(inputs),
        fbb_.CreateVector(outputs), fbb_.CreateVector(ops), fbb_.CreateString("main"));
    // Where the nodes came from another model, remember their source
    // indices (tflite_source_indices.h).
    std::vector<flatbuffers::Offset<fb::Metadata>> metadata;
    if (const auto table = source_indices_to_write(graph_)) {
      const uint32_t buffer = add_buffer(reinterpret_cast<const uint8_t*>(table->data()),
                                         table->size() * sizeof(int32_t));
      metadata.push_back(
          fb::CreateMetadata(fbb_, fbb_.CreateString(kSourceIndicesMetadata), buffer));
    }
    const auto model = fb::CreateModel(
        fbb_, kSchemaVersion, fbb_.CreateVector(opcodes_),
        fbb_.CreateVector(std::vector<flatbuffers::Offset<fb::SubGraph>>{subgraph}),
        fbb_.CreateString(options_.description), fbb_.CreateVector(buffers_), 0,
        metadata.empty() ? 0 : fbb_.CreateVector(metadata));
    fb::FinishModelBuffer(fbb_, model);
    return std::vector<uint8_t>(fbb_.GetBufferPointer(),
                                fbb_.GetBufferPointer() + fbb_.GetSize());
  }

 private:
  Status check_sizes() const {
    size_t total = 0;
    for (const Tensor& t : graph_.tensors) {
      if (t.is_constant()) total += t.data_bytes;
      for (int64_t d : t.shape) {
        if (d > std::numeric_limits<int32_t>::max()) {
          return Status(ErrorCode::kInvalidArgument,
                        "tensor '" + t.name + "' has dimension " + std::to_string(d) +
                            ", over TFLite's int32 limit");
        }
      }
    }
    if (total > kMaxInlineBytes) {
      return Status(ErrorCode::kResourceExhausted,
                    "constants take " + std::to_string(total >> 20) +
                        " MiB; the writer stores them inside the flatbuffer, which "
                        "is limited to 2 GB");
    }
    return Status::ok();
  }

  uint32_t opcode_index(fb::BuiltinOperator op, const std::string& custom_code,
                        int32_t version) {
    for (size_t i = 0; i < opcode_keys_.size(); ++i) {
      if (opcode_keys_[i] == OpcodeKey{op, custom_code, version}) {
        return static_cast<uint32_t>(i);
      }
    }
    const int32_t code = static_cast<int32_t>(op);
    // Codes of 127 and above live in builtin_code only; the byte-sized
    // field then holds the placeholder 127.
    const int8_t deprecated = static_cast<int8_t>(code < 127 ? code : 127);
    opcodes_.push_back(fb::CreateOperatorCode(
        fbb_, deprecated, custom_code.empty() ? 0 : fbb_.CreateString(custom_code),
        version, op));
    opcode_keys_.push_back({op, custom_code, version});
    return static_cast<uint32_t>(opcodes_.size() - 1);
  }

  Result<flatbuffers::Offset<fb::Operator>> write_op(int node_index) {
    const AddInt32Constant add_constant = [this](const std::string& name,
                                                 const std::vector<int32_t>& values) {
      const int id = numbering_.next_extra_engine_id(extras_.size());
      extras_.push_back({name, values});
      return id;
    };
    EncodedOp enc;
    OPSCOPE_RETURN_IF_ERROR(encode_op(graph_, node_index, fbb_, add_constant, enc));
    while (!enc.inputs.empty() && enc.inputs.back() < 0) enc.inputs.pop_back();
    std::vector<int32_t> inputs, outputs;
    for (int id : enc.inputs) inputs.push_back(numbering_.file_id(id));
    for (int id : graph_.nodes[node_index].outputs) outputs.push_back(numbering_.file_id(id));
    const uint32_t code = opcode_index(enc.builtin, enc.custom_code, enc.version);
    const auto in_vec = fbb_.CreateVector(inputs);
    const auto out_vec = fbb_.CreateVector(outputs);
    // Aligned so that FlexBuffer options read in place keep their alignment.
    if (!enc.custom_options.empty()) {
      fbb_.ForceVectorAlignment(enc.custom_options.size(), sizeof(uint8_t), 16);
    }
    const auto custom =
        enc.custom_options.empty() ? 0 : fbb_.CreateVector(enc.custom_options);
    return fb::CreateOperator(fbb_, code, in_vec, out_vec, enc.options_type, enc.options,
                              custom);
  }

  uint32_t add_buffer(const uint8_t* data, size_t bytes) {
    fbb_.ForceVectorAlignment(bytes, sizeof(uint8_t), 16);
    const auto vec = fbb_.CreateVector(data, bytes);
    buffers_.push_back(fb::CreateBuffer(fbb_, vec));
    return static_cast<uint32_t>(buffers_.size() - 1);
  }

  flatbuffers::Offset<fb::QuantizationParameters> write_quantization(const Quantization& q) {
    if (q.empty()) return 0;
    return fb::CreateQuantizationParameters(
        fbb_, 0, 0, fbb_.CreateVector(q.scales), fbb_.CreateVector(q.zero_points),
        fb::QuantizationDetails::NONE, 0, q.axis >= 0 ? q.axis : 0);
  }

  flatbuffers::Offset<fb::Tensor> write_tensor(const Tensor& t) {
    uint32_t buffer = 0;
    if (t.is_constant() && t.data != nullptr && t.data_bytes > 0) {
      buffer = add_buffer(t.data, t.data_bytes);
    }
    std::vector<int32_t> shape(t.shape.begin(), t.shape.end());
    const auto quant = write_quantization(t.quantization);
    return fb::CreateTensor(fbb_, fbb_.CreateVector(shape), tensor_type(t.dtype), buffer,
                            fbb_.CreateString(t.name), quant);
  }

  flatbuffers::Offset<fb::Tensor> write_extra(const ExtraConstant& c) {
    const uint32_t buffer = add_buffer(reinterpret_cast<const uint8_t*>(c.values.data()),
                                       c.values.size() * sizeof(int32_t));
    const std::vector<int32_t> shape = {static_cast<int32_t>(c.values.size())};
    return fb::CreateTensor(fbb_, fbb_.CreateVector(shape), fb::TensorType::INT32, buffer,
                            fbb_.CreateString(c.name));
  }

  const Graph& graph_;
  const WriteOptions& options_;
  TensorNumbering numbering_;
  flatbuffers::FlatBufferBuilder fbb_{1 << 20};
  std::vector<flatbuffers::Offset<fb::Buffer>> buffers_;
  std::vector<flatbuffers::Offset<fb::OperatorCode>> opcodes_;
  struct OpcodeKey {
    fb::BuiltinOperator op;
    std::string custom_code;
    int32_t version;
    bool operator==(const OpcodeKey&) const = default;
  };
  std::vector<OpcodeKey> opcode_keys_;
  std::vector<ExtraConstant> extras_;
};

}  // namespace

Result<std::vector<uint8_t>> write_tflite_buffer(const Graph& graph,
                                                 const WriteOptions& options) {
  ModelWriter writer(graph, options);
  return writer.write();
}

Status write_tflite_file(const Graph& graph, const std::string& path,
                         const WriteOptions& options) {
  OPSCOPE_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, write_tflite_buffer(graph, options));
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    return Status(ErrorCode::kIoError, path + ": cannot open for writing");
  }
  const size_t written = std::fwrite(bytes.data(), 1, bytes.size(), f);
  const bool closed = std::fclose(f) == 0;
  if (written != bytes.size() || !closed) {
    return Status(ErrorCode::kIoError, path + ": write failed (disk full?)");
  }
  return Status::ok();
}

}  // namespace opscope::tflite
