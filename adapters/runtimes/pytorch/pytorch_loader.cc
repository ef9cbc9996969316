// Opens the libtorch plugin (pytorch_module.h) on first use: the path in
// $OPSCOPE_PYTORCH_PLUGIN, else libopscope_pytorch.so next to the running
// program (where the build puts it beside opscope-runner), else the one
// this build made (OPSCOPE_PYTORCH_PLUGIN_BUILT, for tests that call the
// harness in-process). Never closed.
#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "adapters/runtimes/pytorch/pytorch_module.h"

namespace opscope::pytorch {
namespace {

struct Plugin {
  PluginLoadFn load = nullptr;
  std::string error;  // why there is none
};

std::filesystem::path program_dir() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe.parent_path();
}

const Plugin& plugin() {
  static Plugin p;
  static std::once_flag once;
  std::call_once(once, [] {
    std::vector<std::string> candidates;
    if (const char* env = std::getenv("OPSCOPE_PYTORCH_PLUGIN"); env && *env) {
      candidates.push_back(env);
    } else {
      const std::filesystem::path dir = program_dir();
      if (!dir.empty()) candidates.push_back((dir / "libopscope_pytorch.so").string());
      const std::string built = OPSCOPE_PYTORCH_PLUGIN_BUILT;
      if (!built.empty()) candidates.push_back(built);
    }
    std::string tried;
    for (const std::string& path : candidates) {
      std::error_code ec;
      if (!std::filesystem::exists(path, ec)) {
        tried += (tried.empty() ? "" : ", ") + path + " (absent)";
        continue;
      }
      void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (handle == nullptr) {
        tried += (tried.empty() ? "" : ", ") + path + " (" + dlerror() + ")";
        continue;
      }
      using EntryFn = PluginLoadFn (*)();
      auto entry = reinterpret_cast<EntryFn>(dlsym(handle, "opscope_pytorch_plugin_v1"));
      if (entry == nullptr) {
        tried += (tried.empty() ? "" : ", ") + path + " (no opscope_pytorch_plugin_v1)";
        continue;
      }
      p.load = entry();
      return;
    }
    p.error = "no PyTorch runtime here (backend 'pytorch' is not available): the plugin "
              "libopscope_pytorch.so is built only where libtorch-dev was found, and runner "
              "bundles leave it out; tried " +
              (tried.empty() ? std::string("nothing") : tried);
  });
  return p;
}

}  // namespace

bool available() { return plugin().load != nullptr; }

Result<std::unique_ptr<Module>> Module::load(const std::string& path, const LoadOptions& options) {
  const Plugin& p = plugin();
  if (p.load == nullptr) return Status(ErrorCode::kBackendError, path + ": " + p.error);
  return p.load(path, options);
}

}  // namespace opscope::pytorch
