// incident-alert end to end on the embedded defaults: both designs keep every accepted change
// (nothing lost on the Kafka side), every watcher ends with the right view when nothing goes
// wrong, polling loads the API while Pub/Sub does not, and the losses the faults cause are
// counted where they happen: subscribers away miss notifications and keep stale views, pollers
// away merely merge; Redis killed makes lookups fail and the subscribers reconnect, while the
// sync design, which does not use Redis, notices nothing. No timing assertions.
#include <gtest/gtest.h>

#include "tests/integration/run_support.hpp"

namespace asyncbench {
namespace {

using test::find_invariant;
using test::find_metric;

const std::string scenario_dir = std::string(ASYNCBENCH_SOURCE_DIR) + "/scenarios/incident-alert/";

run_options quick(const std::string& file) { return test::quick_run(scenario_dir + file); }

// What every run must show, fault or not: the accounting adds up and Kafka lost nothing.
void expect_counted_whole(const std::string& name, const mode_result& m) {
    SCOPED_TRACE(name);
    EXPECT_EQ(m.reconciliation.lost, 0u);
    EXPECT_EQ(m.reconciliation.duplicate_effects, 0u);
    EXPECT_GT(m.reconciliation.accepted, 0u);
    EXPECT_EQ(find_metric(m, "watch_pairs"), 50 * find_metric(m, "watch_changes"));
    EXPECT_EQ(find_metric(m, "watch_told") + find_metric(m, "watch_merged") +
                  find_metric(m, "watch_missed"),
              find_metric(m, "watch_pairs"));
    EXPECT_GT(find_metric(m, "lookups"), 0);
}

TEST(incident_alert, every_watcher_learns_every_change_and_only_polling_loads_the_api) {
    const auto out = test::run_into("incident-both", quick("incident-alert.yaml"));
    ASSERT_EQ(out.exit_code, 0);
    ASSERT_EQ(out.result.modes.size(), 2u);
    for (const auto& [name, m] : out.result.modes) {
        expect_counted_whole(name, m);
        EXPECT_EQ(m.reconciliation.completed, m.reconciliation.accepted);
        EXPECT_EQ(find_metric(m, "watch_missed"), 0);
        EXPECT_EQ(find_metric(m, "watch_views_wrong"), 0);
        const auto* views = find_invariant(m, "watcher_views_match_truth");
        ASSERT_NE(views, nullptr);
        EXPECT_TRUE(views->passed) << views->observed;
        EXPECT_EQ(find_metric(m, "lookup_failed"), 0);
    }
    const auto& sync = out.result.modes.at("sync");
    const auto& async = out.result.modes.at("async");
    EXPECT_GT(find_metric(sync, "watch_polls"), 0);
    EXPECT_GT(find_metric(sync, "watch_merged"), 0) << "changes 2.5 s apart, polls 5 s apart";
    EXPECT_EQ(find_metric(sync, "watch_notifications"), 0);
    EXPECT_EQ(find_metric(async, "watch_polls"), 0);
    EXPECT_EQ(find_metric(async, "watch_merged"), 0) << "a subscriber is told every change";
    EXPECT_GE(find_metric(async, "watch_notifications"), find_metric(async, "watch_pairs"))
        << "each measured change reached each subscriber (warm-up ones come on top)";
}

TEST(incident_alert, subscribers_away_miss_changes_pollers_away_do_not) {
    const auto out =
        test::run_into("incident-disconnect", quick("incident-alert-watcher-disconnect.yaml"));
    ASSERT_EQ(out.exit_code, 0);  // the broken views are expected (may_break)
    for (const auto& [name, m] : out.result.modes) {
        expect_counted_whole(name, m);
        ASSERT_EQ(m.faults.size(), 1u);
        EXPECT_TRUE(m.faults[0].applied) << m.faults[0].action;
    }
    const auto& sync = out.result.modes.at("sync");
    const auto& async = out.result.modes.at("async");
    EXPECT_EQ(find_metric(sync, "watch_missed"), 0);
    EXPECT_EQ(find_metric(sync, "watch_views_wrong"), 0);
    EXPECT_GT(find_metric(sync, "watch_reconnects"), 0);
    // Half of the subscribers were away for 4 s at 200 changes/s: they, and only they, missed.
    EXPECT_GT(find_metric(async, "watch_missed"), 0);
    EXPECT_EQ(find_metric(async, "watch_watchers_missing_any"), 25);
    const auto* views = find_invariant(async, "watcher_views_match_truth");
    ASSERT_NE(views, nullptr);
    EXPECT_FALSE(views->passed);
    EXPECT_FALSE(views->required);
    EXPECT_EQ(find_metric(async, "watch_views_wrong") > 0, !views->passed);
}

TEST(incident_alert, redis_killed_fails_lookups_and_resubscribes_and_sync_does_not_notice) {
    const auto out = test::run_into("incident-redis", quick("incident-alert-redis-down.yaml"));
    ASSERT_EQ(out.exit_code, 0);
    for (const auto& [name, m] : out.result.modes) {
        expect_counted_whole(name, m);
        ASSERT_EQ(m.faults.size(), 1u);
        EXPECT_TRUE(m.faults[0].applied) << m.faults[0].action;
        // Each accepted change was processed or, its attempts spent while Redis was away,
        // dead-lettered: accounted for either way.
        EXPECT_EQ(m.reconciliation.completed + m.reconciliation.dead_lettered,
                  m.reconciliation.accepted);
    }
    const auto& sync = out.result.modes.at("sync");
    const auto& async = out.result.modes.at("async");
    EXPECT_EQ(find_metric(sync, "watch_missed"), 0);
    EXPECT_EQ(find_metric(sync, "lookup_failed"), 0);
    EXPECT_EQ(sync.reconciliation.dead_lettered, 0u);
    // Lookups go to Redis to-be: 4 s without it at 50 lookups/s.
    EXPECT_GT(find_metric(async, "lookup_failed"), 0);
    // Every subscriber lost its connection and made a new one.
    EXPECT_GE(find_metric(async, "watch_reconnects"), 50);
    // A change dead-lettered while Redis was away was never published: every subscriber
    // missed it, and the count says so (more are missed when the backlog is published before
    // the subscribers are back).
    EXPECT_GE(find_metric(async, "watch_missed"),
              50.0 * static_cast<double>(async.reconciliation.dead_lettered));
    // Whatever was lost is counted against the truth, never hidden: a wrong view is a
    // broken invariant, and a broken one names its views.
    const auto* views = find_invariant(async, "watcher_views_match_truth");
    ASSERT_NE(views, nullptr);
    EXPECT_EQ(views->passed, find_metric(async, "watch_views_wrong") == 0);
}

}  // namespace
}  // namespace asyncbench
