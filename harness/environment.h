// What a result was measured on and with: device and tool facts.
#pragma once

#include "result/result_document.h"

namespace opscope::harness {

DeviceInfo capture_device();
ToolInfo capture_tool();

}  // namespace opscope::harness
