#pragma once
// Open-loop arrival schedule: the intended send time of every request, computed from the start
// of the run (t0 + n * period, per ramp step), never from the previous send, so a slow send
// cannot push the schedule back. Pure: no clock, no I/O.
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "harness/config/scenario_config.hpp"

namespace asyncbench {

class arrival_schedule {
  public:
    // A constant rate is a ramp of one step. Steps with rate 0 send nothing for their duration.
    explicit arrival_schedule(std::vector<ramp_step> steps);

    // Offset from t0 of request n (0-based), or nullopt when n is past the schedule's end.
    std::optional<std::chrono::nanoseconds> intended_offset(std::uint64_t n) const;
    std::uint64_t total_requests() const;  // requests the whole schedule sends
    std::chrono::nanoseconds total_duration() const;

  private:
    struct segment {
        std::chrono::nanoseconds start;
        std::chrono::nanoseconds duration;
        double rate_per_s;
        std::uint64_t first_request;
        std::uint64_t request_count;
    };
    std::vector<segment> segments_;
};

}  // namespace asyncbench
