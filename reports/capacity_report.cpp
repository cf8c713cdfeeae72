#include "reports/capacity_report.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "reports/number_format.hpp"

namespace asyncbench {
namespace {

std::string rate_text(std::optional<double> rate) {
    return rate ? format_rate(*rate) + "/s" : std::string("n/a");
}

// "180.0/s (190.0/s was not)", "at least 1600.0/s", "below 25.0/s".
std::string ceiling_text(const capacity_ceiling& c) {
    if (c.sustained_per_s && c.failed_per_s) {
        return fmt::format("{} ({} was not)", rate_text(c.sustained_per_s),
                           rate_text(c.failed_per_s));
    }
    if (c.sustained_per_s) return "at least " + rate_text(c.sustained_per_s);
    if (c.failed_per_s) return "below " + rate_text(c.failed_per_s);
    return "n/a";
}

std::string verdict_of(const capacity_step& s, bool two_ceilings) {
    if (s.generator_limited) return "generator behind";
    if (s.completing) return "sustained";
    if (s.accepting && two_ceilings) return "accepted, not completed";
    return "not sustained";
}

bool is_async(const std::string& mode) { return mode == "async"; }

}  // namespace

std::vector<std::string> capacity_summary_lines(const capacity_result& capacity) {
    std::vector<std::string> lines;
    for (const auto& m : capacity.modes) {
        if (is_async(m.mode)) {
            lines.push_back(fmt::format("{}: accepts {}, completes {}; {}.", m.mode,
                                        ceiling_text(m.accepting), ceiling_text(m.completing),
                                        m.stop_reason));
        } else {
            lines.push_back(fmt::format("{}: sustains {}; {}.", m.mode, ceiling_text(m.completing),
                                        m.stop_reason));
        }
    }
    return lines;
}

report_table capacity_ceiling_table(const capacity_result& capacity) {
    report_table t{{"Mode", "Accepting ceiling", "Completing ceiling", "Search stopped"}, {}};
    for (const auto& m : capacity.modes) {
        t.rows.push_back(
            {m.mode, ceiling_text(m.accepting), ceiling_text(m.completing), m.stop_reason});
    }
    return t;
}

report_table capacity_step_table(const capacity_result& capacity) {
    report_table t{
        {"Mode", "Step", "Offered /s", "Achieved /s", "API p99 all (ms)", "Completion p99 (ms)",
         "Errors", "Backlog growth /s", "Verdict", "Why not, and the bottleneck"},
        {}};
    for (const auto& s : capacity.steps) {
        std::string why;
        for (const auto& reason : s.reasons) why += (why.empty() ? "" : "; ") + reason;
        if (!s.bottleneck.empty())
            why += (why.empty() ? "" : ". ") + std::string("Points at: ") + s.bottleneck;
        t.rows.push_back(
            {s.mode, std::to_string(s.index), format_rate(s.offered_per_s),
             format_rate(s.achieved_per_s),
             format_latency_ms(s.api_latency_all_us, &latency_summary::p99_us, "no answers"),
             format_latency_ms(s.completion_latency_us, &latency_summary::p99_us, "none completed"),
             format_percent(s.error_rate), format_rate(s.backlog_growth_per_s),
             verdict_of(s, is_async(s.mode)), why});
    }
    return t;
}

std::vector<std::pair<double, double>> capacity_p99_points(const capacity_result& capacity,
                                                           const std::string& mode,
                                                           bool completion) {
    std::vector<std::pair<double, double>> points;
    for (const auto& s : capacity.steps) {
        if (s.mode != mode) continue;
        const auto& latency = completion ? s.completion_latency_us : s.api_latency_all_us;
        if (latency.count == 0) continue;
        points.emplace_back(s.offered_per_s, latency.p99_us / 1000.0);
    }
    std::sort(points.begin(), points.end());
    return points;
}

}  // namespace asyncbench
