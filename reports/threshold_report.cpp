#include "reports/threshold_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "harness/result/metric_catalog.hpp"
#include "harness/stats/mann_whitney.hpp"
#include "reports/verdict.hpp"

namespace asyncbench {
namespace {

// The metrics a repetition table shows: the two views the question is about, and whether the
// modes kept up and stayed available.
constexpr std::array headline_metrics{"api_all_p50",    "api_all_p99",  "completion_p50",
                                      "completion_p99", "availability", "achieved_per_s"};

std::vector<double> values_of(const mode_result& mode, std::string_view metric) {
    std::vector<double> values;
    for (const auto& rep : mode.repetitions) {
        if (const auto found = rep.metrics.find(std::string(metric)); found != rep.metrics.end()) {
            values.push_back(found->second);
        }
    }
    return values;
}

// "a (b-c)" in the metric's unit, or "n/a".
std::string spread(const metric_definition& metric, const std::vector<double>& values) {
    if (values.empty()) return "n/a";
    const auto [low, high] = std::minmax_element(values.begin(), values.end());
    return fmt::format("{} ({} - {})", format_metric(metric, median(values)),
                       format_metric(metric, *low), format_metric(metric, *high));
}

// How many paired repetitions (the i-th of each mode) order the two modes as their medians
// do: "5 of 5", or "3 of 5: no" when the order flipped in some.
std::string held_in_every(const std::vector<double>& first, const std::vector<double>& second) {
    const std::size_t pairs = std::min(first.size(), second.size());
    if (pairs == 0) return "n/a";
    const double m1 = median(first);
    const double m2 = median(second);
    if (m1 == m2) return "equal medians";
    std::size_t same = 0;
    for (std::size_t i = 0; i < pairs; ++i) {
        if ((first[i] < second[i]) == (m1 < m2) && first[i] != second[i]) ++same;
    }
    return same == pairs ? fmt::format("yes, {} of {}", same, pairs)
                         : fmt::format("no: {} of {}", same, pairs);
}

}  // namespace

report_table threshold_table(const run_result& r) {
    report_table t{{"Mode", "Threshold", "Observed", "Result"}, {}};
    for (const auto& c : r.thresholds) {
        t.rows.push_back({c.mode, c.implicit ? c.threshold + " (always)" : c.threshold,
                          c.observed_text, c.passed ? "held" : "MISSED"});
    }
    return t;
}

report_table repetition_table(const run_result& r) {
    const auto modes = report_modes(r);
    report_table t;
    t.header.emplace_back("Metric");
    for (const auto& name : modes) t.header.push_back(name + " median (min - max)");
    if (modes.size() == 2) t.header.emplace_back("Order held in every repetition");
    if (r.settings.repetitions <= 1) return t;
    for (const char* name : headline_metrics) {
        const auto* metric = find_builtin_metric(name);
        std::vector<std::string> row{name};
        std::vector<std::vector<double>> per_mode;
        for (const auto& mode : modes) {
            per_mode.push_back(values_of(r.modes.at(mode), name));
            row.push_back(spread(*metric, per_mode.back()));
        }
        if (modes.size() == 2) row.push_back(held_in_every(per_mode[0], per_mode[1]));
        t.rows.push_back(std::move(row));
    }
    return t;
}

std::vector<std::string> threshold_lines(const run_result& r) {
    std::vector<std::string> missed;
    std::size_t declared = 0;
    for (const auto& c : r.thresholds) {
        if (c.implicit) continue;
        ++declared;
        if (!c.passed) {
            missed.push_back(
                fmt::format("{} {} (observed {})", c.mode, c.threshold, c.observed_text));
        }
    }
    if (declared == 0) return {};
    if (missed.empty()) return {fmt::format("Thresholds: all {} held.", declared)};
    std::string list;
    for (const auto& m : missed) list += (list.empty() ? "" : "; ") + m;
    return {fmt::format("Thresholds: {} of {} missed: {}.", missed.size(), declared, list)};
}

}  // namespace asyncbench
