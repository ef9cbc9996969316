// libFuzzer target for the TFLite reader: any bytes must give a model or a
// Status, never a crash, a hang or an out-of-bounds read (ASan/UBSan).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "adapters/formats/tflite/tflite_reader.h"

namespace {

constexpr const char* kName = "fuzz.tflite";

// Reads everything a loaded model exposes, so the sanitizers see any
// constant pointer or index that escaped the reader's checks.
uint64_t touch(const opscope::Model& model) {
  const opscope::Graph& g = model.graph;
  uint64_t sum = 0;
  for (const opscope::Tensor& t : g.tensors) {
    sum += t.name.size() + t.shape.size() + t.quantization.scales.size();
    for (size_t i = 0; i < t.data_bytes; ++i) sum += t.data[i];
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    sum += opscope::describe_node(g, static_cast<int>(i)).size();
    for (int id : g.nodes[i].inputs) {
      if (id >= 0) sum += g.tensors.at(id).shape.size();
    }
    for (int id : g.nodes[i].outputs) sum += g.tensors.at(id).shape.size();
  }
  for (int id : g.inputs) sum += g.tensors.at(id).shape.size();
  for (int id : g.outputs) sum += g.tensors.at(id).shape.size();
  return sum + static_cast<uint64_t>(model.info.params);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A vector gives the reader the alignment a mapped file has.
  auto bytes = std::make_shared<const std::vector<uint8_t>>(data, data + size);
  auto result = opscope::tflite::load_tflite_buffer(bytes, kName);
  if (result.is_ok()) {
    volatile uint64_t sink = touch(*result.value());
    (void)sink;
  } else if (result.status().message().rfind(std::string(kName) + ": ", 0) !=
             0) {
    __builtin_trap();  // every message must start with the file's name
  }
  return 0;
}
