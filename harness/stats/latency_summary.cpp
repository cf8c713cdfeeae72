#include "harness/stats/latency_summary.hpp"

namespace asyncbench {

latency_summary summarize(const histogram& values_us) {
    latency_summary summary;
    summary.count = values_us.count();
    if (summary.count == 0) return summary;
    summary.min_us = static_cast<double>(values_us.min());
    summary.p50_us = static_cast<double>(values_us.value_at_percentile(50));
    summary.p90_us = static_cast<double>(values_us.value_at_percentile(90));
    summary.p99_us = static_cast<double>(values_us.value_at_percentile(99));
    summary.p999_us = static_cast<double>(values_us.value_at_percentile(99.9));
    summary.max_us = static_cast<double>(values_us.max());
    summary.mean_us = values_us.mean();
    return summary;
}

}  // namespace asyncbench
