#pragma once
// What reports show of `asyncbench capacity`: each mode's ceilings with why the search stopped,
// and every step with its figures, verdict and the bottleneck a failed step points at. Pure
// functions of run_result; thread-safe.
#include <string>
#include <vector>

#include "harness/result/run_result.hpp"
#include "reports/markdown_report.hpp"

namespace asyncbench {

// One line per mode: "sync: sustains 180/s (190/s failed: ...)", "async: accepts 1,200/s,
// completes 185/s".
std::vector<std::string> capacity_summary_lines(const capacity_result& capacity);

// Mode | Accepting | Completing | Search stopped
report_table capacity_ceiling_table(const capacity_result& capacity);

// Mode | Step | Offered /s | Achieved /s | API p99 all (ms) | Completion p99 (ms) | Errors |
// Backlog growth /s | Verdict | Why not, and the bottleneck
report_table capacity_step_table(const capacity_result& capacity);

// The points of a p99 against offered rate chart: (offered, p99 ms) of `mode`'s steps, sorted
// by rate; `completion` picks the completion latency instead of the API's.
std::vector<std::pair<double, double>> capacity_p99_points(const capacity_result& capacity,
                                                           const std::string& mode,
                                                           bool completion);

}  // namespace asyncbench
