#pragma once
// The phrases the comparison's Markdown and JUnit share, so both say a change, a p-value or a
// finding the same way. Pure functions of the comparison; thread-safe.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/result/comparison.hpp"

namespace asyncbench {

// A value of `metric` in its unit ("812.3 ms", "99.95%"); a scenario metric as a number.
std::string format_metric_value(std::string_view metric, double value);
// "12.30 ms (11.90 ms - 13.00 ms, n=5)"; "none (n=0)" without values.
std::string spread_text(std::string_view metric, const sample_summary& samples);
// "+42.0%", "-3.1%", "0.0%"; "from 0" when the baseline's median is 0; "n/a" when a side has
// no value.
std::string change_text(const metric_comparison& m);
// "0.008", "< 0.001", "n/a".
std::string p_text(const std::optional<double>& p);
// Why the verdict is what it is, in one phrase: "median 12.30 ms -> 17.50 ms (+42.0%), p =
// 0.008" or "4 baseline and 4 candidate valid repetitions; 5 a side are needed".
std::string verdict_reason(const metric_comparison& m);
// What is worse, one phrase each: "async completion_p99 +42.0% (p = 0.008)", "async lost: 3 in
// the candidate (baseline 0)". Empty when nothing is.
std::vector<std::string> worse_findings(const comparison_result& c);
// "alpha 0.05; minimum effect 5% of the baseline's median; ..." with the rule in words.
std::string parameters_text(const compare_parameters& p);

}  // namespace asyncbench
