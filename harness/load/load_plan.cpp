#include "harness/load/load_plan.hpp"

#include <algorithm>
#include <vector>

namespace asyncbench {

open_load_plan make_open_load_plan(const load_spec& spec) {
    std::vector<ramp_step> measured = spec.ramp;
    if (measured.empty()) {
        measured.push_back(ramp_step{spec.rate_per_s, spec.duration});
    }
    const ramp_step warmup{measured.front().rate_per_s,
                           std::max(spec.warmup, std::chrono::nanoseconds{0})};

    std::vector<ramp_step> steps;
    steps.reserve(measured.size() + 1);
    steps.push_back(warmup);
    steps.insert(steps.end(), measured.begin(), measured.end());

    open_load_plan plan{arrival_schedule(std::move(steps))};
    plan.warmup_requests = arrival_schedule({warmup}).total_requests();
    plan.measured_requests = plan.schedule.total_requests() - plan.warmup_requests;
    if (spec.requests) {
        plan.measured_requests = std::min(plan.measured_requests, *spec.requests);
    }
    plan.measure_start = warmup.duration;
    return plan;
}

std::chrono::nanoseconds measured_intended_span(const open_load_plan& plan,
                                                std::uint64_t measured_sent) {
    const auto next = plan.schedule.intended_offset(plan.warmup_requests + measured_sent);
    const auto end = next ? *next : plan.schedule.total_duration();
    return std::max(end - plan.measure_start, std::chrono::nanoseconds{0});
}

double rate_per_s(std::uint64_t requests, std::chrono::nanoseconds span) {
    if (span.count() <= 0) {
        return 0.0;
    }
    return static_cast<double>(requests) * 1e9 / static_cast<double>(span.count());
}

}  // namespace asyncbench
