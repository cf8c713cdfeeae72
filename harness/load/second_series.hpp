#pragma once
// Builds the per-second time series of a run (second_sample, t_s from warm-up start): requests
// sent in each second, and the responses that *arrived* in it with the percentiles of their 2xx
// latencies. Arrival seconds show what the client saw when; the fault windows, which judge a
// fault, count by intended send time instead (send_windows.hpp).
// Pure: times are offsets from t0 passed in by the caller. Not thread-safe (one generator
// thread owns it).
#include <chrono>
#include <cstdint>
#include <vector>

#include "harness/load/request_outcome.hpp"
#include "harness/result/run_result.hpp"
#include "harness/stats/histogram.hpp"

namespace asyncbench {

class second_series {
  public:
    // Negative offsets (not expected) count in second 0.
    void on_sent(std::chrono::nanoseconds since_t0);
    // Completion offsets must be non-decreasing, as they are when they come from one thread's
    // steady clock: only the current second's histogram is kept, so a long run costs one
    // histogram, not one per second. A late-arriving earlier completion still counts in its own
    // second's ok/errors, but its latency joins the current second's percentiles.
    // latency_us is used for ok outcomes only.
    void on_completed(std::chrono::nanoseconds since_t0, request_outcome outcome,
                      std::uint64_t latency_us);
    // One sample per second from 0 to the last second with any event, gaps included.
    std::vector<second_sample> build() const;

  private:
    second_sample& at(std::int64_t second);
    void close_current();

    std::vector<second_sample> samples_;
    histogram current_latency_us_;
    std::int64_t current_second_ = 0;
};

}  // namespace asyncbench
