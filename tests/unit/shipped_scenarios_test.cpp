// The scenario files we ship: every one loads, and each variant differs from its base in
// what its header says it does.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "harness/config/scenario_loader.hpp"

namespace asyncbench {
namespace {

using namespace std::chrono_literals;

std::string errors_of(const load_result_t& result) {
    std::string text;
    if (const auto* errors = std::get_if<std::vector<config_error>>(&result)) {
        for (const auto& error : *errors) text += format_config_error(error) + "\n";
    }
    return text;
}

const stage_spec* stage_named(const scenario_config& scenario, const std::string& name) {
    for (const auto& stage : scenario.workflow) {
        if (stage.name == name) return &stage;
    }
    return nullptr;
}

scenario_config shipped(const std::string& relative) {
    const auto result =
        load_scenario(std::string(ASYNCBENCH_SOURCE_DIR) + "/scenarios/" + relative);
    if (!std::holds_alternative<scenario_config>(result)) {
        ADD_FAILURE() << relative << ":\n" << errors_of(result);
        return {};
    }
    return std::get<scenario_config>(result);
}

TEST(shipped_scenarios, every_file_loads_and_is_named_after_itself) {
    int files = 0;
    for (const auto& folder :
         std::filesystem::directory_iterator(std::string(ASYNCBENCH_SOURCE_DIR) + "/scenarios")) {
        if (!folder.is_directory()) continue;
        for (const auto& file : std::filesystem::directory_iterator(folder.path())) {
            if (file.path().extension() != ".yaml") continue;
            ++files;
            const auto relative =
                folder.path().filename().string() + "/" + file.path().filename().string();
            EXPECT_EQ(shipped(relative).name, file.path().stem().string()) << relative;
        }
    }
    EXPECT_GE(files, 12);
}

TEST(shipped_scenarios, lp_report_faults_variant_loads) {
    const auto config = shipped("lp-report/lp-report-faults.yaml");
    EXPECT_EQ(config.name, "lp-report-faults");
    EXPECT_EQ(config.plugin, "lp-report");
    ASSERT_EQ(config.faults.size(), 3u);
    EXPECT_EQ(config.faults[0].type, fault_spec::kind::downstream_outage);
    EXPECT_EQ(config.faults[1].type, fault_spec::kind::worker_crash);
    EXPECT_EQ(config.faults[2].type, fault_spec::kind::broker_down);
}

TEST(shipped_scenarios, stats_stream_outage_takes_the_statistics_stage_down) {
    const auto config = shipped("stats-stream/stats-stream-outage.yaml");
    EXPECT_EQ(config.plugin, "stats-stream");
    ASSERT_EQ(config.faults.size(), 1u);
    EXPECT_EQ(config.faults[0].type, fault_spec::kind::stage_down);
    EXPECT_EQ(config.faults[0].stage, "statistics");
    EXPECT_EQ(config.faults[0].at, 10s);
    EXPECT_EQ(config.faults[0].duration, 20s);
    // The outage ends inside the measured phase, so the catch-up is measured.
    EXPECT_LT(config.faults[0].at + config.faults[0].duration, config.load.duration);
}

// The seed's scheduler (one user a second) against the default's batches: only the schedule
// stage's poll and the drain differ; the burst, the queue and the claim are the same.
TEST(shipped_scenarios, coupon_rush_seed_literal_hands_on_one_user_a_second) {
    const auto base = shipped("coupon-rush/coupon-rush.yaml");
    const auto literal = shipped("coupon-rush/coupon-rush-seed-literal.yaml");
    const auto* schedule = stage_named(literal, "schedule");
    ASSERT_NE(schedule, nullptr);
    ASSERT_TRUE(schedule->poll.has_value());
    EXPECT_EQ(schedule->where(mode::async), placement::poll);
    EXPECT_EQ(schedule->poll->every, 1s);
    EXPECT_EQ(schedule->poll->limit, 1);
    EXPECT_EQ(schedule->poll->pages, 1);
    EXPECT_EQ(schedule->poll->jitter, 0.0);
    EXPECT_GE(literal.drain_timeout, 1000s) << "1,000 in stock at one a second";
    EXPECT_EQ(literal.load.requests, base.load.requests);
    EXPECT_EQ(literal.load.rate_per_s, base.load.rate_per_s);
    ASSERT_EQ(literal.workflow.size(), base.workflow.size());
    for (std::size_t i = 0; i < base.workflow.size(); ++i) {
        EXPECT_EQ(literal.workflow[i].name, base.workflow[i].name);
        EXPECT_EQ(literal.workflow[i].steps.size(), base.workflow[i].steps.size());
    }
}

}  // namespace
}  // namespace asyncbench
