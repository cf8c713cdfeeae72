#pragma once
// The parts of a report that depend on the scenario's own workflow and plugin: attempts per
// stage, the scenario's metrics and its invariants. Rendered generically from the result, so a
// new scenario needs no report code. Pure functions of the result; thread-safe.
#include <string>
#include <vector>

#include "harness/result/run_result.hpp"
#include "reports/markdown_report.hpp"

namespace asyncbench {

// Mode | Stage | Finished | Attempts | Retried | Rejected | Dead-lettered. Empty when no mode
// recorded stage tallies (a result.json older than version 4).
report_table stage_table(const run_result& result);

// Mode | Metric | Value, the plugin's named metrics (units in their names).
report_table scenario_metric_table(const run_result& result);

// Mode | Invariant | Expected | Observed | Result: "held", "BROKEN", or for an invariant the
// scenario file says may break, "broken (expected finding)" / "held (expected to break)".
report_table scenario_invariant_table(const run_result& result);

// Verdict lines of the scenario's own: business rejections side by side (the same workload
// must be refused the same way in both designs), and each invariant that broke or held against
// expectation, named per mode.
std::vector<std::string> scenario_verdict_lines(const run_result& result);

inline constexpr std::string_view stage_table_intro =
    "Attempts each stage took over every request it finished (retries inside the stage "
    "included; a redelivered message's second run is counted as a redelivery absorbed). A "
    "stage that follows another only sees what that one completed.";

}  // namespace asyncbench
