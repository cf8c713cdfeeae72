#include "harness/run/fault_impact.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace asyncbench {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

// Warm-up 5 s, measure 60 s: the measure phase is [5, 65) on the series axis.
load_spec sixty_seconds() {
    load_spec load;
    load.warmup = 5s;
    load.duration = 60s;
    return load;
}

fault_spec fault_at(nanoseconds at, nanoseconds duration) {
    fault_spec f;
    f.name = "LP outage";
    f.at = at;
    f.duration = duration;
    return f;
}

fault_record record(double start_s, double end_s, bool applied = true) {
    fault_record r;
    r.name = "LP outage";
    r.kind = "downstream_outage";
    r.target = "lp.LPRUN";
    r.start_s = start_s;
    r.end_s = end_s;
    r.applied = applied;
    return r;
}

window_tally tally(nanoseconds start, nanoseconds end, std::uint64_t ok = 0,
                   std::uint64_t failed = 0, std::uint64_t rejected_503 = 0,
                   std::uint64_t latency_us = 1000) {
    window_tally t;
    t.start = start;
    t.end = end;
    t.requests = ok + failed;
    t.ok = ok;
    t.rejected_503 = rejected_503;
    if (ok > 0) t.latency_2xx_us.record(latency_us, ok);
    // Failures answered fast (a refusal): the all-answers view holds them at 1 ms.
    if (ok > 0) t.latency_all_us.record(latency_us, ok);
    if (failed > 0) t.latency_all_us.record(1000, failed);
    return t;
}

// The three tallies of a fault active over [15, 35) in a [5, 65) measure phase.
std::vector<window_tally> outage_windows() {
    return {tally(5s, 15s, 1000, 0, 0, 2000), tally(15s, 35s, 60, 1940, 1900, 9000),
            tally(35s, 65s, 2990, 10, 0, 2500)};
}

// Seconds 0..last, each with `ok` answers of p99 2 ms, no error and a backlog of 5.
std::vector<second_sample> steady_series(std::int64_t last) {
    std::vector<second_sample> series;
    for (std::int64_t t = 0; t <= last; ++t) series.push_back({t, 100, 100, 0, 1500, 2000, 5});
    return series;
}

slo_spec no_slo() { return {}; }

TEST(fault_windows, before_during_after_from_the_measure_start) {
    const auto windows = fault_windows(sixty_seconds(), {fault_at(10s, 20s)});
    ASSERT_EQ(windows.size(), 3u);
    EXPECT_EQ(windows[0].start, 5s);
    EXPECT_EQ(windows[0].end, 15s);
    EXPECT_EQ(windows[1].start, 15s);
    EXPECT_EQ(windows[1].end, 35s);
    EXPECT_EQ(windows[2].start, 35s);
    EXPECT_EQ(windows[2].end, 65s);
}

TEST(fault_windows, a_fault_past_the_measure_end_keeps_its_during_window_and_no_after) {
    const auto windows = fault_windows(sixty_seconds(), {fault_at(0s, 5s), fault_at(50s, 20s)});
    ASSERT_EQ(windows.size(), 6u);
    // First fault at the measure start: empty before window.
    EXPECT_EQ(windows[0].start, 5s);
    EXPECT_EQ(windows[0].end, 5s);
    EXPECT_EQ(windows[1].start, 5s);
    EXPECT_EQ(windows[1].end, 10s);
    // The first fault's after window stops where the second starts, and the second's before
    // window starts where the first ended: neither fault is the other's baseline.
    EXPECT_EQ(windows[2].start, 10s);
    EXPECT_EQ(windows[2].end, 55s);
    // Second fault ends at 75 s, after the measure end at 65 s.
    EXPECT_EQ(windows[3].start, 10s);
    EXPECT_EQ(windows[3].end, 55s);
    EXPECT_EQ(windows[4].start, 55s);
    EXPECT_EQ(windows[4].end, 75s);
    EXPECT_EQ(windows[5].start, 65s);
    EXPECT_EQ(windows[5].end, 65s);
}

