#pragma once
// The verdict's lines for a run with watchers and lookups (harness/watch): how soon the
// dashboards learned of each change in each mode, what they merged or missed and whether
// their final views were right, the load their polling put on the API and its database, and
// the lookups' latency. From the modes' metrics (pipeline_metric_names.hpp). Pure functions
// of the result; thread-safe.
#include <string>
#include <vector>

#include "harness/result/run_result.hpp"

namespace asyncbench {

// Empty when no mode had watchers or lookups.
std::vector<std::string> watch_verdict_lines(const run_result& result);

}  // namespace asyncbench
