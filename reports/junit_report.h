// JUnit XML: one <testsuite> for the report, one <testcase> per run; a run
// whose status is "error" is a <failure> carrying its error code and
// message. CI systems (GitLab, Jenkins, GitHub test reporters) show it as a
// test list.
#pragma once

#include <string>
#include <vector>

#include "adapters/store/store.h"

namespace opscope::reports {

std::string render_junit(const std::vector<store::StoredRun>& runs,
                         const std::string& suite_name);

}  // namespace opscope::reports
