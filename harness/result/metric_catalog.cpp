#include "harness/result/metric_catalog.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace asyncbench {
namespace {

using md = metric_definition;
constexpr auto lower = metric_direction::lower_is_better;
constexpr auto higher = metric_direction::higher_is_better;
constexpr auto us = metric_unit::microseconds;

// The table. Reading a value is in metric_value(), by the same names: a name added here without
// a reader there is caught by the catalogue's unit test (every built-in has a value in a
// complete mode_result).
constexpr std::array builtins{
    md{"api_all_p50", us, lower, "API latency over every answer (errors, timeouts included), p50"},
    md{"api_all_p90", us, lower, "API latency over every answer, p90"},
    md{"api_all_p99", us, lower, "API latency over every answer, p99"},
    md{"api_all_p999", us, lower, "API latency over every answer, p99.9"},
    md{"api_all_max", us, lower, "API latency over every answer, max"},
    md{"api_2xx_p50", us, lower, "API latency over 2xx answers only, p50"},
    md{"api_2xx_p90", us, lower, "API latency over 2xx answers only, p90"},
    md{"api_2xx_p99", us, lower, "API latency over 2xx answers only, p99"},
    md{"api_2xx_p999", us, lower, "API latency over 2xx answers only, p99.9"},
    md{"api_2xx_max", us, lower, "API latency over 2xx answers only, max"},
    md{"completion_p50", us, lower, "intended send to the workflow done, p50"},
    md{"completion_p90", us, lower, "intended send to the workflow done, p90"},
    md{"completion_p99", us, lower, "intended send to the workflow done, p99"},
    md{"completion_p999", us, lower, "intended send to the workflow done, p99.9"},
    md{"completion_max", us, lower, "intended send to the workflow done, max"},
    md{"send_delay_p99", us, lower, "intended to actual send (the generator's wait), p99"},
    md{"availability", metric_unit::share, higher,
       "share of measured requests answered as designed (2xx or a 409 business answer)"},
    md{"error_rate", metric_unit::share, lower,
       "share of measured requests that failed (5xx, 4xx other than 409, timeouts, I/O)"},
    md{"achieved_per_s", metric_unit::per_second, higher, "2xx answers per measured second"},
    md{"drain_s", metric_unit::seconds, lower, "end of load to everything processed"},
    md{"time_to_full_completion_s", metric_unit::seconds, lower,
       "first send to the last completion"},
    md{"cpu_s_per_1000_completed", metric_unit::seconds, lower,
       "CPU seconds of the design's parts per 1,000 completed requests"},
    md{
        "peak_backlog",
        metric_unit::count,
        lower,
        "accepted but not yet completed, at its peak",
    },
    md{"lost", metric_unit::count, lower, "accepted requests lost", true},
    md{"duplicate_effects", metric_unit::count, lower, "effects applied more than once", true},
    md{"broken_invariants", metric_unit::count, lower, "required invariants that failed", true},
};

// What window_stats measures: the API's two latency views, availability and the backlog's
// peak (set on the table below so the rule is written once).
constexpr bool per_window_name(std::string_view name) {
    return name.starts_with("api_") || name == "availability" || name == "peak_backlog";
}

std::optional<double> percentile(const latency_summary& l, std::string_view which) {
    if (l.count == 0) return std::nullopt;
    if (which == "p50") return l.p50_us;
    if (which == "p90") return l.p90_us;
    if (which == "p99") return l.p99_us;
    if (which == "p999") return l.p999_us;
    if (which == "max") return l.max_us;
    return std::nullopt;
}

// "api_all_p99" -> the all-answers view's p99, for a mode or a window.
std::optional<double> latency_metric(std::string_view name, const latency_summary& all,
                                     const latency_summary& ok_only,
                                     const latency_summary* completion) {
    for (const auto& [prefix, summary] :
         {std::pair<std::string_view, const latency_summary*>{"api_all_", &all},
          {"api_2xx_", &ok_only},
          {"completion_", completion}}) {
        if (summary != nullptr && name.starts_with(prefix)) {
            return percentile(*summary, name.substr(prefix.size()));
        }
    }
    return std::nullopt;
}

std::int64_t peak_backlog(const mode_result& m) {
    std::int64_t peak = 0;
    for (const auto& s : m.series) peak = std::max(peak, s.backlog);
    return peak;
}

}  // namespace

