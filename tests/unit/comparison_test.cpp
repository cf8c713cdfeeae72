// The comparison's verdict rule and exit status, on made-up repetitions whose answers are known in
// advance: fully separated 5 v 5 samples give the smallest two-sided p (2 / C(10, 5) = 0.0079),
// fully separated 4 v 4 give 2 / C(8, 4) = 0.0286, so only the minimum effect, the direction and
// the count of repetitions decide.
#include "harness/result/comparison.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "comparison_test_support.hpp"

namespace asyncbench {
namespace {

using namespace comparison_fixtures;

const gate p99_gate{"async", "completion_p99", metric_direction::lower_is_better, "test"};
const gate availability_gate{"sync", "availability", metric_direction::higher_is_better, "test"};

TEST(compare_samples, clearly_worse_with_five_a_side_is_worse) {
    const auto c = compare_samples(p99_gate, five_around_100, five_around_122, {});
    EXPECT_EQ(c.verdict, gate_verdict::worse);
    ASSERT_TRUE(c.p_value.has_value());
    EXPECT_NEAR(*c.p_value, 2.0 / 252, 1e-12);
    ASSERT_TRUE(c.change.has_value());
    EXPECT_NEAR(*c.change, (122.0 - 102.0) / 102.0, 1e-12);
    EXPECT_EQ(c.baseline.median, 102);
    EXPECT_EQ(c.candidate.min, 120);
    EXPECT_EQ(c.candidate.max, 124);
}

// Significant (every candidate value above every baseline value) but only +2.9%: a shift a
// shared runner produces by itself must not fail a build.
TEST(compare_samples, significant_but_under_the_minimum_effect_is_unchanged) {
    const auto c =
        compare_samples(p99_gate, {100, 100.5, 101, 101.5, 102}, {103, 103.5, 104, 104.5, 105}, {});
    ASSERT_TRUE(c.p_value.has_value());
    EXPECT_LT(*c.p_value, 0.05);
    EXPECT_NEAR(*c.change, 3.0 / 101, 1e-12);
    EXPECT_EQ(c.verdict, gate_verdict::unchanged);
    // The same samples with a 2% minimum effect are worse.
    compare_parameters strict;
    strict.min_effect = 0.02;
    EXPECT_EQ(compare_samples(p99_gate, {100, 100.5, 101, 101.5, 102},
                              {103, 103.5, 104, 104.5, 105}, strict)
                  .verdict,
              gate_verdict::worse);
}

TEST(compare_samples, a_big_change_with_four_a_side_is_not_enough_repetitions) {
    const auto c = compare_samples(p99_gate, {100, 101, 102, 103}, {200, 201, 202, 203}, {});
    EXPECT_EQ(c.verdict, gate_verdict::not_enough_repetitions);
    EXPECT_NEAR(*c.p_value, 2.0 / 70, 1e-12);  // shown, though no verdict rests on it
    // Five on one side is not enough either: both sides need five.
    EXPECT_EQ(compare_samples(p99_gate, five_around_100, {200, 201, 202, 203}, {}).verdict,
              gate_verdict::not_enough_repetitions);
}

TEST(compare_samples, clearly_lower_latency_is_better) {
    const auto c = compare_samples(p99_gate, five_around_122, five_around_100, {});
    EXPECT_EQ(c.verdict, gate_verdict::better);
    EXPECT_LT(*c.change, 0);
}

TEST(compare_samples, higher_is_better_metrics_are_worse_when_they_fall) {
    const std::vector<double> high{0.999, 0.998, 0.9995, 0.9985, 0.999};
    const std::vector<double> low{0.90, 0.91, 0.905, 0.895, 0.92};
    EXPECT_EQ(compare_samples(availability_gate, high, low, {}).verdict, gate_verdict::worse);
    EXPECT_EQ(compare_samples(availability_gate, low, high, {}).verdict, gate_verdict::better);
}

TEST(compare_samples, overlapping_noise_is_unchanged) {
    const auto c = compare_samples(p99_gate, {100, 110, 95, 105, 102}, {104, 98, 108, 101, 97}, {});
    EXPECT_EQ(c.verdict, gate_verdict::unchanged);
    EXPECT_GT(*c.p_value, 0.5);
}

TEST(compare_samples, alpha_is_the_significance_level) {
    compare_parameters strict;
    strict.alpha = 0.005;  // below 5 v 5's smallest p
    EXPECT_EQ(compare_samples(p99_gate, five_around_100, five_around_122, strict).verdict,
              gate_verdict::unchanged);
}

TEST(compare_samples, a_side_without_values_is_not_measured) {
    const auto c = compare_samples(p99_gate, five_around_100, {}, {});
    EXPECT_EQ(c.verdict, gate_verdict::not_measured);
    EXPECT_FALSE(c.p_value.has_value());
    EXPECT_FALSE(c.change.has_value());
    EXPECT_TRUE(std::isnan(c.candidate.median));
}

// A null in result.json reads back as NaN: that repetition has no value, so 5 become 4.
TEST(compare_samples, non_finite_values_are_dropped) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const auto c = compare_samples(p99_gate, five_around_100, {120, 121, nan, 123, 124}, {});
    EXPECT_EQ(c.candidate.values.size(), 4u);
    EXPECT_EQ(c.verdict, gate_verdict::not_enough_repetitions);
}

TEST(compare_samples, from_zero_is_beyond_any_relative_effect) {
    const gate backlog{"async", "peak_backlog", metric_direction::lower_is_better, "test"};
    const auto c = compare_samples(backlog, {0, 0, 0, 0, 0}, {5, 6, 7, 8, 9}, {});
    EXPECT_FALSE(c.change.has_value());
    EXPECT_EQ(c.verdict, gate_verdict::worse);
    EXPECT_EQ(*compare_samples(backlog, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}, {}).change, 0.0);
}

