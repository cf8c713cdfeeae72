#include "harness/result/threshold_checks.hpp"

#include <fmt/format.h>

#include "harness/result/metric_catalog.hpp"

namespace asyncbench {
namespace {

std::string format_value(const std::string& metric, double value) {
    if (const auto* builtin = find_builtin_metric(metric)) return format_metric(*builtin, value);
    return format_metric(metric, value);
}

// Why a metric has no value, in the words of the reports.
std::string not_measured(const std::string& metric) {
    if (metric.starts_with("api_")) return "no answers";
    if (metric.starts_with("completion_") || metric == "time_to_full_completion_s") {
        return "none completed";
    }
    return "not measured";
}

threshold_check check_of(const threshold_spec& spec, const std::string& mode,
                         std::optional<double> observed, bool implicit) {
    threshold_check check;
    check.threshold = spec.text;
    check.mode = mode;
    check.metric = spec.metric;
    check.during = spec.during;
    check.op = std::string(comparison_symbol(spec.op));
    check.bound = spec.value;
    check.bound_text = format_value(spec.metric, spec.value);
    check.observed = observed;
    check.observed_text =
        observed ? format_value(spec.metric, *observed) : not_measured(spec.metric);
    check.passed = observed.has_value() && holds(spec.op, *observed, spec.value);
    check.implicit = implicit;
    return check;
}

const fault_impact* impact_of(const mode_result& mode, const std::string& fault) {
    for (const auto& impact : mode.fault_impacts) {
        if (impact.fault == fault) return &impact;
    }
    return nullptr;
}

}  // namespace

std::vector<threshold_check> evaluate_thresholds(const std::vector<threshold_spec>& thresholds,
                                                 const run_result& result) {
    std::vector<threshold_check> checks;
    // In the reports' order (sync, the baseline, first), not the map's.
    for (const auto which : all_modes) {
        const auto found = result.modes.find(mode_name(which));
        if (found == result.modes.end()) continue;
        const auto& [name, mode] = *found;
        for (const char* metric : {"lost", "duplicate_effects", "broken_invariants"}) {
            threshold_spec always;
            always.text = fmt::format("{} <= 0", metric);
            always.metric = metric;
            always.op = comparison::less_equal;
            checks.push_back(check_of(always, name, metric_value(mode, metric), true));
        }
        for (const auto& spec : thresholds) {
            if (spec.only && mode_name(*spec.only) != name) continue;
            if (spec.during.empty()) {
                checks.push_back(check_of(spec, name, metric_value(mode, spec.metric), false));
                continue;
            }
            const auto* impact = impact_of(mode, spec.during);
            if (impact == nullptr && !spec.only) continue;  // the fault is not this mode's
            auto check = check_of(
                spec, name,
                impact ? window_metric_value(impact->during, spec.metric) : std::nullopt, false);
            if (impact == nullptr) check.observed_text = "the fault was not applied in this mode";
            checks.push_back(std::move(check));
        }
    }
    return checks;
}

}  // namespace asyncbench
