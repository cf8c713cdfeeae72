#pragma once
// The exit codes every asyncbench command uses, and the pure rule that maps a run's result to
// one. An architect and a CI job must be able to tell a finding about the system under test
// (1) from a measurement that cannot be trusted (3). Thread-safe (no state).
#include <string>
#include <vector>

#include "harness/result/run_result.hpp"

namespace asyncbench {

enum class exit_status : int {
    // The measurement is valid and every required threshold and invariant held.
    held = 0,
    // The measurement is valid and a threshold, an invariant or a comparison failed: a finding
    // about the system under test (for CI, a regression).
    finding = 1,
    // Usage or configuration error: nothing started.
    usage = 2,
    // The measurement itself is not trustworthy: the drain timed out, the run was
    // interrupted, the generator could not keep its schedule, or a part of the harness died.
    untrustworthy = 3,
};

// Text for --help and the README, one line per code.
inline constexpr const char* exit_status_help =
    "Exit codes: 0 valid run, every threshold and invariant held; 1 valid run with a finding\n"
    "(a failed SLO, a lost acknowledged request, an effect applied twice); 2 usage or\n"
    "configuration error, nothing started; 3 the measurement is not trustworthy (drain timed\n"
    "out, interrupted, the load generator fell behind its schedule, a part of the harness died).";

struct run_judgement {
    exit_status status = exit_status::held;
    // Why, one phrase each ("async: the drain timed out ...", "sync api_p99 ... missed").
    // Untrustworthy reasons first, then findings; empty when the run held.
    std::vector<std::string> reasons;
};

// Rules, in order: any invalid mode (mode_result::valid false), an invalid run
// (run_result::valid false) or no mode at all -> untrustworthy; else any lost acknowledged
// request, any effect applied more than once, a required invariant broken, or any failed
// threshold -> finding; else held.
// Findings are listed even when the run is untrustworthy.
run_judgement judge_run(const run_result& result);

inline int exit_code(exit_status status) { return static_cast<int>(status); }

}  // namespace asyncbench