TEST(fault_impact, window_stats_come_from_the_tallies_and_the_series) {
    auto series = steady_series(70);
    series[20].backlog = 400;   // during
    series[14].backlog = 9;     // before, its last second
    series[15].backlog = 300;   // first second of the fault: during, not before
    series[64].backlog = 7;     // after, its last second
    series[65].backlog = 1000;  // drain second: outside every window
    const auto impacts =
        compute_fault_impacts({record(15.0, 35.0)}, outage_windows(), series, no_slo());
    ASSERT_EQ(impacts.size(), 1u);
    const auto& i = impacts[0];
    EXPECT_EQ(i.fault, "LP outage");
    EXPECT_EQ(i.before.start_s, 5.0);
    EXPECT_EQ(i.before.end_s, 15.0);
    EXPECT_EQ(i.before.requests, 1000u);
    EXPECT_EQ(i.before.availability, 1.0);
    EXPECT_EQ(i.before.peak_backlog, 9);
    EXPECT_EQ(i.during.requests, 2000u);
    EXPECT_EQ(i.during.ok, 60u);
    EXPECT_EQ(i.during.rejected_503, 1900u);
    EXPECT_DOUBLE_EQ(i.during.availability, 0.03);
    EXPECT_EQ(i.during.latency_2xx_us.count, 60u);
    EXPECT_NEAR(i.during.latency_2xx_us.p99_us, 9000, 9000 * 0.01);
    // 1,940 failures at 1 ms and 60 answers at 9 ms: the all-answers p50 is the failures'.
    EXPECT_EQ(i.during.latency_all_us.count, 2000u);
    EXPECT_NEAR(i.during.latency_all_us.p50_us, 1000, 1000 * 0.01);
    EXPECT_EQ(i.during.peak_backlog, 400);
    EXPECT_EQ(i.after.end_s, 65.0);
    EXPECT_DOUBLE_EQ(i.after.availability, 2990.0 / 3000.0);
    EXPECT_EQ(i.after.peak_backlog, 7);
}

TEST(fault_impact, backlog_rising_during_the_fault_and_draining_7_s_after_recovers_in_7_s) {
    auto series = steady_series(70);
    for (std::int64_t t = 15; t < 35; ++t) series[t].backlog = 10 * (t - 14);        // up to 200
    for (std::int64_t t = 35; t < 42; ++t) series[t].backlog = 200 - 25 * (t - 34);  // 175..25
    series[42].backlog = 5;  // the pre-fault median
    const auto impacts =
        compute_fault_impacts({record(15.0, 35.0)}, outage_windows(), series, no_slo());
    ASSERT_EQ(impacts.size(), 1u);
    ASSERT_TRUE(impacts[0].backlog_recovered_s.has_value());
    EXPECT_EQ(*impacts[0].backlog_recovered_s, 7.0);
    EXPECT_EQ(impacts[0].during.peak_backlog, 200);
}

TEST(fault_impact, pre_fault_backlog_level_is_the_median_not_the_minimum) {
    auto series = steady_series(70);
    // Before: 5..14 carry 0, 20, 20, 20, 20, 20, 20, 20, 20, 0 -> median 20.
    for (std::int64_t t = 5; t < 15; ++t) series[t].backlog = 20;
    series[5].backlog = 0;
    series[14].backlog = 0;
    for (std::int64_t t = 15; t < 40; ++t) series[t].backlog = 500;
    for (std::int64_t t = 40; t <= 70; ++t) series[t].backlog = 20;
    const auto impacts =
        compute_fault_impacts({record(15.0, 35.0)}, outage_windows(), series, no_slo());
    ASSERT_TRUE(impacts[0].backlog_recovered_s.has_value());
    EXPECT_EQ(*impacts[0].backlog_recovered_s, 5.0);  // second 40, not "never" (level 0)
}

TEST(fault_impact, p99_back_within_the_slo_3_s_after_the_fault) {
    auto series = steady_series(70);
    for (std::int64_t t = 15; t < 38; ++t) series[t].p99_us = 2'500'000;  // 2.5 s
    series[38].p99_us = 900'000;                                          // within 1 s
    slo_spec slo;
    slo.api_p99 = 1000ms;
    const auto impacts = compute_fault_impacts({record(15.0, 35.0)}, outage_windows(), series, slo);
    ASSERT_TRUE(impacts[0].latency_recovered_s.has_value());
    EXPECT_EQ(*impacts[0].latency_recovered_s, 3.0);
    EXPECT_EQ(impacts[0].latency_reference,
              "p99 <= 1000.0 ms (api_p99 SLO 1s) and 2xx >= 100.00% (pre-fault)");
}

