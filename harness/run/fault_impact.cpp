#include "harness/run/fault_impact.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include "harness/stats/latency_summary.hpp"

namespace asyncbench {

namespace {

using std::chrono::nanoseconds;

// Without an api_p99 SLO, a second is back to normal when its p99 is within this factor of the
// p99 before the fault: per-second p99s are noisy, and "exactly as before" would rarely hold.
constexpr double pre_fault_p99_factor = 1.5;

double to_seconds(nanoseconds t) { return std::chrono::duration<double>(t).count(); }

bool in_window(const second_sample& s, const window_stats& w) {
    const auto t = static_cast<double>(s.t_s);
    return t >= w.start_s && t < w.end_s;
}

window_stats stats_of(const window_tally& tally, const std::vector<second_sample>& series) {
    window_stats w;
    w.start_s = to_seconds(tally.start);
    w.end_s = to_seconds(tally.end);
    w.requests = tally.requests;
    w.ok = tally.ok;
    w.rejected_503 = tally.rejected_503;
    w.availability = tally.requests == 0 ? 0.0
                                         : static_cast<double>(tally.ok + tally.rejected_409) /
                                               static_cast<double>(tally.requests);
    w.latency_all_us = summarize(tally.latency_all_us);
    w.latency_2xx_us = summarize(tally.latency_2xx_us);
    for (const auto& s : series) {
        if (in_window(s, w)) w.peak_backlog = std::max(w.peak_backlog, s.backlog);
    }
    return w;
}

// The lower median of the before window's per-second backlog; 0 without any second in it.
std::int64_t pre_fault_backlog(const window_stats& before,
                               const std::vector<second_sample>& series) {
    std::vector<std::int64_t> values;
    for (const auto& s : series) {
        if (in_window(s, before)) values.push_back(s.backlog);
    }
    if (values.empty()) return 0;
    const auto middle = values.begin() + static_cast<std::ptrdiff_t>((values.size() - 1) / 2);
    std::nth_element(values.begin(), middle, values.end());
    return *middle;
}

// Seconds from end_s to the first second at or after it that satisfies `recovered`.
template <class Predicate>
std::optional<double> first_recovered(const std::vector<second_sample>& series, double end_s,
                                      Predicate recovered) {
    for (const auto& s : series) {
        const auto t = static_cast<double>(s.t_s);
        if (t >= end_s && recovered(s)) return t - end_s;
    }
    return std::nullopt;
}

std::string format_share(double share) { return fmt::format("{:.2f}%", share * 100.0); }

std::string format_slo_ms(std::chrono::milliseconds ms) {
    if (ms.count() % 1000 == 0) return fmt::format("{}s", ms.count() / 1000);
    return fmt::format("{}ms", ms.count());
}

void fill_latency_recovery(fault_impact& impact, const fault_record& record,
                           const std::vector<second_sample>& series, const slo_spec& slo) {
    const auto& before = impact.before;
    double availability_target = before.requests == 0 ? 1.0 : before.availability;
    std::string availability_source = before.requests == 0 ? "no pre-fault answers" : "pre-fault";
    if (slo.min_availability && *slo.min_availability < availability_target) {
        availability_target = *slo.min_availability;
        availability_source = "min_availability SLO";
    }
    double reference_us = 0;
    std::string reference_source;
    if (slo.api_p99) {
        reference_us = static_cast<double>(
            std::chrono::duration_cast<std::chrono::microseconds>(*slo.api_p99).count());
        reference_source = "api_p99 SLO " + format_slo_ms(*slo.api_p99);
    } else if (before.latency_2xx_us.count > 0) {
        // The per-second series' percentiles are over 2xx answers, so the reference is too.
        reference_us = pre_fault_p99_factor * before.latency_2xx_us.p99_us;
        reference_source = fmt::format("{} x pre-fault 2xx p99 {:.1f} ms", pre_fault_p99_factor,
                                       before.latency_2xx_us.p99_us / 1000.0);
    } else {
        impact.latency_reference = "none: no 2xx answer before the fault and no api_p99 SLO";
        return;
    }
    impact.latency_reference =
        fmt::format("p99 <= {:.1f} ms ({}) and 2xx >= {} ({})", reference_us / 1000.0,
                    reference_source, format_share(availability_target), availability_source);
    impact.latency_recovered_s = first_recovered(series, record.end_s, [&](const second_sample& s) {
        if (s.ok == 0) return false;  // no 2xx answer, so no p99 to judge
        const double share = static_cast<double>(s.ok) / static_cast<double>(s.ok + s.errors);
        return s.p99_us <= reference_us && share >= availability_target;
    });
}

}  // namespace

std::vector<load_window> fault_windows(const load_spec& load,
                                       const std::vector<fault_spec>& faults) {
    const nanoseconds measure_start = load.warmup;
    const nanoseconds measure_end = load.warmup + load.duration;
    std::vector<load_window> out;
    out.reserve(faults.size() * 3);
    const auto start_of = [&](const fault_spec& f) {
        return measure_start + std::max(f.at, nanoseconds{0});
    };
    const auto end_of = [&](const fault_spec& f) {
        return start_of(f) + std::max(f.duration, nanoseconds{0});
    };
    for (const auto& f : faults) {
        const nanoseconds start = start_of(f);
        const nanoseconds end = end_of(f);
        // Another fault's effects must not count as this one's baseline or recovery: before
        // starts where the last earlier fault ended, after stops where the next one starts.
        nanoseconds before_start = measure_start;
        nanoseconds after_end = measure_end;
        for (const auto& other : faults) {
            if (&other == &f) continue;
            if (end_of(other) <= start) before_start = std::max(before_start, end_of(other));
            if (start_of(other) >= end) after_end = std::min(after_end, start_of(other));
        }
        out.push_back({std::min(before_start, start), std::min(start, measure_end)});
        out.push_back({start, end});
        const nanoseconds after_start = std::min(end, measure_end);
        out.push_back({after_start, std::max(after_start, after_end)});
    }
    return out;
}

std::vector<fault_impact> compute_fault_impacts(const std::vector<fault_record>& records,
                                                const std::vector<window_tally>& windows,
                                                const std::vector<second_sample>& series,
                                                const slo_spec& slo) {
    if (windows.size() != records.size() * 3) {
        throw std::invalid_argument(fmt::format(
            "compute_fault_impacts: {} window tallies for {} fault records (3 per fault expected)",
            windows.size(), records.size()));
    }
    std::vector<fault_impact> out;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const auto& record = records[i];
        if (!record.applied) continue;
        fault_impact impact;
        impact.fault = record.name;
        impact.before = stats_of(windows[3 * i], series);
        impact.during = stats_of(windows[3 * i + 1], series);
        impact.after = stats_of(windows[3 * i + 2], series);
        const std::int64_t level = pre_fault_backlog(impact.before, series);
        impact.backlog_recovered_s = first_recovered(
            series, record.end_s, [level](const second_sample& s) { return s.backlog <= level; });
        fill_latency_recovery(impact, record, series, slo);
        out.push_back(std::move(impact));
    }
    return out;
}

}  // namespace asyncbench
