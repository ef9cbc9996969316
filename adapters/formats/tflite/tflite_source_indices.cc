#include "adapters/formats/tflite/tflite_source_indices.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "adapters/formats/mapped_file.h"
#include "adapters/formats/tflite/tflite_reader.h"

namespace opscope::tflite {

std::optional<std::vector<int32_t>> source_indices_to_write(const Graph& graph) {
  std::vector<int32_t> table;
  bool needed = false;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    table.push_back(graph.nodes[i].source_index);
    needed = needed || graph.nodes[i].source_index != static_cast<int>(i);
  }
  if (!needed) return std::nullopt;
  return table;
}

Status apply_source_indices(const ReadContext& ctx) {
  const auto* metadata = ctx.model->metadata();
  const auto* buffers = ctx.model->buffers();
  if (metadata == nullptr) return Status::ok();
  for (const fb::Metadata* m : *metadata) {
    if (m == nullptr || m->name() == nullptr || m->name()->str() != kSourceIndicesMetadata) {
      continue;
    }
    const auto bad = [](const std::string& why) {
      return Status(ErrorCode::kMalformedModel,
                    std::string("metadata '") + kSourceIndicesMetadata + "': " + why);
    };
    if (buffers == nullptr || m->buffer() >= buffers->size()) {
      return bad("buffer index out of range");
    }
    const fb::Buffer* b = buffers->Get(m->buffer());
    const auto* data = b == nullptr ? nullptr : b->data();
    const size_t ops = ctx.subgraph->operators() == nullptr ? 0 : ctx.subgraph->operators()->size();
    if (data == nullptr || data->size() != ops * sizeof(int32_t)) {
      return bad("expected " + std::to_string(ops) + " int32 values, one per operator");
    }
    std::vector<int32_t> table(ops);
    if (ops > 0) std::memcpy(table.data(), data->data(), data->size());
    for (int32_t v : table) {
      if (v < -1) return bad("index " + std::to_string(v) + " below -1");
    }
    for (Node& node : ctx.graph->nodes) {
      if (node.source_index >= 0 && node.source_index < static_cast<int>(ops)) {
        node.source_index = table[node.source_index];
      }
    }
    return Status::ok();
  }
  return Status::ok();
}

bool file_has_source_indices(const std::string& path) {
  auto file = formats::MappedFile::open(path);
  if (!file.is_ok() || (*file)->size() < 8) return false;
  const uint8_t* data = (*file)->data();
  if (!fb::ModelBufferHasIdentifier(data)) return false;
  flatbuffers::Verifier verifier(
      data, std::min<size_t>((*file)->size(), FLATBUFFERS_MAX_BUFFER_SIZE - 1));
  if (!fb::VerifyModelBuffer(verifier)) return false;
  const fb::Model* model = fb::GetModel(data);
  if (model == nullptr || model->metadata() == nullptr) return false;
  for (const fb::Metadata* m : *model->metadata()) {
    if (m != nullptr && m->name() != nullptr && m->name()->str() == kSourceIndicesMetadata) {
      return true;
    }
  }
  return false;
}

}  // namespace opscope::tflite
