#pragma once
// Tests a run's thresholds (harness/config/threshold.hpp) against its result: one check per
// threshold and mode it applies to, plus the checks every run gets whatever its scenario says
// (nothing lost, no effect applied twice, every required invariant held). Pure; thread-safe.
#include <vector>

#include "harness/config/threshold.hpp"
#include "harness/result/run_result.hpp"

namespace asyncbench {

// A threshold without a mode applies to every mode in `result`; one with a mode, to that mode
// when the run measured it (`--mode sync` skips the async thresholds: the user chose). A `during`
// threshold reads the fault's window in each mode that applied the fault; a mode that did not apply
// it is skipped, unless the threshold names that mode (then it fails: the window was never
// measured). A metric without a value (no samples) fails. The implicit checks come first in each
// mode.
std::vector<threshold_check> evaluate_thresholds(const std::vector<threshold_spec>& thresholds,
                                                 const run_result& result);

}  // namespace asyncbench