std::span<const metric_definition> builtin_metrics() {
    static const auto table = [] {
        auto copy = builtins;
        for (auto& m : copy) m.per_window = per_window_name(m.name);
        return copy;
    }();
    return table;
}

const metric_definition* find_builtin_metric(std::string_view name) {
    for (const auto& m : builtin_metrics()) {
        if (m.name == name) return &m;
    }
    return nullptr;
}

std::optional<double> metric_value(const mode_result& m, std::string_view name) {
    if (auto latency = latency_metric(name, m.api_latency_all_us, m.api_latency_2xx_us,
                                      &m.completion_latency_us)) {
        return latency;
    }
    const auto shared = [&](double numerator) -> std::optional<double> {
        if (m.requests == 0) return std::nullopt;
        return numerator / static_cast<double>(m.requests);
    };
    if (name == "send_delay_p99") return percentile(m.send_delay_us, "p99");
    if (name == "availability")
        return m.requests == 0 ? std::nullopt : std::optional(m.availability);
    if (name == "error_rate") return shared(static_cast<double>(m.errors.total()));
    if (name == "achieved_per_s") return m.achieved_per_s;
    if (name == "drain_s") return m.drain_s;
    if (name == "time_to_full_completion_s") return m.time_to_full_completion_s;
    if (name == "cpu_s_per_1000_completed") return m.cpu_s_per_1000_completed;
    if (name == "peak_backlog") return static_cast<double>(peak_backlog(m));
    if (name == "lost") return static_cast<double>(m.reconciliation.lost);
    if (name == "duplicate_effects") return static_cast<double>(m.reconciliation.duplicate_effects);
    if (name == "broken_invariants") {
        return static_cast<double>(
            std::count_if(m.invariants.begin(), m.invariants.end(),
                          [](const invariant_result& i) { return i.required && !i.passed; }));
    }
    if (find_builtin_metric(name) != nullptr) return std::nullopt;
    for (const auto& metric : m.metrics) {
        if (metric.name == name) return metric.value;
    }
    return std::nullopt;
}

std::optional<double> window_metric_value(const window_stats& w, std::string_view name) {
    if (name == "availability") {
        return w.requests == 0 ? std::nullopt : std::optional(w.availability);
    }
    if (name == "peak_backlog") return static_cast<double>(w.peak_backlog);
    return latency_metric(name, w.latency_all_us, w.latency_2xx_us, nullptr);
}

std::map<std::string, double> mode_scalars(const mode_result& m) {
    std::map<std::string, double> values;
    for (const auto& metric : builtin_metrics()) {
        if (auto value = metric_value(m, metric.name)) values.emplace(metric.name, *value);
    }
    for (const auto& metric : m.metrics) values.emplace(metric.name, metric.value);
    return values;
}

std::string format_metric(const metric_definition& metric, double value) {
    if (!std::isfinite(value)) return "n/a";
    switch (metric.unit) {
        case metric_unit::microseconds: {
            const double ms = value / 1000.0;
            if (ms >= 10'000) return fmt::format("{:.1f} s", ms / 1000.0);
            return ms < 100 ? fmt::format("{:.2f} ms", ms) : fmt::format("{:.1f} ms", ms);
        }
        case metric_unit::seconds:
            return std::fabs(value) < 10 ? fmt::format("{:.2f} s", value)
                                         : fmt::format("{:.1f} s", value);
        case metric_unit::share: {
            // 99.999% must not read as 100%: more digits until it does not.
            std::string text = fmt::format("{:.2f}%", value * 100);
            if (value < 1.0 && text == "100.00%") text = fmt::format("{:.4f}%", value * 100);
            return text;
        }
        case metric_unit::per_second:
            return fmt::format("{:.1f}/s", value);
        case metric_unit::count:
            return fmt::format("{:.0f}", value);
        case metric_unit::number:
            break;
    }
    return format_metric(metric.name, value);
}

std::string format_metric(std::string_view /*name*/, double value) {
    if (!std::isfinite(value)) return "n/a";
    if (value == std::floor(value) && std::fabs(value) < 1e15) return fmt::format("{:.0f}", value);
    return fmt::format("{:.3f}", value);
}

}  // namespace asyncbench
