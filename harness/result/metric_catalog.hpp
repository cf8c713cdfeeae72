#pragma once
// The one list of a mode's named scalar metrics: what thresholds test, what each repetition of
// a run records, and what `asyncbench compare` compares. A name here is a name everywhere
// (scenario files, --threshold, result.json, reports). Pure functions over run_result;
// thread-safe (no state).
//
// Built-in names, per mode: the two API latency views and completion latency at p50, p90,
// p99, p999 and max (`api_all_p99`, `api_2xx_p50`, `completion_max`, microseconds), the
// generator's send delay (`send_delay_p99`), `availability` and `error_rate` (shares of the
// measured requests), `achieved_per_s`, `drain_s`, `time_to_full_completion_s`,
// `cpu_s_per_1000_completed`, `peak_backlog`, and the correctness counts `lost`,
// `duplicate_effects` and `broken_invariants` (required invariants that failed). A scenario
// adds its own metrics (the plugin's and, with poll stages, the pollers'), by their names.
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/result/run_result.hpp"

namespace asyncbench {

// How a metric's value reads: its unit in result.json and how thresholds write it.
enum class metric_unit {
    microseconds,  // a latency; thresholds write a duration ("500ms", "10s")
    seconds,       // a duration in seconds; thresholds write a duration too
    share,         // [0, 1]; thresholds write 0.999 or 99.9%
    per_second,    // a rate
    count,         // a whole number of things
    number,        // a scenario metric: its unit is in its name
};

// Which way is worse, for `compare`. A scenario metric's direction comes from a threshold on
// it or from `--metric NAME:lower|higher`.
enum class metric_direction { lower_is_better, higher_is_better };

struct metric_definition {
    std::string_view name;
    metric_unit unit;
    metric_direction direction;
    std::string_view meaning;  // one line, for --help and errors
    // Correctness, not performance: `compare` calls any increase worse, without statistics,
    // and a threshold on it is always required.
    bool correctness = false;
    // Also measured per fault window (window_stats), so `during 'F':` thresholds can name it.
    bool per_window = false;
};

// Every built-in metric, in the order reports list them.
std::span<const metric_definition> builtin_metrics();
// nullptr when `name` is not built in.
const metric_definition* find_builtin_metric(std::string_view name);

// The value of a built-in or scenario metric in one mode; nullopt when the mode did not
// measure it (a latency with no samples, a scenario metric the plugin did not report, a
// time to full completion when nothing completed).
std::optional<double> metric_value(const mode_result& mode, std::string_view name);
// The value of a per-window metric in one window (fault_impact::during etc.); nullopt when the
// metric is not per window or has no samples there.
std::optional<double> window_metric_value(const window_stats& window, std::string_view name);

// Every metric with a value in `mode`, built-in and scenario ones, by name: what result.json
// keeps per repetition and `compare` reads.
std::map<std::string, double> mode_scalars(const mode_result& mode);

// A value as a report shows it, in the metric's unit ("812.3 ms", "99.95%", "42.0 s", "12").
std::string format_metric(const metric_definition& metric, double value);
// For a scenario metric (unit `number`): as is, up to 3 decimals.
std::string format_metric(std::string_view name, double value);

}  // namespace asyncbench
