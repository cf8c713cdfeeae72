#pragma once
// What reports show of a run's gates: every threshold with its observed value, and, with
// --repeat, each mode's repetitions (median, min-max) and whether the modes' difference held in
// every repetition. Pure functions of run_result; thread-safe.
#include <string>
#include <vector>

#include "harness/result/run_result.hpp"
#include "reports/markdown_report.hpp"

namespace asyncbench {

// Mode | Threshold | Observed | Result, the implicit checks (nothing lost, ...) included.
report_table threshold_table(const run_result& result);

// Metric | <mode> median (min-max) ... | Held in every repetition: the headline metrics of
// each mode over its repetitions, and for two modes how many repetitions put them in the
// same order as the medians do. Empty (no rows) with one repetition.
report_table repetition_table(const run_result& result);

// One verdict line on the thresholds ("Thresholds: all 8 held." or the missed ones); none
// without thresholds beyond the implicit ones.
std::vector<std::string> threshold_lines(const run_result& result);

}  // namespace asyncbench
