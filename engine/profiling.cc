#include "engine/profiling.h"

namespace opscope {

std::string_view to_string(Stage stage) {
  switch (stage) {
    case Stage::kLoad: return "load";
    case Stage::kPartition: return "partition";
    case Stage::kPlan: return "plan";
    case Stage::kPrepare: return "prepare";
    case Stage::kInvoke: return "invoke";
    case Stage::kReplan: return "replan";
  }
  return "?";
}

}  // namespace opscope
