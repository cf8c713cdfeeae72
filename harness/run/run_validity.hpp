#pragma once
// Whether one mode's measurement can be trusted, judged from what the run saw. Pure, so every
// rule is tested with made-up inputs. Findings about the system under test (lost requests,
// duplicate effects, SLOs) are not judged here: a valid run reports them (exit 1), an invalid
// one cannot be trusted at all (exit 3; harness/result/exit_status.hpp).
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/result/run_result.hpp"

namespace asyncbench {

// How late the generator's own scheduler hands requests on (timer wake-up minus intended send
// time, before any wait for a connection) tells whether the generator kept its schedule.
// - More than 10% of the measured requests over `max_schedule_lag` late (lag p90 above it):
//   the generator fell behind, the load was not the one asked for, and the mode is invalid.
//   100 ms: a generator that cannot drive its rate falls further behind with every request
//   and soon shows seconds, while a busy 2-core machine running three Kafka JVMs, PostgreSQL
//   and a hundred consumer clients beside the harness showed a p90 of 22 ms and kept up.
// - Only the slowest 1% over `schedule_lag_warning` (lag p99 above it): the machine stalled
//   for a moment (a JVM starting, a page-cache flush); those requests left in a burst, their
//   latencies still count from the intended times, and the report warns.
inline constexpr std::chrono::milliseconds max_schedule_lag{100};
inline constexpr std::chrono::milliseconds schedule_lag_warning{20};

struct validity_input {
    bool drained = true;                        // the system was idle before the drain deadline
    bool interrupted = false;                   // SIGINT/SIGTERM, or cancelled
    std::vector<std::string> harness_failures;  // parts of the harness that died on their own
    // The most frequent step error, when any, named in a drain time-out so the reason shows.
    std::vector<step_error_count> step_errors;
    // The drain's progress, for a time-out's reason: how many requests it finished in how long,
    // so a slow but steady pipeline (coupon-rush's seed scheduler, one a second) says how long
    // the rest would take instead of looking stuck.
    std::int64_t drain_finished = 0;
    double drain_s = 0;
};

// Sets result.valid and appends result.invalid_reasons. Rules: interrupted; no request sent in
// the measured phase; the drain timed out (with the pending count and the most frequent step
// error, or else the drain's pace and the time the rest would need at it; not said again when
// the run was interrupted); requests still pending after a drain
// that ended (their loss was not confirmed); the generator's schedule_lag p90 above
// max_schedule_lag (open loop only: a closed loop has no schedule); any harness failure. A lag p99
// above schedule_lag_warning (and a p90 within bounds) adds a warning instead.
void judge_validity(mode_result& result, const validity_input& input);

}  // namespace asyncbench