TEST(compare_runs, a_worse_gate_is_exit_1_and_invalid_repetitions_are_left_out) {
    run_result baseline = make_run();
    run_result candidate = make_run();
    set_metric(baseline, "async", "completion_p99", five_around_100);
    // Six repetitions, the sixth not valid and wildly low: left out, the rest is worse.
    set_metric(candidate, "async", "completion_p99", {120, 121, 122, 123, 124, 1});
    candidate.modes.at("async").repetitions[5].valid = false;
    const auto c = compare_ok(baseline, candidate, {request("async.completion_p99")});
    ASSERT_EQ(c.metrics.size(), 1u);
    EXPECT_EQ(c.metrics[0].candidate.values.size(), 5u);
    EXPECT_EQ(c.metrics[0].verdict, gate_verdict::worse);
    EXPECT_EQ(c.status, exit_status::finding);
    bool noted = false;
    for (const auto& n : c.notes) noted |= contains(n, "candidate async: repetition(s) 6 of 6");
    EXPECT_TRUE(noted);
}

TEST(compare_runs, correctness_is_worse_by_any_amount_without_statistics) {
    run_result baseline = make_run();
    run_result candidate = make_run();
    set_metric(baseline, "async", "lost", {0});
    set_metric(candidate, "async", "lost", {0, 0, 1});  // one request in three repetitions
    const auto c = compare_ok(baseline, candidate);
    EXPECT_TRUE(c.metrics.empty());
    EXPECT_EQ(c.status, exit_status::finding);
    ASSERT_EQ(c.correctness.size(), 6u);  // 3 checks x 2 modes
    const auto& lost = c.correctness[3];
    EXPECT_EQ(lost.mode, "async");
    EXPECT_EQ(lost.metric, "lost");
    EXPECT_EQ(lost.candidate_total, 1);
    EXPECT_EQ(lost.baseline_total, 0);
    EXPECT_TRUE(lost.worse());
}

TEST(compare_runs, correctness_already_broken_in_the_baseline_is_still_worse) {
    run_result baseline = make_run();
    run_result candidate = make_run();
    set_metric(baseline, "sync", "duplicate_effects", {4});
    set_metric(candidate, "sync", "duplicate_effects", {2});
    const auto c = compare_ok(baseline, candidate);
    EXPECT_EQ(c.status, exit_status::finding);
    EXPECT_EQ(c.correctness[1].metric, "duplicate_effects");
    EXPECT_EQ(c.correctness[1].baseline_total, 4);
    // The other way round, the candidate fixed it: nothing is worse.
    EXPECT_EQ(compare_ok(baseline, make_run()).status, exit_status::held);
}

TEST(compare_runs, an_invalid_run_with_nothing_worse_is_exit_3_and_says_which) {
    run_result baseline = make_run();
    run_result candidate = make_run();
    candidate.valid = false;
    candidate.modes.at("async").valid = false;
    candidate.modes.at("async").invalid_reasons = {"the drain timed out after 30 s"};
    const auto c = compare_ok(baseline, candidate);
    EXPECT_EQ(c.status, exit_status::untrustworthy);
    ASSERT_EQ(c.untrustworthy.size(), 1u);
    EXPECT_EQ(c.untrustworthy[0], "candidate: async: the drain timed out after 30 s");
    // Something worse outranks it: a finding is exit 1.
    set_metric(candidate, "sync", "lost", {2});
    EXPECT_EQ(compare_ok(baseline, candidate).status, exit_status::finding);
}

TEST(compare_runs, alpha_outside_zero_one_is_a_usage_error) {
    for (const double alpha : {0.0, 1.0, -0.1, std::numeric_limits<double>::quiet_NaN()}) {
        compare_parameters p;
        p.alpha = alpha;
        const auto r = compare_runs(compared(make_run(), "a"), compared(make_run(), "b"), {}, p);
        ASSERT_TRUE(std::holds_alternative<std::string>(r)) << alpha;
        EXPECT_TRUE(contains(std::get<std::string>(r), "--alpha")) << alpha;
    }
}

TEST(parse_min_effect, takes_a_percentage_only) {
    EXPECT_DOUBLE_EQ(std::get<double>(parse_min_effect("5%")), 0.05);
    EXPECT_DOUBLE_EQ(std::get<double>(parse_min_effect("2.5%")), 0.025);
    EXPECT_DOUBLE_EQ(std::get<double>(parse_min_effect("0%")), 0.0);
    for (const char* bad : {"0.05", "5", "-1%", "%", "five%", "5 %", "inf%", "5%%"}) {
        const auto r = parse_min_effect(bad);
        ASSERT_TRUE(std::holds_alternative<std::string>(r)) << bad;
        EXPECT_TRUE(contains(std::get<std::string>(r), "e.g. 5%")) << bad;
    }
}

}  // namespace
}  // namespace asyncbench
