#include "reports/watch_report.hpp"

#include <fmt/format.h>

#include "harness/result/metric_catalog.hpp"
#include "reports/number_format.hpp"
#include "reports/verdict.hpp"

namespace asyncbench {
namespace {

double value(const mode_result& m, std::string_view name) {
    return metric_value(m, name).value_or(0);
}

std::uint64_t count(const mode_result& m, std::string_view name) {
    return static_cast<std::uint64_t>(value(m, name) + 0.5);
}

// Milliseconds below a second, seconds above: "11.52 ms", "2.54 s".
std::string span_text(double ms) {
    return ms < 1000 ? format_ms(ms * 1e3) + " ms" : format_seconds(ms / 1e3) + " s";
}

std::string share_of(std::uint64_t part, std::uint64_t whole) {
    return whole == 0 ? "-"
                      : format_percent(static_cast<double>(part) / static_cast<double>(whole));
}

// "sync (polling) learned of a change in 2.54 s / 5.54 s / 5.98 s (p50 / p99 / max); of 100,000
// watcher x change pairs 31.55% merged, 0.00% missed (...)"
std::string learning(const std::string& name, const mode_result& m) {
    const bool polled = value(m, "watch_polls") > 0;
    const std::uint64_t pairs = count(m, "watch_pairs");
    return fmt::format(
        "{} ({}) learned of a change in {} / {} / {} (p50 / p99 / max); of {} watcher x change "
        "pairs {} merged (a later change replaced it before the watcher looked), {} missed "
        "({} of the watchers missed at least one, at most {} each)",
        name, polled ? "polling" : "Pub/Sub", span_text(value(m, "watch_latency_p50_ms")),
        span_text(value(m, "watch_latency_p99_ms")), span_text(value(m, "watch_latency_max_ms")),
        format_count(pairs), share_of(count(m, "watch_merged"), pairs),
        share_of(count(m, "watch_missed"), pairs),
        format_count(count(m, "watch_watchers_missing_any")),
        format_count(count(m, "watch_most_missed_by_one")));
}

std::string views(const std::string& name, const mode_result& m) {
    const std::uint64_t wrong = count(m, "watch_watchers_wrong");
    if (wrong == 0) return name + " every watcher right";
    return fmt::format("{} {} watchers wrong on {} incident views", name, format_count(wrong),
                       format_count(count(m, "watch_views_wrong")));
}

std::string polling_load(const std::string& name, const mode_result& m) {
    if (value(m, "watch_polls") <= 0) {
        return fmt::format("{} none (it pushed {} notifications instead)", name,
                           format_count(count(m, "watch_notifications")));
    }
    return fmt::format("{} {} requests ({}/s, each a query on the database) reading {} rows", name,
                       format_count(count(m, "watch_polls")),
                       format_rate(value(m, "watch_polls_per_s")),
                       format_count(count(m, "watch_poll_rows")));
}

std::string lookup(const std::string& name, const mode_result& m) {
    return fmt::format(
        "{} {} / {} ms (p50 / p99, {} lookups, {} not found, {} failed)", name,
        format_ms(value(m, "lookup_p50_ms") * 1e3), format_ms(value(m, "lookup_p99_ms") * 1e3),
        format_count(count(m, "lookups")), format_count(count(m, "lookup_not_found")),
        format_count(count(m, "lookup_failed")));
}

std::string joined(const std::vector<std::string>& parts) {
    std::string text;
    for (const auto& part : parts) text += (text.empty() ? "" : "; ") + part;
    return text;
}

}  // namespace

std::vector<std::string> watch_verdict_lines(const run_result& result) {
    std::vector<std::string> learned;
    std::vector<std::string> final_views;
    std::vector<std::string> load;
    std::vector<std::string> lookups;
    for (const auto& name : report_modes(result)) {
        const auto& m = result.modes.at(name);
        if (metric_value(m, "watch_pairs")) {
            learned.push_back(learning(name, m));
            final_views.push_back(views(name, m));
            load.push_back(polling_load(name, m));
        }
        if (metric_value(m, "lookups")) lookups.push_back(lookup(name, m));
    }
    std::vector<std::string> lines;
    if (!learned.empty()) {
        lines.push_back("Watchers: " + joined(learned) + ".");
        lines.push_back(
            "Watchers' final views against the last accepted change of each "
            "incident: " +
            joined(final_views) + ".");
        lines.push_back("Load the watchers put on the API: " + joined(load) + ".");
    }
    if (!lookups.empty()) lines.push_back("State lookups: " + joined(lookups) + ".");
    return lines;
}

}  // namespace asyncbench
