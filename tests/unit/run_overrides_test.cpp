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

}  // namespace
}  // namespace asyncbench
