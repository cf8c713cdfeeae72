#include "harness/run/run_overrides.hpp"

#include <gtest/gtest.h>

namespace asyncbench {
namespace {

using namespace std::chrono_literals;

TEST(apply_overrides, rate_and_duration_replace_the_scenario_values) {
    scenario_config scenario;
    scenario.load.ramp = {{10, 1s}};
    scenario_overrides overrides;
    overrides.rate = "250/s";
    overrides.duration = "45s";
    EXPECT_TRUE(apply_overrides(scenario, overrides).empty());
    EXPECT_DOUBLE_EQ(scenario.load.rate_per_s, 250);
    EXPECT_TRUE(scenario.load.ramp.empty());
    EXPECT_EQ(scenario.load.duration, 45s);
}

TEST(apply_overrides, invalid_values_are_all_reported_and_change_nothing) {
    scenario_config scenario;
    scenario_overrides overrides;
    overrides.rate = "-5";
    overrides.duration = "soon";
    auto errors = apply_overrides(scenario, overrides);
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_NE(errors[0].find("--rate"), std::string::npos);
    EXPECT_NE(errors[1].find("--duration"), std::string::npos);
    EXPECT_DOUBLE_EQ(scenario.load.rate_per_s, 100);
}

TEST(apply_overrides, quick_bounds_every_phase) {
    scenario_config scenario;
    scenario.load.warmup = 30s;
    scenario.load.duration = 5min;
    scenario.load.requests = 20000;
    scenario.drain_timeout = 10min;
    scenario_overrides overrides;
    overrides.quick = true;
    apply_overrides(scenario, overrides);
    EXPECT_EQ(scenario.load.warmup, 2s);
    EXPECT_EQ(scenario.load.duration, 10s);
    EXPECT_EQ(scenario.load.requests, quick_max_requests);
    EXPECT_EQ(scenario.drain_timeout, 30s);
}

TEST(evaluate_slo, checks_each_mode_against_each_objective) {
    slo_spec slo;
    slo.api_p99 = 500ms;
    slo.min_availability = 0.99;
    run_result result;
    result.modes["sync"].api_latency_all_us.count = 10;
    result.modes["sync"].api_latency_all_us.p99_us = 900'000;
    result.modes["sync"].availability = 0.95;
    result.modes["async"].api_latency_all_us.count = 10;
    result.modes["async"].api_latency_all_us.p99_us = 12'000;
    result.modes["async"].availability = 1.0;
    evaluate_slo(slo, result);
    ASSERT_EQ(result.slo.size(), 4u);
    for (const auto& check : result.slo) {
        EXPECT_EQ(check.passed, check.mode == "async") << check.mode << " " << check.name;
    }
}

// The latency objective reads the all-answers view: slow failures count against it even when
// every 2xx answer was fast.
TEST(evaluate_slo, latency_objective_counts_every_answer) {
    slo_spec slo;
    slo.api_p99 = 500ms;
    run_result result;
    auto& mode = result.modes["sync"];
    mode.api_latency_2xx_us.count = 95;
    mode.api_latency_2xx_us.p99_us = 10'000;
    mode.api_latency_all_us.count = 100;
    mode.api_latency_all_us.p99_us = 1'000'000;
    evaluate_slo(slo, result);
    ASSERT_EQ(result.slo.size(), 1u);
    EXPECT_FALSE(result.slo[0].passed);
    EXPECT_EQ(result.slo[0].name, "api_p99 (all answers)");
    EXPECT_EQ(result.slo[0].observed, "1000.0 ms");
}

TEST(evaluate_slo, a_mode_without_answers_fails_its_latency_objective) {
    slo_spec slo;
    slo.api_p99 = 1s;
    run_result result;
    result.modes["sync"];
    evaluate_slo(slo, result);
    ASSERT_EQ(result.slo.size(), 1u);
    EXPECT_FALSE(result.slo[0].passed);
    EXPECT_EQ(result.slo[0].observed, "no answers");
}

}  // namespace
}  // namespace asyncbench
