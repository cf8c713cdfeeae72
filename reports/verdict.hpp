#pragma once
// The verdict: a few plain sentences drawn only from the numbers of one run. The number
// formats every report shares live in number_format.hpp (included here for the reports).
// Pure functions of their arguments; thread-safe.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/result/run_result.hpp"
#include "reports/number_format.hpp"

namespace asyncbench {

// Verdict lines in Markdown inline syntax (only **bold** is used). Order: the safety check
// first (bold when an accepted request was lost or an effect applied twice), then validity,
// what can be compared, API latency, keeping up with the offered rate, errors, one line per
// fault (share of 2xx answers while it was active, per mode), completion latency, backlog,
// time to full completion (multi-stage workflows), other reconciliation findings, SLOs, and
// the CPU per 1,000 completed requests (reports/cost_report.hpp).
// A mode "kept up" when it achieved at least 95% of the offered rate with at least 99%
// availability; API p99 values within 10% of each other count as "about the same".
std::vector<std::string> verdict_lines(const run_result& result);

// The result's modes in report order (in_report_order: sync, async, then any others).
std::vector<std::string> report_modes(const run_result& result);

}  // namespace asyncbench
