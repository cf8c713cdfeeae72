// order-events end to end on the embedded defaults (mock Kafka cluster, SQLite, a throwaway
// redis-server): rejections identical in both modes, the ranking and the stock invariants, a
// data-platform outage isolated from async orders, and a killed consumer that breaks the seed's
// ranking while the idempotent default holds. No timing assertions beyond "during the outage
// sync failed and async did not".
#include <gtest/gtest.h>

#include "tests/integration/run_support.hpp"

namespace asyncbench {
namespace {

#ifndef ASYNCBENCH_EXE
#error "ASYNCBENCH_EXE must name the asyncbench binary (tests/CMakeLists.txt defines it)"
#endif

const std::string scenario_dir = std::string(ASYNCBENCH_SOURCE_DIR) + "/scenarios/order-events/";

struct order_run {
    int exit_code = -1;
    run_result result;
};

order_run run(const std::string& name, const std::string& scenario_path, const std::string& mode,
              const std::string& rate = "") {
    ::setenv("ASYNCBENCH_WORKER_EXE", ASYNCBENCH_EXE, 1);
    run_options options;
    options.scenario_path = scenario_path;
    options.mode = mode;
    options.overrides.quick = true;
    if (!rate.empty()) options.overrides.rate = rate;
    auto out = test::run_into("orders-" + name, options);
    return {out.exit_code, std::move(out.result)};
}

const invariant_result* invariant(const mode_result& m, const std::string& name) {
    return test::find_invariant(m, name);
}

double metric(const mode_result& m, const std::string& name) { return test::find_metric(m, name); }

TEST(order_events, both_modes_reject_the_same_orders_and_keep_every_invariant) {
    const auto out = run("both", scenario_dir + "order-events.yaml", "both");
    ASSERT_EQ(out.exit_code, 0);
    const auto& r = out.result;
    EXPECT_NE(r.environment.redis.find("redis-server"), std::string::npos) << r.environment.redis;
    for (const char* name : {"sync", "async"}) {
        SCOPED_TRACE(name);
        ASSERT_TRUE(r.modes.contains(name));
        const auto& m = r.modes.at(name);
        EXPECT_TRUE(m.valid);
        const auto& rec = m.reconciliation;
        EXPECT_EQ(rec.completed, rec.accepted);
        EXPECT_EQ(rec.lost + rec.pending + rec.duplicate_effects + rec.dead_lettered, 0u);
        // Out-of-stock orders are 409s: answers as designed, not errors.
        EXPECT_GT(m.rejected, 0u);
        EXPECT_EQ(m.errors.total(), 0u);
        EXPECT_EQ(m.api_latency_all_us.count, m.api_latency_2xx_us.count + m.rejected);
        EXPECT_DOUBLE_EQ(m.availability, 1.0);
        for (const char* check :
             {"ranking_matches_orders", "stock_never_negative", "stock_conserved"}) {
            const auto* i = invariant(m, check);
            ASSERT_NE(i, nullptr);
            EXPECT_TRUE(i->passed) << check << ": " << i->observed;
            EXPECT_TRUE(i->required);
        }
        // The scarce product sold out: the guard refused what was not there.
        EXPECT_EQ(metric(m, "scarce_product_units_left"), 0);
        // Stages: ranking and the data platform ran for every order that completed.
        ASSERT_EQ(m.stages.size(), 3u);
        EXPECT_EQ(m.stages[1].finished, m.stages[0].finished - m.stages[0].rejected);
        EXPECT_EQ(m.stages[2].finished, m.stages[1].finished);
    }
    // The same workload refused the same way: the discontinued product every time, the scarce
    // one once sold out (the order of arrival may differ, the count of units may not).
    EXPECT_GT(business_rejections(r.modes.at("sync")), 0u);
    EXPECT_EQ(metric(r.modes.at("sync"), "units_paid") > 0, true);
}

TEST(order_events, a_data_platform_outage_fails_sync_orders_while_async_orders_continue) {
    const auto dir = std::filesystem::temp_directory_path() / "asyncbench-orders-outage-file";
    std::filesystem::create_directories(dir);
    const auto file = dir / "order-events-short-outage.yaml";
    std::ofstream(file) << "extends: " << scenario_dir << "order-events.yaml\n"
                        << R"(name: order-events-short-outage
faults:
  - {name: data platform outage, kind: downstream_outage, target: dataplatform, outage: refuse,
     at: 3s, duration: 4s}
)";
    const auto out = run("outage", file.string(), "both", "60/s");
    EXPECT_EQ(out.exit_code, 0);
    const auto& sync = out.result.modes.at("sync");
    const auto& async = out.result.modes.at("async");
    ASSERT_EQ(sync.fault_impacts.size(), 1u);
    ASSERT_EQ(async.fault_impacts.size(), 1u);
    // Sync: the order is placed and paid, then the data platform refuses, so the request fails.
    EXPECT_LT(sync.fault_impacts[0].during.availability, 0.5);
    EXPECT_GT(sync.errors.status_5xx, 0u);
    // Async: orders keep succeeding; the platform's events wait in Kafka and arrive after.
    EXPECT_GE(async.fault_impacts[0].during.availability, 0.99);
    EXPECT_EQ(async.reconciliation.completed, async.reconciliation.accepted);
    EXPECT_EQ(async.reconciliation.dead_lettered, 0u);
    for (const auto& call : async.reconciliation.calls) {
        SCOPED_TRACE(call.system + "." + call.operation);
        EXPECT_EQ(call.ids_missing, 0u);
    }
    const auto* ranking = invariant(async, "ranking_matches_orders");
    ASSERT_NE(ranking, nullptr);
    EXPECT_TRUE(ranking->passed) << ranking->observed;
}

TEST(order_events, a_killed_consumer_breaks_the_seeds_ranking_and_not_the_idempotent_one) {
    const auto seed = run("crash-seed", scenario_dir + "order-events-crash-seed.yaml", "async");
    // The break is the finding the variant exists to show: exit 0, shown with its size.
    EXPECT_EQ(seed.exit_code, 0);
    const auto& broken = seed.result.modes.at("async");
    ASSERT_EQ(broken.faults.size(), 1u);
    EXPECT_TRUE(broken.faults[0].applied) << broken.faults[0].action;
    const auto* seed_ranking = invariant(broken, "ranking_matches_orders");
    ASSERT_NE(seed_ranking, nullptr);
    EXPECT_FALSE(seed_ranking->required);
    EXPECT_FALSE(seed_ranking->passed) << seed_ranking->observed;
    EXPECT_GT(metric(broken, "ranking_overcount_units"), 0);
    EXPECT_EQ(metric(broken, "ranking_undercount_units"), 0);

    const auto safe = run("crash", scenario_dir + "order-events-crash.yaml", "async");
    EXPECT_EQ(safe.exit_code, 0);
    const auto& held = safe.result.modes.at("async");
    ASSERT_EQ(held.faults.size(), 1u);
    EXPECT_TRUE(held.faults[0].applied) << held.faults[0].action;
    EXPECT_GT(held.reconciliation.redeliveries_absorbed, 0u);  // the same fault landed
    const auto* safe_ranking = invariant(held, "ranking_matches_orders");
    ASSERT_NE(safe_ranking, nullptr);
    EXPECT_TRUE(safe_ranking->required);
    EXPECT_TRUE(safe_ranking->passed) << safe_ranking->observed;
    EXPECT_EQ(metric(held, "ranking_overcount_units"), 0);
}

}  // namespace
}  // namespace asyncbench
