#include "reports/poll_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <optional>

#include "reports/verdict.hpp"

namespace asyncbench {
namespace {

std::optional<double> metric(const mode_result& m, const std::string& name) {
    for (const auto& metric : m.metrics) {
        if (metric.name == name) return metric.value;
    }
    return std::nullopt;
}

std::string freshness(const std::string& name, const mode_result& m) {
    const auto& l = m.completion_latency_us;
    if (l.count == 0) return name + " none completed";
    return fmt::format("{} {} / {} / {} s", name, format_seconds(l.p50_us / 1e6),
                       format_seconds(l.p99_us / 1e6), format_seconds(l.max_us / 1e6));
}

std::string source_load(const std::string& name, const mode_result& m) {
    const auto requests = metric(m, "poll_requests");
    if (!requests) return name + " asked the source nothing (its events came to it)";
    const double accepted = static_cast<double>(m.reconciliation.accepted);
    const auto per_1000 = [&](double n) {
        return accepted > 0 ? format_count(static_cast<std::uint64_t>(n / accepted * 1000 + 0.5))
                            : std::string("-");
    };
    const double rows = metric(m, "poll_rows_fetched").value_or(0);
    const double again = metric(m, "poll_rows_refetched").value_or(0);
    return fmt::format(
        "{} made {} requests ({} per 1,000 accepted, busiest second {}), fetching {} rows ({} "
        "per 1,000; {} of them read again) and {} KiB",
        name, format_count(static_cast<std::uint64_t>(*requests)), per_1000(*requests),
        format_count(static_cast<std::uint64_t>(metric(m, "poll_requests_peak_per_s").value_or(0))),
        format_count(static_cast<std::uint64_t>(rows)), per_1000(rows),
        format_count(static_cast<std::uint64_t>(again)),
        format_count(
            static_cast<std::uint64_t>(metric(m, "poll_bytes_fetched").value_or(0) / 1024)));
}

}  // namespace

std::vector<std::string> poll_verdict_lines(const run_result& result) {
    const auto modes = report_modes(result);
    bool polled = false;
    for (const auto& name : modes)
        polled = polled || metric(result.modes.at(name), "poll_requests");
    if (!polled) return {};
    std::vector<std::string> fresh;
    std::vector<std::string> load;
    for (const auto& name : modes) {
        fresh.push_back(freshness(name, result.modes.at(name)));
        load.push_back(source_load(name, result.modes.at(name)));
    }
    return {
        fmt::format("Freshness (request sent to its last stage done; for a polled stage, event to "
                    "effect visible) p50 / p99 / max: {}.",
                    fmt::join(fresh, ", ")),
        fmt::format("Load on the polled source: {}.", fmt::join(load, "; ")),
    };
}

}  // namespace asyncbench
