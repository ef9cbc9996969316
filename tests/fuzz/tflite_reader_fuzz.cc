// libFuzzer target for the TFLite reader: any bytes must give a model or a
// Status, never a crash, a hang or an out-of-bounds read (ASan/UBSan).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "adapters/formats/tflite/tflite_reader.h"
#include "tests/fuzz/touch_model.h"

namespace {
constexpr const char* kName = "fuzz.tflite";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A vector gives the reader the alignment a mapped file has.
  auto bytes = std::make_shared<const std::vector<uint8_t>>(data, data + size);
  auto result = opscope::tflite::load_tflite_buffer(bytes, kName);
  if (result.is_ok()) {
    volatile uint64_t sink = opscope::fuzz::touch(*result.value());
    (void)sink;
  } else if (result.status().message().rfind(std::string(kName) + ": ", 0) !=
             0) {
    __builtin_trap();  // every message must start with the file's name
  }
  return 0;
}
