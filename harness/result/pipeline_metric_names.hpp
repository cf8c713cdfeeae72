#pragma once
// The metrics the harness itself adds to a mode's scenario metrics (mode_result::metrics),
// named once so thresholds can refer to them before a run and the pipeline reports them by the
// same names. Thread-safe (constants).
#include <array>
#include <string_view>

namespace asyncbench {

// Async only: messages of one key that finished out of their produced order.
inline constexpr std::string_view key_order_violations_metric = "key_order_violations";

// With poll stages, in this order (harness/poll/poll_group.hpp, poll_metrics).
inline constexpr std::array<std::string_view, 8> poll_metric_names{
    "poll_rounds",       "poll_rounds_empty",  "poll_requests",       "poll_requests_failed",
    "poll_rows_fetched", "poll_bytes_fetched", "poll_rows_refetched", "poll_requests_peak_per_s"};

}  // namespace asyncbench