TEST(fault_impact, a_fast_second_with_too_many_errors_is_not_recovered) {
    auto series = steady_series(70);
    for (std::int64_t t = 15; t < 38; ++t) series[t].p99_us = 2'500'000;
    // Second 38 is fast but only 90% 2xx; second 39 is fast and 99.5% 2xx.
    series[38] = {38, 100, 90, 10, 1000, 2000, 5};
    series[39] = {39, 200, 199, 1, 1000, 2000, 5};
    slo_spec slo;
    slo.api_p99 = 1000ms;
    slo.min_availability = 0.99;  // lower than the pre-fault 100%: it is the target
    const auto impacts = compute_fault_impacts({record(15.0, 35.0)}, outage_windows(), series, slo);
    ASSERT_TRUE(impacts[0].latency_recovered_s.has_value());
    EXPECT_EQ(*impacts[0].latency_recovered_s, 4.0);
    EXPECT_EQ(impacts[0].latency_reference,
              "p99 <= 1000.0 ms (api_p99 SLO 1s) and 2xx >= 99.00% (min_availability SLO)");
}

TEST(fault_impact, without_an_slo_the_reference_is_1_5_x_the_pre_fault_p99) {
    auto series = steady_series(70);  // before window p99: 2 ms (from the tally)
    series[35].p99_us = 3200;         // above 3 ms
    series[36].p99_us = 2900;         // within 1.5 x 2 ms
    const auto impacts =
        compute_fault_impacts({record(15.0, 35.0)}, outage_windows(), series, no_slo());
    ASSERT_TRUE(impacts[0].latency_recovered_s.has_value());
    EXPECT_EQ(*impacts[0].latency_recovered_s, 1.0);
    // The tally's p99 is the histogram bucket's highest value, a little above 2,000 us.
    const double reference_us = 1.5 * impacts[0].before.latency_2xx_us.p99_us;
    EXPECT_GE(reference_us, 3000);
    EXPECT_LT(reference_us, 3200);
    EXPECT_EQ(
        impacts[0].latency_reference.rfind("p99 <= 3.0 ms (1.5 x pre-fault 2xx p99 2.0 ms)", 0), 0u)
        << impacts[0].latency_reference;
}

TEST(fault_impact, never_recovering_within_the_run_gives_nullopt) {
    auto series = steady_series(70);
    for (std::int64_t t = 15; t <= 70; ++t) {
        series[t].backlog = 1000 + t;
        series[t].p99_us = 5'000'000;
    }
    slo_spec slo;
    slo.api_p99 = 1000ms;
    const auto impacts = compute_fault_impacts({record(15.0, 35.0)}, outage_windows(), series, slo);
    ASSERT_EQ(impacts.size(), 1u);
    EXPECT_FALSE(impacts[0].backlog_recovered_s.has_value());
    EXPECT_FALSE(impacts[0].latency_recovered_s.has_value());
}

TEST(fault_impact, drain_seconds_without_answers_never_count_as_latency_recovered) {
    auto series = steady_series(64);
    for (std::int64_t t = 15; t <= 64; ++t) series[t].p99_us = 5'000'000;
    // Drain: backlog only, no answers (p99 0 would otherwise look perfect).
    for (std::int64_t t = 65; t <= 70; ++t) series.push_back({t, 0, 0, 0, 0, 0, 0});
    slo_spec slo;
    slo.api_p99 = 1000ms;
    const auto impacts = compute_fault_impacts({record(15.0, 35.0)}, outage_windows(), series, slo);
    EXPECT_FALSE(impacts[0].latency_recovered_s.has_value());
    ASSERT_TRUE(impacts[0].backlog_recovered_s.has_value());  // the steady 5 is the level
    EXPECT_EQ(*impacts[0].backlog_recovered_s, 0.0);
}

