#include "reports/cost_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "reports/verdict.hpp"

namespace asyncbench {

namespace {

std::string format_mib(const std::optional<std::uint64_t>& bytes) {
    if (!bytes) return "n/a";
    return fmt::format("{:.1f} MiB", static_cast<double>(*bytes) / (1024.0 * 1024.0));
}

std::string format_optional_count(const std::optional<std::uint64_t>& n) {
    return n ? format_count(*n) : "n/a";
}

bool any_cost(const run_result& r) {
    for (const auto& [name, m] : r.modes) {
        if (!m.cost.empty()) return true;
    }
    return false;
}

}  // namespace

std::string format_cpu_seconds(double s) {
    if (!std::isfinite(s)) return "n/a";
    const double magnitude = std::fabs(s);
    const int decimals = magnitude < 1 ? 3 : magnitude < 10 ? 2 : magnitude < 100 ? 1 : 0;
    return fmt::format("{:.{}f}", s, decimals);
}

report_table cost_table(const run_result& r) {
    report_table t{{"Mode", "Part", "CPU s", "CPU s per 1,000 completed", "Peak RSS",
                    "Peak threads", "Peak connections", "Peak descriptors"},
                   {}};
    for (const auto& name : report_modes(r)) {
        const auto& m = r.modes.at(name);
        if (m.cost.empty()) continue;
        const std::uint64_t completed = m.reconciliation.completed;
        double counted_s = 0;
        for (const auto& part : m.cost) {
            std::string per_1000 = "not counted";
            if (part.counted) {
                counted_s += part.cpu_s;
                per_1000 =
                    completed == 0
                        ? "none completed"
                        : format_cpu_seconds(part.cpu_s * 1000.0 / static_cast<double>(completed));
            }
            t.rows.push_back({name, part.part, format_cpu_seconds(part.cpu_s), per_1000,
                              format_mib(part.peak_rss_bytes), format_count(part.peak_threads),
                              format_optional_count(part.peak_connections),
                              format_optional_count(part.peak_fds)});
        }
        t.rows.push_back({name, "all counted", format_cpu_seconds(counted_s),
                          m.cpu_s_per_1000_completed
                              ? format_cpu_seconds(*m.cpu_s_per_1000_completed)
                              : "none completed",
                          "", "", "", ""});
    }
    return t;
}

std::vector<std::string> cost_verdict_lines(const run_result& r) {
    if (!any_cost(r)) return {};
    std::vector<std::string> figures;
    for (const auto& name : report_modes(r)) {
        const auto& m = r.modes.at(name);
        if (m.cost.empty()) {
            figures.push_back(name + " not measured");
        } else if (m.cpu_s_per_1000_completed) {
            figures.push_back(
                fmt::format("{} {} s", name, format_cpu_seconds(*m.cpu_s_per_1000_completed)));
        } else {
            figures.push_back(name + " none completed");
        }
    }
    // Where many requests end in a business rejection (sold out), "per completed" divides the
    // CPU of all of them by the few that completed: the per-finished figure says what a
    // request cost whatever its answer.
    std::vector<std::string> per_finished;
    bool any_rejected = false;
    for (const auto& name : report_modes(r)) {
        const auto& m = r.modes.at(name);
        const std::uint64_t rejected = business_rejections(m);
        any_rejected = any_rejected || rejected > 0;
        const auto finished = m.reconciliation.completed + rejected;
        double counted_s = 0;
        for (const auto& part : m.cost) {
            if (part.counted) counted_s += part.cpu_s;
        }
        if (m.cost.empty() || finished == 0) continue;
        per_finished.push_back(fmt::format(
            "{} {} s", name, format_cpu_seconds(counted_s / static_cast<double>(finished) * 1000)));
    }
    std::string finished_text;
    if (any_rejected && !per_finished.empty()) {
        finished_text = fmt::format(
            "; per 1,000 finished (completed or rejected as business "
            "answers): {}",
            fmt::join(per_finished, ", "));
    }
    return {fmt::format(
        "CPU per 1,000 completed requests: {}{} (the mocks and the load generator excluded).",
        fmt::join(figures, ", "), finished_text)};
}

}  // namespace asyncbench
