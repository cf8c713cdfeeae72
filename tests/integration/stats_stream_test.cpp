// stats-stream end to end on the embedded defaults: the statistics equal the events in both
// modes (sync by polling the front door's read API, async from Kafka), nothing accepted is
// lost, the pollers' load is counted (and re-read rows with it) while the Kafka mode asks the
// source nothing, and the statistics system's outage (pollers or consumers stopped) is
// caught up after (the statistics still equal the events). No timing assertions.
#include <gtest/gtest.h>

#include "tests/integration/run_support.hpp"

namespace asyncbench {
namespace {

using test::find_invariant;
using test::find_metric;

const std::string scenario_dir = std::string(ASYNCBENCH_SOURCE_DIR) + "/scenarios/stats-stream/";

bool has_metric(const mode_result& m, const std::string& name) {
    for (const auto& x : m.metrics) {
        if (x.name == name) return true;
    }
    return false;
}

run_options quick(const std::string& file) { return test::quick_run(scenario_dir + file); }

TEST(stats_stream, statistics_equal_the_events_in_both_modes_and_only_polling_loads_the_source) {
    const auto out = test::run_into("stats-both", quick("stats-stream.yaml"));
    ASSERT_EQ(out.exit_code, 0);
    ASSERT_EQ(out.result.modes.size(), 2u);
    for (const auto& [name, m] : out.result.modes) {
        SCOPED_TRACE(name);
        EXPECT_EQ(m.reconciliation.lost, 0u);
        EXPECT_EQ(m.reconciliation.duplicate_effects, 0u);
        EXPECT_GT(m.reconciliation.accepted, 0u);
        EXPECT_EQ(m.reconciliation.completed, m.reconciliation.accepted);
        const auto* held = find_invariant(m, "statistics_match_events");
        ASSERT_NE(held, nullptr);
        EXPECT_TRUE(held->passed) << held->observed;
        EXPECT_EQ(find_metric(m, "events_counted"), find_metric(m, "events_stored"));
    }
    const auto& sync = out.result.modes.at("sync");
    const auto& async = out.result.modes.at("async");
    // Every stored row was fetched at least once through the read API; the 10 s window re-reads.
    EXPECT_GE(find_metric(sync, "poll_rows_fetched"), find_metric(sync, "events_stored"));
    EXPECT_GT(find_metric(sync, "poll_rows_refetched"), 0);
    EXPECT_GT(find_metric(sync, "poll_requests"), 0);
    EXPECT_EQ(find_metric(sync, "poll_requests_failed"), 0);
    EXPECT_FALSE(has_metric(async, "poll_requests")) << "async consumes Kafka, not the API";
}

TEST(stats_stream, the_outage_is_applied_in_both_modes_and_both_catch_up) {
    const auto out = test::run_into("stats-outage", quick("stats-stream-outage.yaml"));
    ASSERT_EQ(out.exit_code, 0);
    for (const auto& [name, m] : out.result.modes) {
        SCOPED_TRACE(name);
        ASSERT_EQ(m.faults.size(), 1u);
        EXPECT_TRUE(m.faults[0].applied) << m.faults[0].action;
        EXPECT_EQ(m.reconciliation.lost, 0u);
        EXPECT_EQ(m.reconciliation.completed, m.reconciliation.accepted);
        const auto* held = find_invariant(m, "statistics_match_events");
        ASSERT_NE(held, nullptr);
        EXPECT_TRUE(held->passed) << held->observed;
    }
}

}  // namespace
}  // namespace asyncbench
