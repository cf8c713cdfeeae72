#pragma once
// The number formats every report shares, so the verdict, the Markdown and the HTML never
// disagree on how a figure reads. Pure functions; thread-safe.
#include <cstdint>
#include <string>
#include <string_view>

#include "harness/result/run_result.hpp"

namespace asyncbench {

// Microseconds shown as milliseconds: 2 decimals below 100 ms, 1 above ("0.85", "812.3").
std::string format_ms(double us);
// One percentile of `l` with format_ms, or `none` when it has no samples ("no answers", "none
// completed"): a statistic without samples is never shown as 0.
std::string format_latency_ms(const latency_summary& l, double latency_summary::*field,
                              std::string_view none);
// Rates with 1 decimal ("99.8").
std::string format_rate(double per_s);
// Seconds: 2 decimals below 10 s, 1 above ("1.25", "42.0").
std::string format_seconds(double s);
// A point in time of the run, seconds since the start of warm-up, with 1 decimal ("5.0",
// "35.4"): fault times and windows, where a column of "5.00" next to "15.0" would be hard to read.
std::string format_run_time(double s);
// A share in [0, 1] as a percentage with 2 decimals; never rounds a failure up to "100.00%"
// (0.99999 gives "99.9990%").
std::string format_percent(double share);
// Counts with thousands separators ("12,345").
std::string format_count(std::uint64_t n);
// Ratio of two positive values with 1 decimal and an "x" ("3.2x").
std::string format_ratio(double ratio);

}  // namespace asyncbench
