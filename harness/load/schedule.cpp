#include "harness/load/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace asyncbench {

namespace {

// Requests n = 0, 1, ... of a step go out at n / rate while n / rate < duration, i.e.
// ceil(rate * duration) of them. The epsilon absorbs binary rounding (0.1/s for 30 s is
// 3.0000000000000004 in doubles and must send 3, not 4).
std::uint64_t requests_in_step(double rate_per_s, std::chrono::nanoseconds duration) {
    if (!(rate_per_s > 0) || duration.count() <= 0) {
        return 0;  // rate 0 (or a NaN the loader should have refused) sends nothing
    }
    const long double seconds = static_cast<long double>(duration.count()) / 1e9L;
    const long double exact = static_cast<long double>(rate_per_s) * seconds;
    return static_cast<std::uint64_t>(std::ceil(exact - 1e-9L));
}

}  // namespace

arrival_schedule::arrival_schedule(std::vector<ramp_step> steps) {
    std::chrono::nanoseconds start{0};
    std::uint64_t first = 0;
    segments_.reserve(steps.size());
    for (const ramp_step& step : steps) {
        const auto duration = std::max(step.duration, std::chrono::nanoseconds{0});
        const std::uint64_t count = requests_in_step(step.rate_per_s, duration);
        segments_.push_back(segment{start, duration, step.rate_per_s, first, count});
        start += duration;
        first += count;
    }
}

std::optional<std::chrono::nanoseconds> arrival_schedule::intended_offset(std::uint64_t n) const {
    // The last segment whose first request is <= n. Every earlier segment ends at or before
    // that segment's first request, so if n is not in it, n is past the schedule's end.
    auto it = std::upper_bound(
        segments_.begin(), segments_.end(), n,
        [](std::uint64_t value, const segment& s) { return value < s.first_request; });
    if (it == segments_.begin()) {
        return std::nullopt;
    }
    --it;
    if (n < it->first_request + it->request_count) {
        // From the segment start, itself a sum of step durations from t0: a late send never
        // shifts the ones after it.
        const long double offset_ns = static_cast<long double>(n - it->first_request) * 1e9L /
                                      static_cast<long double>(it->rate_per_s);
        return it->start + std::chrono::nanoseconds{std::llround(offset_ns)};
    }
    return std::nullopt;
}

std::uint64_t arrival_schedule::total_requests() const {
    return segments_.empty() ? 0 : segments_.back().first_request + segments_.back().request_count;
}

std::chrono::nanoseconds arrival_schedule::total_duration() const {
    return segments_.empty() ? std::chrono::nanoseconds{0}
                             : segments_.back().start + segments_.back().duration;
}

}  // namespace asyncbench
