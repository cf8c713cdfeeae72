#pragma once
// Whether one mode's measurement can be trusted, judged from what the run saw. Pure, so every
// rule is tested with made-up inputs. Findings about the system under test (lost requests,
// duplicate effects, SLOs) are not judged here: a valid run reports them (exit 1), an invalid
// one cannot be trusted at all (exit 3; harness/result/exit_status.hpp).
#include <chrono>
#include <string>
#include <vector>

#include "harness/result/run_result.hpp"

namespace asyncbench {

// How late the generator's own scheduler may hand requests on (timer wake-up minus intended
// send time, before any wait for a connection). When more than 10% of the measured requests
// were later than this (lag p90 above it), the generator could not keep its schedule: the
// load was not the one asked for, and the mode is invalid. When only the slowest 1% were
// (p99 above it), the machine stalled for a moment (a JVM starting, a page-cache flush): the
// arrival pattern had a burst, the latencies still count from the intended times, and the
// report warns. 20 ms is well above what a loaded 2-core machine shows when the generator
// keeps up (p99 under 2 ms in our runs) and well below the latencies the scenarios measure.
inline constexpr std::chrono::milliseconds max_schedule_lag{20};

struct validity_input {
    bool drained = true;                        // the system was idle before the drain deadline
    bool interrupted = false;                   // SIGINT/SIGTERM, or cancelled
    std::vector<std::string> harness_failures;  // parts of the harness that died on their own
    // The most frequent step error, when any, named in a drain time-out so the reason shows.
    std::vector<step_error_count> step_errors;
};

// Sets result.valid and appends result.invalid_reasons. Rules: interrupted; no request sent in
// the measured phase; the drain timed out (with the pending count and the most frequent step
// error); the generator's schedule_lag p90 above max_schedule_lag (open loop only: a closed
// loop has no schedule); any harness failure. A lag p99 (not p90) above it adds a warning.
void judge_validity(mode_result& result, const validity_input& input);

}  // namespace asyncbench
