#include "reports/comparison_text.hpp"

#include <fmt/format.h>

#include <cmath>

#include "harness/result/metric_catalog.hpp"

namespace asyncbench {

std::string format_metric_value(std::string_view metric, double value) {
    if (const auto* builtin = find_builtin_metric(metric)) return format_metric(*builtin, value);
    return format_metric(metric, value);
}

std::string spread_text(std::string_view metric, const sample_summary& s) {
    if (s.values.empty()) return "none (n=0)";
    return fmt::format("{} ({} - {}, n={})", format_metric_value(metric, s.median),
                       format_metric_value(metric, s.min), format_metric_value(metric, s.max),
                       s.values.size());
}

std::string change_text(const metric_comparison& m) {
    if (m.baseline.values.empty() || m.candidate.values.empty()) return "n/a";
    if (!m.change) return "from 0";
    const double percent = *m.change * 100;
    // "-0.0%" and "+0.0%" read as a direction where there is none.
    if (std::fabs(percent) < 0.05) return "0.0%";
    return fmt::format("{:+.1f}%", percent);
}

std::string p_text(const std::optional<double>& p) {
    if (!p) return "n/a";
    if (*p < 0.001) return "< 0.001";
    return fmt::format("{:.3f}", *p);
}

std::string verdict_reason(const metric_comparison& m) {
    const auto& metric = m.subject.metric;
    if (m.verdict == gate_verdict::not_measured) {
        return fmt::format("no value in {}",
                           m.baseline.values.empty() && m.candidate.values.empty() ? "either run"
                           : m.baseline.values.empty() ? "the baseline's valid repetitions"
                                                       : "the candidate's valid repetitions");
    }
    std::string reason = fmt::format(
        "median {} -> {} ({}), p = {}", format_metric_value(metric, m.baseline.median),
        format_metric_value(metric, m.candidate.median), change_text(m), p_text(m.p_value));
    if (m.verdict == gate_verdict::not_enough_repetitions) {
        reason += fmt::format(
            "; {} baseline and {} candidate valid repetitions, {} a side are needed for a verdict",
            m.baseline.values.size(), m.candidate.values.size(), min_repetitions_for_verdict);
    }
    return reason;
}

std::vector<std::string> worse_findings(const comparison_result& c) {
    std::vector<std::string> out;
    for (const auto& m : c.metrics) {
        if (m.verdict != gate_verdict::worse) continue;
        out.push_back(fmt::format("{} {} {} (p = {})", m.subject.mode, m.subject.metric,
                                  change_text(m), p_text(m.p_value)));
    }
    for (const auto& check : c.correctness) {
        if (!check.worse()) continue;
        out.push_back(fmt::format("{} {}: {} in the candidate (baseline {})", check.mode,
                                  check.metric,
                                  format_metric_value(check.metric, check.candidate_total),
                                  format_metric_value(check.metric, check.baseline_total)));
    }
    return out;
}

std::string parameters_text(const compare_parameters& p) {
    return fmt::format(
        "alpha {:g}; minimum effect {:g}% of the baseline's median; at least {} valid "
        "repetitions a side for a verdict. A gate is worse only when the two-sided Mann-Whitney "
        "U test gives p < alpha and the median moved beyond the minimum effect in the bad "
        "direction; better symmetrically. Correctness checks are worse by any amount.{}",
        p.alpha, p.min_effect * 100, min_repetitions_for_verdict,
        p.force ? " Compared with --force." : "");
}

}  // namespace asyncbench
