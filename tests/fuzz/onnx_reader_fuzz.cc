// libFuzzer target for the ONNX reader: any bytes must give a model or a
// Status, never a crash, a hang or an out-of-bounds read (ASan/UBSan).
// External data is refused for in-memory models, so nothing here touches
// the file system.
#include <cstddef>
#include <cstdint>
#include <string>

#include "adapters/formats/onnx/onnx_reader.h"
#include "tests/fuzz/touch_model.h"

namespace {
constexpr const char* kName = "fuzz.onnx";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto result = opscope::onnx::load_onnx_buffer(data, size, kName);
  if (result.is_ok()) {
    volatile uint64_t sink = opscope::fuzz::touch(*result.value());
    (void)sink;
  } else if (result.status().message().find(kName) == std::string::npos) {
    __builtin_trap();  // every message must name the file
  }
  return 0;
}
