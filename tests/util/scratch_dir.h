// A fresh folder under /tmp for one test, removed with everything in it at
// destruction. Shared by the store and dashboard tests.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace opscope::testing {

class ScratchDir {
 public:
  // `prefix` names the folder, e.g. "opscope-store-test".
  explicit ScratchDir(const std::string& prefix = "opscope-test") {
    std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
    const char* made = mkdtemp(tmpl.data());
    path_ = made != nullptr ? made : "";
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace opscope::testing
