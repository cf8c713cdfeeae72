#pragma once
// The open-loop plan derived from a load_spec: one arrival schedule from warm-up start (the
// warm-up step first, then the measured steps), so warm-up and measured requests share one t0
// and one sequence. Pure: no clock, no I/O.
#include <chrono>
#include <cstdint>

#include "harness/config/scenario_config.hpp"
#include "harness/load/schedule.hpp"

namespace asyncbench {

struct open_load_plan {
    arrival_schedule schedule;
    std::uint64_t warmup_requests = 0;          // requests [0, warmup_requests) are warm-up
    std::uint64_t measured_requests = 0;        // requests after them, spec.requests applied
    std::chrono::nanoseconds measure_start{0};  // offset from t0: the warm-up length
};

// Warm-up runs at the first rate (spec.rate_per_s, or ramp[0] when a ramp is given) for
// spec.warmup; the measured phase is spec.rate_per_s for spec.duration, or the ramp steps; it
// stops early after spec.requests measured requests when that is set.
open_load_plan make_open_load_plan(const load_spec& spec);

// The intended length of the measured phase that `measured_sent` requests covered: from the
// measure start to the intended time of the first measured request not sent (the next one after
// a requests limit or a cancel), or to the schedule's end when every scheduled one was sent.
// So N requests at R/s give exactly N / R seconds.
std::chrono::nanoseconds measured_intended_span(const open_load_plan& plan,
                                                std::uint64_t measured_sent);

// sent / span in requests per second; 0 for an empty span.
double rate_per_s(std::uint64_t requests, std::chrono::nanoseconds span);

}  // namespace asyncbench
