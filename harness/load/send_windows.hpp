#pragma once
// Exact tallies of the requests whose *intended send time* falls in given windows of the run,
// for the before / during / after view of a fault. A request belongs to the window it was
// meant to be sent in, however late its answer arrives: a request sent into a 1 s stall counts
// in the stall's window even when its timeout lands after the stall ended (arrival-time
// windows would credit the failure to "after" and call the stall 100% available).
// Pure: times are offsets from the run's t0 passed in by the caller. Not thread-safe (the
// generator's one thread owns it).
#include <chrono>
#include <cstdint>
#include <vector>

#include "harness/load/request_outcome.hpp"
#include "harness/stats/histogram.hpp"

namespace asyncbench {

// The requests intended in one window [start, end) of the run (offsets from t0).
struct window_tally {
    std::chrono::nanoseconds start{0};
    std::chrono::nanoseconds end{0};
    std::uint64_t requests = 0;      // sent, whatever their outcome (every one gets one)
    std::uint64_t ok = 0;            // 2xx
    std::uint64_t rejected_503 = 0;  // explicit backpressure / unavailable
    std::uint64_t rejected_409 = 0;  // business rejections: correct answers, not failures
    histogram latency_all_us;        // every outcome, errors and timeouts included
    histogram latency_2xx_us;        // 2xx only
};

class send_windows {
  public:
    // Windows may overlap: a request counts in every window its intended time falls in.
    void add(std::chrono::nanoseconds start, std::chrono::nanoseconds end);
    // One request's final outcome. latency_us counts from the intended send time; `status` is
    // the HTTP status when a response was read (0 otherwise).
    void record(std::chrono::nanoseconds intended_since_t0, request_outcome outcome,
                std::uint64_t latency_us, int status);
    const std::vector<window_tally>& windows() const { return windows_; }

  private:
    std::vector<window_tally> windows_;
};

}  // namespace asyncbench
