#pragma once
#include "harness/result/run_result.hpp"

namespace asyncbench {

// Host, CPU, OS, git commit of the source tree and library versions, for result.json.
environment_info describe_environment();

}  // namespace asyncbench
