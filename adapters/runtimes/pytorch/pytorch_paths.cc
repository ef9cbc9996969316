// Which files the PyTorch runtime takes (pytorch_module.h); built with or
// without libtorch.
#include <filesystem>

#include "adapters/runtimes/pytorch/pytorch_module.h"

namespace opscope::pytorch {

bool is_pytorch_path(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  return ext == ".ptl" || ext == ".pt";
}

}  // namespace opscope::pytorch
