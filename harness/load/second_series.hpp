#pragma once
// Builds the per-second time series of a run (second_sample, t_s from warm-up start): requests
// sent in each second, and the responses that completed in it with their latency percentiles.
// Pure: times are offsets from t0 passed in by the caller. Not thread-safe (one generator
// thread owns it).
#include <chrono>
#include <cstdint>
#include <vector>

#include "harness/load/request_outcome.hpp"
#include "harness/result/run_result.hpp"
#include "harness/stats/histogram.hpp"

namespace asyncbench {

// The answers that arrived within one window [start, end) of the run (offsets from t0): exact
// counts and a full latency histogram, for the before / during / after view of a fault.
struct window_tally {
    std::chrono::nanoseconds start{0};
    std::chrono::nanoseconds end{0};
    std::uint64_t answered = 0;
    std::uint64_t ok = 0;
    std::uint64_t rejected_503 = 0;
    histogram latency_us;  // ok answers only
};

class second_series {
  public:
    // Windows must be added before the first event; they may overlap (each answer counts in
    // every window it falls in). A few windows per fault: the cost is one histogram each.
    void add_window(std::chrono::nanoseconds start, std::chrono::nanoseconds end);
    const std::vector<window_tally>& windows() const { return windows_; }

    // Negative offsets (not expected) count in second 0.
    void on_sent(std::chrono::nanoseconds since_t0);
    // Completion offsets must be non-decreasing, as they are when they come from one thread's
    // steady clock: only the current second's histogram is kept, so a long run costs one
    // histogram, not one per second. A late-arriving earlier completion still counts in its own
    // second's ok/errors, but its latency joins the current second's percentiles.
    // latency_us is used for ok outcomes only.
    // `status` is the HTTP status when a response was read (0 otherwise).
    void on_completed(std::chrono::nanoseconds since_t0, request_outcome outcome,
                      std::uint64_t latency_us, int status = 0);
    // One sample per second from 0 to the last second with any event, gaps included.
    std::vector<second_sample> build() const;

  private:
    second_sample& at(std::int64_t second);
    void close_current();

    std::vector<second_sample> samples_;
    std::vector<window_tally> windows_;
    histogram current_latency_us_;
    std::int64_t current_second_ = 0;
};

}  // namespace asyncbench
