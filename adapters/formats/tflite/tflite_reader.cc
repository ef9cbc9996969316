#include "adapters/formats/tflite/tflite_reader.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>
#include <vector>

#include "adapters/formats/mapped_file.h"
#include "adapters/formats/tflite/tflite_read_context.h"
#include "adapters/formats/tflite/tflite_subgraphs.h"
#include "engine/control_flow.h"

namespace opscope::tflite {

namespace {

// A flatbuffer starts with the root table's offset (4 bytes) and, for
// TFLite, the file identifier (4 bytes).
constexpr size_t kHeaderBytes = 8;
// Deep enough for the schema's real nesting (Model > SubGraph > Tensor >
// QuantizationParameters > ...), shallow enough to bound the verifier.
constexpr uint32_t kVerifierMaxDepth = 64;
// Large real models have a few hundred thousand tables.
constexpr uint32_t kVerifierMaxTables = 10'000'000;
// Data the reader may create beyond the file's own bytes (densified sparse
// weights, zeroed variables): at least this much, else 16x the file size.
constexpr size_t kMinAllocationBudget = size_t{256} << 20;
constexpr size_t kAllocationBudgetPerFileByte = 16;

std::string base_name(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string printable_identifier(const uint8_t* id) {
  std::string out = "'";
  for (int i = 0; i < 4; ++i) {
    if (std::isprint(id[i])) {
      out += static_cast<char>(id[i]);
    } else {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[id[i] >> 4];
      out += kHex[id[i] & 15];
    }
  }
  return out + "'";
}

Status malformed(const std::string& what) {
  return Status(ErrorCode::kMalformedModel, what);
}

// Reads subgraph 0 into `model`, with the subgraphs its control flow runs
// (tflite_subgraphs.h).
Status read_graph(const uint8_t* data, size_t size, Model& model,
                  LoadNotes& notes) {
  OPSCOPE_ASSIGN_OR_RETURN(const fb::Model* fb_model,
                           check_flatbuffer(data, size));
  const auto* subgraphs = fb_model->subgraphs();
  if (subgraphs == nullptr || subgraphs->size() == 0) {
    return malformed("model has no subgraphs");
  }

  const size_t budget_bytes =
      size > kMinAllocationBudget / kAllocationBudgetPerFileByte
          ? size * kAllocationBudgetPerFileByte
          : kMinAllocationBudget;
  AllocationBudget budget(budget_bytes);
  ReadContext file;
  file.file_data = data;
  file.file_size = size;
  file.model = fb_model;
  file.notes = &notes;
  file.budget = &budget;
  SubgraphReader reader(file, model.storage, model.info.path);
  OPSCOPE_RETURN_IF_ERROR(reader.read_main(model));
  count_bodies_in_info(model);  // IF/WHILE/CALL_ONCE subgraphs' operators and weights

  const std::vector<int> unread = reader.unread();
  notes.read_subgraphs = static_cast<int>(subgraphs->size() - unread.size());
  notes.ignored_subgraphs = static_cast<int>(unread.size());
  if (!unread.empty()) {
    std::string list;
    for (int k : unread) list += (list.empty() ? "" : ", ") + std::to_string(k);
    notes.messages.push_back(
        std::to_string(unread.size()) + " subgraph(s) not read (" + list +
        "): no control flow from subgraph 0 runs them");
  }
  return Status::ok();
}

Result<std::shared_ptr<Model>> read_model(const uint8_t* data, size_t size,
                                          const std::string& display_name,
                                          std::shared_ptr<const void> storage,
                                          LoadNotes* notes) {
  LoadNotes local_notes;
  LoadNotes& out_notes = notes != nullptr ? *notes : local_notes;
  out_notes = LoadNotes{};

  auto model = std::make_shared<Model>();
  model->storage = std::move(storage);
  model->info.path = display_name;
  model->info.name = base_name(display_name);
  model->info.format = ModelFormat::kTflite;
  model->info.size_bytes = size;
  Status status = read_graph(data, size, *model, out_notes);
  if (!status.is_ok()) return status.with_prefix(display_name);
  return model;
}

}  // namespace

// Everything short of reading fields: size, identifier, verifier. After
// this, generated accessors may be used freely on the bytes.
Result<const fb::Model*> check_flatbuffer(const uint8_t* data, size_t size) {
  if (size < kHeaderBytes) {
    return malformed("file is " + std::to_string(size) +
                     " bytes, too small to be a TFLite model");
  }
  if (!fb::ModelBufferHasIdentifier(data)) {
    return malformed("file identifier is " + printable_identifier(data + 4) +
                     ", expected 'TFL3': not a TFLite model");
  }
  uint32_t root = 0;
  std::memcpy(&root, data, sizeof(root));
  root = flatbuffers::EndianScalar(root);
  if (root >= size) {
    return malformed("root table offset " + std::to_string(root) +
                     " lies outside the file (" + std::to_string(size) +
                     " bytes): truncated or not a TFLite model");
  }
  // Offsets inside a flatbuffer are 32-bit and the verifier refuses
  // buffers of 2 GB or more; in larger models the flatbuffer comes first
  // and buffers follow it (read by offset/size, bounds-checked apart).
  const size_t verify_size =
      std::min<size_t>(size, FLATBUFFERS_MAX_BUFFER_SIZE - 1);
  flatbuffers::Verifier::Options options;
  options.max_depth = kVerifierMaxDepth;
  options.max_tables = kVerifierMaxTables;
  options.check_alignment = true;
  flatbuffers::Verifier verifier(data, verify_size, options);
  if (!fb::VerifyModelBuffer(verifier)) {
    return malformed(
        "FlatBuffers verification failed: a table, vector or string lies "
        "outside the file, is misaligned or nests too deeply (truncated or "
        "corrupt file)");
  }
  return fb::GetModel(data);
}

Result<std::shared_ptr<Model>> load_tflite_file(const std::string& path,
                                                LoadNotes* notes) {
  auto mapped = formats::MappedFile::open(path);
  if (!mapped.is_ok()) return mapped.status();  // already names the path
  std::shared_ptr<const formats::MappedFile> file = std::move(mapped).value();
  const uint8_t* data = file->data();
  const size_t size = file->size();
  return read_model(data, size, path, std::move(file), notes);
}

Result<std::shared_ptr<Model>> load_tflite_buffer(
    std::shared_ptr<const std::vector<uint8_t>> bytes,
    const std::string& display_name, LoadNotes* notes) {
  if (bytes == nullptr) {
    return Status(ErrorCode::kInvalidArgument,
                  display_name + ": no bytes given");
  }
  const uint8_t* data = bytes->data();
  const size_t size = bytes->size();
  return read_model(data, size, display_name, std::move(bytes), notes);
}

}  // namespace opscope::tflite
