// The scenarios in both modes on real infrastructure: a running Apache Kafka cluster and a
// PostgreSQL server, given by ASYNCBENCH_TEST_KAFKA (bootstrap servers) and
// ASYNCBENCH_TEST_POSTGRES (a postgres:// URL). scripts/test.sh starts both (a 3-broker KRaft
// cluster and a throwaway PostgreSQL) and sets them; without them these tests skip.
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/integration/run_support.hpp"

namespace asyncbench {
namespace {

class real_infrastructure : public ::testing::Test {
  protected:
    void SetUp() override {
        const char* kafka = std::getenv("ASYNCBENCH_TEST_KAFKA");
        const char* postgres = std::getenv("ASYNCBENCH_TEST_POSTGRES");
        if (!kafka || !postgres || !*kafka || !*postgres) {
            GTEST_SKIP() << "set ASYNCBENCH_TEST_KAFKA and ASYNCBENCH_TEST_POSTGRES (scripts/"
                            "test.sh starts both: scripts/kafka/start.sh, "
                            "scripts/postgres/start.sh)";
        }
        kafka_ = kafka;
        postgres_ = postgres;
    }

    run_result run(const std::string& scenario, const std::string& rate) {
        run_options options;
        options.scenario_path = std::string(ASYNCBENCH_SOURCE_DIR) + "/scenarios/" + scenario +
                                "/" + scenario + ".yaml";
        options.kafka = kafka_;
        options.database = postgres_;
        options.overrides.rate = rate;
        options.overrides.quick = true;
        auto out = test::run_into("real-" + scenario, options);
        EXPECT_EQ(out.exit_code, 0);
        return out.result;
    }

    static void expect_exactly_once(const run_result& result) {
        for (const auto* mode : {"sync", "async"}) {
            SCOPED_TRACE(mode);
            ASSERT_TRUE(result.modes.contains(mode));
            const auto& rec = result.modes.at(mode).reconciliation;
            EXPECT_GT(rec.accepted, 0u);
            EXPECT_EQ(rec.lost, 0u);
            EXPECT_EQ(rec.pending, 0u);
            EXPECT_EQ(rec.duplicate_effects, 0u);
            EXPECT_EQ(rec.completed, rec.accepted);
            for (const auto& call : rec.calls) {  // every system holds every record once
                SCOPED_TRACE(call.system);
                EXPECT_EQ(call.ids_missing, 0u);
                EXPECT_EQ(call.expected_calls, rec.completed);
            }
        }
    }

    std::string kafka_;
    std::string postgres_;
};

TEST_F(real_infrastructure, lp_report_on_kafka_and_postgres_loses_nothing) {
    auto result = run("lp-report", "50/s");
    EXPECT_EQ(result.environment.broker_kind, "external");
    EXPECT_NE(result.environment.database.find("PostgreSQL"), std::string::npos);
    expect_exactly_once(result);
}

// Redis is the embedded default (a throwaway redis-server), as a user running with --kafka and
// --db alone would get.
TEST_F(real_infrastructure, order_events_on_kafka_postgres_and_redis_keeps_its_invariants) {
    auto result = run("order-events", "60/s");
    expect_exactly_once(result);
    for (const auto* mode : {"sync", "async"}) {
        SCOPED_TRACE(mode);
        const auto& m = result.modes.at(mode);
        EXPECT_GT(m.rejected, 0u);
        ASSERT_EQ(m.invariants.size(), 3u);
        for (const auto& invariant : m.invariants) {
            EXPECT_TRUE(invariant.passed) << invariant.name << ": " << invariant.observed;
        }
    }
}

// The pollers read PostgreSQL through the front door's read API; the consumer reads Kafka.
TEST_F(real_infrastructure, stats_stream_statistics_equal_the_events_in_both_modes) {
    auto result = run("stats-stream", "100/s");
    expect_exactly_once(result);
    for (const auto* mode : {"sync", "async"}) {
        SCOPED_TRACE(mode);
        const auto* held = test::find_invariant(result.modes.at(mode), "statistics_match_events");
        ASSERT_NE(held, nullptr);
        EXPECT_TRUE(held->passed) << held->observed;
    }
    EXPECT_GT(test::find_metric(result.modes.at("sync"), "poll_requests"), 0);
}

TEST_F(real_infrastructure, hr_fanout_reaches_every_system_once_per_record) {
    auto result = run("hr-fanout", "200/s");
    expect_exactly_once(result);
    EXPECT_EQ(result.modes.at("async").reconciliation.calls.size(), 3u);
}

// As-is the dashboards poll PostgreSQL through the front door; to-be a consumer of the real
// cluster keeps the state in Redis and publishes each change to them.
TEST_F(real_infrastructure, incident_alert_tells_every_watcher_every_change_in_both_modes) {
    auto result = run("incident-alert", "100/s");
    expect_exactly_once(result);
    for (const auto* mode : {"sync", "async"}) {
        SCOPED_TRACE(mode);
        const auto& m = result.modes.at(mode);
        const auto* views = test::find_invariant(m, "watcher_views_match_truth");
        ASSERT_NE(views, nullptr);
        EXPECT_TRUE(views->passed) << views->observed;
        EXPECT_EQ(test::find_metric(m, "watch_missed"), 0);
        EXPECT_GT(test::find_metric(m, "lookups"), 0);
        EXPECT_EQ(test::find_metric(m, "lookup_failed"), 0);
    }
    EXPECT_GT(test::find_metric(result.modes.at("sync"), "watch_polls"), 0);
}

}  // namespace
}  // namespace asyncbench
