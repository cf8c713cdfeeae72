#include "harness/stats/throughput.hpp"

#include <cmath>

namespace asyncbench {

double completed_per_second(const std::vector<second_sample>& series, double start_s, double span_s,
                            double fallback) {
    const auto first = static_cast<std::int64_t>(std::ceil(start_s));
    const auto end = static_cast<std::int64_t>(std::floor(start_s + span_s));
    if (end - first < 2) return fallback;
    double ok = 0;
    for (const auto& sample : series) {
        if (sample.t_s >= first && sample.t_s < end) ok += static_cast<double>(sample.ok);
    }
    return ok / static_cast<double>(end - first);
}

}  // namespace asyncbench
