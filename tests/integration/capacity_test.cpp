// A very short capacity search end to end: lp-report's sync design has one ceiling, set by the
// LP system (64 workers x ~0.34 s a run: ~190/s), and the search must bracket it.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "harness/cli/capacity_command.hpp"
#include "tests/integration/run_support.hpp"

namespace asyncbench {
namespace {

TEST(capacity, brackets_the_sync_ceiling_that_lp_sets) {
    capacity_options options;
    options.run.scenario_path =
        std::string(ASYNCBENCH_SOURCE_DIR) + "/scenarios/lp-report/lp-report-ci.yaml";
    options.run.mode = "sync";
    const auto dir = test::fresh_dir("capacity-sync");
    options.run.out_dir = dir.string();
    options.start_rate = "100/s";
    options.max_rate = "800/s";
    options.precision = "25%";
    options.step = "3s";
    options.warmup = "1s";
    ASSERT_EQ(capacity_command(options), 0);

    const auto result = test::read_result(dir);
    ASSERT_TRUE(result.capacity.has_value());
    const auto& capacity = *result.capacity;
    ASSERT_EQ(capacity.modes.size(), 1u);
    const auto& sync = capacity.modes[0];
    EXPECT_EQ(sync.mode, "sync");
    ASSERT_TRUE(sync.completing.sustained_per_s.has_value()) << sync.stop_reason;
    ASSERT_TRUE(sync.completing.failed_per_s.has_value()) << sync.stop_reason;
    // 100/s is well within LP's ~190/s; 400/s is twice it.
    EXPECT_GE(*sync.completing.sustained_per_s, 100.0);
    EXPECT_LE(*sync.completing.failed_per_s, 400.0);
    EXPECT_LT(*sync.completing.sustained_per_s, *sync.completing.failed_per_s);
    EXPECT_LE(*sync.completing.failed_per_s, *sync.completing.sustained_per_s * 1.25 + 1);
    ASSERT_GE(capacity.steps.size(), 3u);
    for (const auto& step : capacity.steps) {
        if (step.completing) continue;
        EXPECT_FALSE(step.reasons.empty()) << step.offered_per_s;
        EXPECT_FALSE(step.bottleneck.empty()) << step.offered_per_s;
    }
    // The report leads with the ceilings.
    std::ifstream report(dir / "report.md");
    std::stringstream text;
    text << report.rdbuf();
    EXPECT_NE(text.str().find("## Capacity"), std::string::npos);
    EXPECT_NE(text.str().find("| sync | 1 | 100.0 |"), std::string::npos) << text.str();
}

}  // namespace
}  // namespace asyncbench