TEST(fault_impact, a_second_without_2xx_is_not_recovered_even_when_none_was_2xx_before) {
    // Before the fault every answer already failed: availability target 0.
    const std::vector<window_tally> windows = {tally(5s, 15s, 0, 1000), tally(15s, 35s, 0, 2000),
                                               tally(35s, 65s, 100, 2900)};
    auto series = steady_series(70);
    for (std::int64_t t = 35; t < 40; ++t) series[t] = {t, 100, 0, 100, 0, 0, 5};
    slo_spec slo;
    slo.api_p99 = 1000ms;
    const auto impacts = compute_fault_impacts({record(15.0, 35.0)}, windows, series, slo);
    ASSERT_TRUE(impacts[0].latency_recovered_s.has_value());
    EXPECT_EQ(*impacts[0].latency_recovered_s, 5.0);  // second 40: the first with 2xx answers
}

TEST(fault_impact, empty_before_window_means_a_zero_backlog_level_and_no_p99_reference) {
    // Fault over [5, 25): the first 20 s of the measure phase.
    const std::vector<window_tally> windows = {tally(5s, 5s), tally(5s, 25s, 500, 1500),
                                               tally(25s, 65s, 4000, 0)};
    auto series = steady_series(70);
    for (std::int64_t t = 25; t < 68; ++t) series[t].backlog = 3;  // never 0 under load
    series[68].backlog = 0;
    const auto impacts = compute_fault_impacts({record(5.0, 25.0)}, windows, series, no_slo());
    ASSERT_EQ(impacts.size(), 1u);
    EXPECT_EQ(impacts[0].before.requests, 0u);
    EXPECT_EQ(impacts[0].before.availability, 0.0);
    EXPECT_EQ(impacts[0].before.latency_2xx_us.count, 0u);
    EXPECT_EQ(impacts[0].before.peak_backlog, 0);
    ASSERT_TRUE(impacts[0].backlog_recovered_s.has_value());
    EXPECT_EQ(*impacts[0].backlog_recovered_s, 43.0);
    EXPECT_FALSE(impacts[0].latency_recovered_s.has_value());
    EXPECT_EQ(impacts[0].latency_reference,
              "none: no 2xx answer before the fault and no api_p99 SLO");

    // With an api_p99 SLO there is a reference, and the target is every answer 2xx.
    slo_spec slo;
    slo.api_p99 = 500ms;
    series[25].errors = 1;
    const auto with_slo = compute_fault_impacts({record(5.0, 25.0)}, windows, series, slo);
    ASSERT_TRUE(with_slo[0].latency_recovered_s.has_value());
    EXPECT_EQ(*with_slo[0].latency_recovered_s, 1.0);
    EXPECT_EQ(with_slo[0].latency_reference,
              "p99 <= 500.0 ms (api_p99 SLO 500ms) and 2xx >= 100.00% (no pre-fault answers)");
}

TEST(fault_impact, recovery_counts_from_the_observed_end_to_the_next_whole_second) {
    auto series = steady_series(70);
    for (std::int64_t t = 15; t < 36; ++t) series[t].backlog = 900;
    // The fault was reverted at 35.4 s: second 35 is partly during it and is not searched.
    series[35].backlog = 0;
    const auto impacts =
        compute_fault_impacts({record(15.2, 35.4)}, outage_windows(), series, no_slo());
    ASSERT_TRUE(impacts[0].backlog_recovered_s.has_value());
    EXPECT_NEAR(*impacts[0].backlog_recovered_s, 0.6, 1e-9);
}

TEST(fault_impact, a_fault_not_applied_has_no_impact) {
    auto windows = outage_windows();
    const auto second = outage_windows();
    windows.insert(windows.end(), second.begin(), second.end());
    fault_record crash = record(15.0, 35.0, false);
    crash.name = "worker crash";
    const auto impacts =
        compute_fault_impacts({crash, record(15.0, 35.0)}, windows, steady_series(70), no_slo());
    ASSERT_EQ(impacts.size(), 1u);
    EXPECT_EQ(impacts[0].fault, "LP outage");
    EXPECT_TRUE(
        compute_fault_impacts({crash}, outage_windows(), steady_series(70), no_slo()).empty());
}

TEST(fault_impact, windows_not_three_per_record_is_a_programming_error) {
    EXPECT_THROW(compute_fault_impacts({record(15.0, 35.0)}, {}, steady_series(70), no_slo()),
                 std::invalid_argument);
}

}  // namespace
}  // namespace asyncbench
