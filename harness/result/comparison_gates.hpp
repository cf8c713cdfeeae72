#pragma once
// Which metrics `asyncbench compare` judges, and which way is worse for each: the gates. A run
// measures dozens of metrics; testing them all at alpha 0.05 would flag one in twenty by
// chance, so only the metrics someone declared are compared: every (non-implicit) threshold of
// either run, and each `--metric`. Pure; thread-safe (no state).
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "harness/result/metric_catalog.hpp"
#include "harness/result/run_result.hpp"

namespace asyncbench {

// One metric compared in one mode.
struct gate {
    std::string mode;  // "sync", "async"
    std::string metric;
    metric_direction direction = metric_direction::lower_is_better;
    // Who declared it, for the report: "threshold async.completion_p99 < 10s" or
    // "--metric async.ranking_overcount_units:lower".
    std::string declared_by;
};

// `--metric [sync.|async.]METRIC[:lower|:higher]`, parsed.
struct metric_request {
    std::string text;  // as written
    std::string mode;  // empty: every mode compared
    std::string metric;
    std::optional<metric_direction> direction;  // the suffix, when given
};

// The request, or an error naming what is wrong ("--metric async.x:up: the suffix must be
// :lower or :higher"). Whether the metric exists is checked by select_gates, which knows the
// runs.
std::variant<metric_request, std::string> parse_metric_request(std::string_view text);

struct gate_selection {
    std::vector<gate> gates;  // in `modes` order, then thresholds (candidate's first), then
                              // --metric; one per (mode, metric)
    // What was declared but not compared, and why: `during` thresholds (per-window values are
    // not kept per repetition), thresholds from old files without a bound, --metric naming a
    // mode not compared, correctness metrics (always compared, without statistics).
    std::vector<std::string> notes;
};

// The gates of `baseline` and `candidate` in `modes` (the modes both ran). Direction: a
// built-in metric's from the catalogue; a scenario metric's from its --metric suffix, else from
// its thresholds' operator (< and <= lower is better, > and >= higher is better). Returns an
// error (usage, exit 2) for a --metric naming a metric neither run knows (listing the valid
// names), a suffix contradicting a built-in metric's direction, a scenario metric whose
// direction nothing states, or one whose thresholds bound it from both sides.
std::variant<gate_selection, std::string> select_gates(const run_result& baseline,
                                                       const run_result& candidate,
                                                       const std::vector<metric_request>& requests,
                                                       const std::vector<std::string>& modes);

// "lower is better" / "higher is better".
std::string_view direction_text(metric_direction direction);

}  // namespace asyncbench
