// The metric catalogue (harness/result/metric_catalog.hpp) and the merging of repetitions
// (harness/run/repetitions.hpp), with answers known in advance: histograms merge exactly, counts
// add up, and every repetition keeps its own metrics.
#include "harness/run/repetitions.hpp"

#include <gtest/gtest.h>

#include "harness/result/metric_catalog.hpp"
#include "harness/stats/latency_summary.hpp"

namespace asyncbench {
namespace {

// A repetition whose API answered `n` requests in `latency_us` each, `lost` of them lost.
measured_mode repetition(std::uint64_t n, std::uint64_t latency_us, std::uint64_t lost,
                         double achieved_per_s, bool valid = true) {
    measured_mode run;
    run.histograms.api_all_us.record(latency_us, n);
    run.histograms.api_2xx_us.record(latency_us, n);
    run.histograms.completion_us.record(latency_us * 2, n);
    auto& r = run.result;
    r.mode = "async";
    r.requests = n;
    r.availability = 1.0;
    r.achieved_per_s = achieved_per_s;
    r.api_latency_all_us = summarize(run.histograms.api_all_us);
    r.api_latency_2xx_us = summarize(run.histograms.api_2xx_us);
    r.completion_latency_us = summarize(run.histograms.completion_us);
    r.reconciliation.accepted = n;
    r.reconciliation.completed = n - lost;
    r.reconciliation.lost = lost;
    r.metrics = {{"orders_paid", static_cast<double>(n)}};
    r.invariants = {
        {"ranking_matches_orders", "equal", lost > 0 ? "3 differ" : "equal", lost == 0, true}};
    r.valid = valid;
    if (!valid) r.invalid_reasons = {"the drain timed out"};
    r.repetitions = {{1, valid, mode_scalars(r)}};
    return run;
}

TEST(metric_catalog, every_built_in_metric_has_a_value_in_a_complete_result) {
    mode_result m = repetition(10, 1000, 0, 9.5).result;
    m.send_delay_us = m.api_latency_all_us;
    m.time_to_full_completion_s = 3.5;
    m.cpu_s_per_1000_completed = 0.8;
    for (const auto& metric : builtin_metrics()) {
        EXPECT_TRUE(metric_value(m, metric.name).has_value()) << metric.name;
    }
    EXPECT_EQ(metric_value(m, "orders_paid"), 10.0);
    EXPECT_FALSE(metric_value(m, "no_such_metric").has_value());
    EXPECT_EQ(mode_scalars(m).size(), builtin_metrics().size() + 1);
}

TEST(metric_catalog, a_latency_without_samples_has_no_value) {
    mode_result empty;
    EXPECT_FALSE(metric_value(empty, "api_all_p99").has_value());
    EXPECT_FALSE(metric_value(empty, "completion_max").has_value());
    EXPECT_FALSE(metric_value(empty, "availability").has_value());  // no requests
    EXPECT_EQ(metric_value(empty, "lost"), 0.0);
    EXPECT_EQ(mode_scalars(empty).count("api_all_p99"), 0u);
}

TEST(metric_catalog, directions_correctness_and_windows_are_as_documented) {
    EXPECT_EQ(find_builtin_metric("availability")->direction, metric_direction::higher_is_better);
    EXPECT_EQ(find_builtin_metric("completion_p99")->direction, metric_direction::lower_is_better);
    EXPECT_TRUE(find_builtin_metric("lost")->correctness);
    EXPECT_FALSE(find_builtin_metric("api_all_p99")->correctness);
    EXPECT_TRUE(find_builtin_metric("api_2xx_p99")->per_window);
    EXPECT_TRUE(find_builtin_metric("peak_backlog")->per_window);
    EXPECT_FALSE(find_builtin_metric("completion_p99")->per_window);
    window_stats w;
    w.requests = 10;
    w.availability = 0.5;
    w.latency_all_us = {10, 1, 2, 3, 4, 5, 6, 3};
    EXPECT_EQ(window_metric_value(w, "availability"), 0.5);
    EXPECT_EQ(window_metric_value(w, "api_all_p99"), 4.0);
    EXPECT_FALSE(window_metric_value(w, "api_2xx_p99").has_value());  // no 2xx samples
    EXPECT_FALSE(window_metric_value(w, "completion_p99").has_value());
}

TEST(metric_catalog, formats_each_unit) {
    EXPECT_EQ(format_metric(*find_builtin_metric("api_all_p99"), 812'300), "812.3 ms");
    EXPECT_EQ(format_metric(*find_builtin_metric("api_all_p99"), 4'100), "4.10 ms");
    EXPECT_EQ(format_metric(*find_builtin_metric("completion_p99"), 12'300'000), "12.3 s");
    EXPECT_EQ(format_metric(*find_builtin_metric("availability"), 0.99999), "99.9990%");
    EXPECT_EQ(format_metric(*find_builtin_metric("achieved_per_s"), 199.96), "200.0/s");
    EXPECT_EQ(format_metric(*find_builtin_metric("lost"), 3), "3");
    EXPECT_EQ(format_metric("orders_paid", 41), "41");
    EXPECT_EQ(format_metric("ratio", 0.1234), "0.123");
}

TEST(repetition_order, alternates_so_drift_hits_both_modes_alike) {
    const std::vector<mode> both{mode::sync, mode::async};
    EXPECT_EQ(repetition_order(both, 1), both);
    EXPECT_EQ(repetition_order(both, 2), (std::vector<mode>{mode::async, mode::sync}));
    EXPECT_EQ(repetition_order(both, 3), both);
}

TEST(merge_repetitions, one_repetition_is_that_run) {
    const auto only = repetition(100, 5000, 0, 99);
    const auto merged = merge_repetitions({only});
    EXPECT_EQ(merged.requests, 100u);
    EXPECT_EQ(merged.api_latency_all_us.p99_us, only.result.api_latency_all_us.p99_us);
    ASSERT_EQ(merged.repetitions.size(), 1u);
    EXPECT_TRUE(merged.warnings.empty());
}

// 90 answers at 1 ms in one repetition and 10 at 100 ms in the other: averaging the two p99s
// would say ~50 ms; the merged histogram knows 10% of all answers took 100 ms.
TEST(merge_repetitions, latencies_come_from_the_merged_histograms_and_counts_add_up) {
    const auto fast = repetition(90, 1000, 0, 90);
    const auto slow = repetition(10, 100'000, 2, 10, false);
    const auto merged = merge_repetitions({fast, slow});
    histogram expected;
    expected.record(1000, 90);
    expected.record(100'000, 10);
    EXPECT_EQ(merged.api_latency_all_us.p99_us, summarize(expected).p99_us);
    EXPECT_EQ(merged.api_latency_all_us.p50_us, summarize(expected).p50_us);
    EXPECT_EQ(merged.api_latency_all_us.count, 100u);
    EXPECT_EQ(merged.completion_latency_us.count, 100u);
    EXPECT_EQ(merged.requests, 100u);
    EXPECT_EQ(merged.reconciliation.lost, 2u);
    EXPECT_EQ(merged.reconciliation.accepted, 100u);
    EXPECT_DOUBLE_EQ(merged.availability, 1.0);
    EXPECT_DOUBLE_EQ(merged.achieved_per_s, 50.0);  // the median of 90 and 10
    EXPECT_DOUBLE_EQ(merged.metrics[0].value, 50.0);
    // Held only if it held every time; the failing repetition's figures are shown.
    ASSERT_EQ(merged.invariants.size(), 1u);
    EXPECT_FALSE(merged.invariants[0].passed);
    EXPECT_EQ(merged.invariants[0].observed, "repetition 2: 3 differ");
    EXPECT_FALSE(merged.valid);
    EXPECT_EQ(merged.invalid_reasons,
              (std::vector<std::string>{"repetition 2: the drain timed out"}));
    // Each repetition keeps its own metrics.
    ASSERT_EQ(merged.repetitions.size(), 2u);
    EXPECT_EQ(merged.repetitions[0].index, 1);
    EXPECT_EQ(merged.repetitions[1].index, 2);
    EXPECT_FALSE(merged.repetitions[1].valid);
    EXPECT_EQ(merged.repetitions[0].metrics.at("api_all_p99"),
              fast.result.api_latency_all_us.p99_us);
    EXPECT_EQ(merged.repetitions[1].metrics.at("lost"), 2.0);
    ASSERT_EQ(merged.warnings.size(), 1u);
    EXPECT_NE(merged.warnings[0].find("2 repetitions"), std::string::npos);
}

}  // namespace
}  // namespace asyncbench
