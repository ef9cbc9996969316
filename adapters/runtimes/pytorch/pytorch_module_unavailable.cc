// The PyTorch runtime in a build without libtorch (pytorch_module.h): it
// says so, naming the file.
#include "adapters/runtimes/pytorch/pytorch_module.h"

namespace opscope::pytorch {

bool available() { return false; }

Result<std::unique_ptr<Module>> Module::load(const std::string& path, const LoadOptions&) {
  return Status(ErrorCode::kBackendError,
                path + ": this build has no PyTorch runtime (backend 'pytorch' is not "
                       "available: libtorch-dev was not found when it was configured)");
}

}  // namespace opscope::pytorch
