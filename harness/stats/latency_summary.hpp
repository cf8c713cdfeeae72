#pragma once
#include "harness/result/run_result.hpp"
#include "harness/stats/histogram.hpp"

namespace asyncbench {

// The percentiles every report shows, in microseconds.
latency_summary summarize(const histogram& values_us);

}  // namespace asyncbench
