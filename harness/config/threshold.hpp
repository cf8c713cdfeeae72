#pragma once
// A threshold: a bound on one named metric (harness/result/metric_catalog.hpp) that a run must
// keep, written the same in a scenario file (`thresholds:`) and on the command line
// (`--threshold`):
//
//   [during 'FAULT':] [sync.|async.]METRIC OP VALUE
//
// OP is one of < <= > >=; VALUE a duration for latencies and seconds ("500ms", "10s"), a
// number or a percentage for shares ("0.999", "99.9%"), a number otherwise. Without a mode
// prefix the threshold applies to every mode the run measures. `during 'FAULT':` tests the
// window of that fault (by its name in `faults:`), for the metrics measured per window.
// Pure parsing; thread-safe.
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "harness/core/mode.hpp"

namespace asyncbench {

enum class comparison { less, less_equal, greater, greater_equal };

struct threshold_spec {
    std::string text;          // normalised: "async.completion_p99 < 10s"
    std::optional<mode> only;  // nullopt: every mode measured
    std::string metric;        // a built-in or scenario metric name
    comparison op = comparison::less;
    double value = 0;    // in the metric's unit (microseconds for latencies)
    std::string during;  // a fault's name; empty: the measured phase
};

// What a threshold may name besides the built-in metrics, and the faults it may name.
struct threshold_names {
    std::vector<std::string> scenario_metrics;  // the plugin's and the pollers'
    std::vector<std::string> faults;            // faults: names
};

// The threshold, or an error that says what is wrong and, for an unknown metric, lists the
// valid names.
std::variant<threshold_spec, std::string> parse_threshold(std::string_view text,
                                                          const threshold_names& names);

// Whether `observed` keeps the bound.
bool holds(comparison op, double observed, double bound);
// "<", "<=", ">", ">=".
std::string_view comparison_symbol(comparison op);

}  // namespace asyncbench
