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

// With watchers, in this order (harness/watch/watch_results.hpp, watch_metrics).
inline constexpr std::array<std::string_view, 21> watch_metric_names{"watch_changes",
                                                                     "watch_pairs",
                                                                     "watch_told",
                                                                     "watch_merged",
                                                                     "watch_missed",
                                                                     "watch_latency_p50_ms",
                                                                     "watch_latency_p99_ms",
                                                                     "watch_latency_max_ms",
                                                                     "watch_all_told_p99_ms",
                                                                     "watch_changes_told_all",
                                                                     "watch_watchers_missing_any",
                                                                     "watch_most_missed_by_one",
                                                                     "watch_views_wrong",
                                                                     "watch_watchers_wrong",
                                                                     "watch_polls",
                                                                     "watch_polls_per_s",
                                                                     "watch_poll_rows",
                                                                     "watch_polls_failed",
                                                                     "watch_notifications",
                                                                     "watch_rereads",
                                                                     "watch_reconnects"};

// With watchers: each watcher's final view of each entity is its last accepted change.
inline constexpr std::string_view watcher_views_invariant = "watcher_views_match_truth";

// With lookups, in this order (lookup_metrics).
inline constexpr std::array<std::string_view, 5> lookup_metric_names{
    "lookups", "lookup_p50_ms", "lookup_p99_ms", "lookup_not_found", "lookup_failed"};

}  // namespace asyncbench
