#pragma once
// Drives HTTP load at a system under test: open-loop (constant rate or stepped ramp, every
// latency measured from the request's intended send time, so a stalled server cannot hide:
// no coordinated omission) or closed-loop (N virtual users). Warm-up requests are sent and
// their outcomes kept for reconciliation, but excluded from the statistics.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/load/second_series.hpp"
#include "harness/load/send_windows.hpp"
#include "harness/result/run_result.hpp"
#include "harness/stats/histogram.hpp"
#include "scenarios/scenario_plugin.hpp"

namespace asyncbench {

struct load_target {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    std::string method = "POST";
    std::string path;  // e.g. "/SAVE"
    // Sent with every request, after the generator's own (Host, Content-Type: application/json,
    // X-Intended-Send-Us), replacing one of the same name.
    std::vector<std::pair<std::string, std::string>> headers;
};

// Called on the generator's thread for request `seq` (0-based over the whole run).
using request_factory = std::function<generated_request(std::uint64_t seq)>;

// A request the system under test acknowledged with 2xx.
struct accepted_request {
    std::string business_id;
    std::uint64_t seq = 0;  // the request's sequence number (request_factory's argument)
    std::int64_t intended_epoch_us = 0;  // intended send time, system clock
    bool measured = false;               // false: sent during warm-up
};

// Live counters for the progress line; written by the generator, read by anyone.
struct load_progress {
    std::atomic<int> phase{0};  // 0 setup, 1 warm-up, 2 measure, 3 done
    std::atomic<std::uint64_t> sent{0};
    std::atomic<std::uint64_t> ok{0};
    std::atomic<std::uint64_t> errors{0};
    std::atomic<std::uint64_t> in_flight{0};
};

// The measured phase's two latency views, both from the intended send time (docs/result-schema.md):
// `all` counts every answer, errors and timeouts included, as wrk2 and vegeta do, so a stall
// that ends in failures still shows; `2xx` counts the successful answers only.
struct load_report {
    histogram latency_all_us;  // measured phase, every outcome
    histogram latency_2xx_us;  // measured phase, 2xx only
    // Measured phase: actual - intended send time, waiting for a free connection included (so
    // it grows when the system under test holds every connection).
    histogram send_delay_us;
    // Measured phase: how late the generator's own scheduler handed each request on (timer
    // wake-up - intended time), before any wait for a connection: the generator's health. A
    // high value means the generator, not the system, failed the schedule.
    histogram schedule_lag_us;
    error_counts errors;                  // measured phase
    std::uint64_t sent_all_phases = 0;    // requests sent, warm-up included (first attempts)
    std::uint64_t measured_sent = 0;      // measured requests sent (first attempts)
    std::uint64_t measured_ok = 0;        // of those, answered 2xx in the end
    std::uint64_t measured_rejected = 0;  // of those, answered 409: a business rejection
    // What the callers did about failures (load.retry), measured requests only, as result.json
    // reports it (run_result.hpp).
    retry_stats retries;
    double offered_per_s = 0;                // measured requests / measured seconds (intended)
    double measured_seconds = 0;             // from measure start to the last measured response
    std::vector<second_sample> series;       // every second from warm-up start; backlog left 0
    std::vector<accepted_request> accepted;  // all phases
    std::int64_t first_send_epoch_us = 0;
    std::vector<window_tally> windows;  // as requested, in the same order
};

// A span of the run, as offsets from the start of warm-up, to tally answers in separately.
struct load_window {
    std::chrono::nanoseconds start{0};
    std::chrono::nanoseconds end{0};
};

// Every request carries the header "X-Intended-Send-Us: <epoch microseconds>" so the system
// under test can record completion latency from the same origin. Blocks until the load is
// done and every request has been answered or timed out, or `cancel` becomes true.
load_report run_load(const load_spec& spec, const load_target& target,
                     const request_factory& make_request, load_progress& progress,
                     const std::atomic<bool>& cancel, const std::vector<load_window>& windows = {});

}  // namespace asyncbench
