#include "harness/watch/watcher_group.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "harness/redis/redis_client.hpp"
#include "tests/unit/redis_test_support.hpp"

// Subscribing watchers against a real redis-server (skipped, saying why, without one): what
// they see, what they miss while away, and what a re-read on reconnecting recovers, judged by
// tally_watchers. The polling watchers go through the front door; the incident-alert
// integration tests run them.
namespace asyncbench {
namespace {

using namespace std::chrono_literals;

constexpr const char* prefix = "t:";

scenario_config subscribers(int count, bool reread) {
    scenario_config scenario;
    scenario.name = "watchers";
    scenario.redis = {{"state", redis_key_spec::type::state},
                      {"changes", redis_key_spec::type::channel}};
    scenario.watchers.count = count;
    scenario.watchers.entity = "incident_id";
    scenario.watchers.version = "version";
    scenario.watchers.state = "state";
    auto& plan = scenario.watchers.plans[static_cast<std::size_t>(mode::async)];
    plan.method = watch_method::subscribe;
    plan.channel = "changes";
    if (reread) plan.state = "state";
    return scenario;
}

std::string change(int version, const char* state) {
    return fmt::format(R"({{"incident_id":"inc-1","version":{},"state":"{}"}})", version, state);
}

// Waits (at most 5 s) until `done`; false when it never was.
bool eventually(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

class watcher_group_test : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string why;
        redis_ = testing_support::test_redis(why);
        if (!redis_) GTEST_SKIP() << why;
        client_.emplace(redis_client::connect(redis_->url(), 2s));
    }

    // What the pipeline's keep step does: the state first, then the change published.
    void keep_and_publish(int version, const char* state, bool publish = true) {
        const auto json = change(version, state);
        client_->command({"HSET", std::string(prefix) + "state", "inc-1", json});
        if (publish) client_->command({"PUBLISH", std::string(prefix) + "changes", json});
    }

    std::unique_ptr<watcher_group> start(const scenario_config& scenario) {
        auto group = std::make_unique<watcher_group>(
            watch_environment{scenario, mode::async, {}, redis_target{redis_->url(), prefix}});
        EXPECT_EQ(group->start(5s), scenario.watchers.count);
        return group;
    }

    std::unique_ptr<redis_service> redis_;
    std::optional<redis_client> client_;
};

const std::vector<watched_change> three_changes{
    {"inc-1", 1, "open", 0}, {"inc-1", 2, "acknowledged", 0}, {"inc-1", 3, "resolved", 0}};

TEST_F(watcher_group_test, subscribers_away_miss_what_was_published_meanwhile) {
    const auto scenario = subscribers(3, false);
    auto group = start(scenario);
    keep_and_publish(1, "open");
    ASSERT_TRUE(eventually([&] { return group->counters().notifications == 3; }));
    EXPECT_EQ(group->disconnect(0.5), 2);  // ceil(1.5): watchers 0 and 1
    ASSERT_TRUE(eventually([&] { return group->connected() == 1; }));
    keep_and_publish(2, "acknowledged");
    keep_and_publish(3, "resolved");
    ASSERT_TRUE(eventually([&] { return group->counters().notifications == 5; }));
    group->reconnect();
    ASSERT_TRUE(eventually([&] { return group->connected() == 3; }));
    group->stop();

    const auto logs = group->logs();
    ASSERT_EQ(logs.size(), 3u);
    EXPECT_EQ(logs[0].sightings.size(), 1u);
    EXPECT_EQ(logs[2].sightings.size(), 3u);
    const auto tally = tally_watchers(three_changes, logs);
    EXPECT_EQ(tally.told, 1u + 1u + 3u);
    EXPECT_EQ(tally.missed, 4u);  // versions 2 and 3, for each of the two away
    EXPECT_EQ(tally.merged, 0u);
    EXPECT_EQ(tally.watchers_wrong, 2u);
    EXPECT_EQ(group->counters().reconnects, 2u);
}

TEST_F(watcher_group_test, a_reread_on_reconnecting_recovers_the_state_as_merged_changes) {
    const auto scenario = subscribers(2, true);
    auto group = start(scenario);
    keep_and_publish(1, "open");
    ASSERT_TRUE(eventually([&] { return group->counters().notifications == 2; }));
    EXPECT_EQ(group->disconnect(0.5), 1);
    ASSERT_TRUE(eventually([&] { return group->connected() == 1; }));
    keep_and_publish(2, "acknowledged");
    keep_and_publish(3, "resolved");
    // Both changes reach the one still connected: 2 + 2 (waiting for 3 raced the second).
    ASSERT_TRUE(eventually([&] { return group->counters().notifications == 4; }));
    group->reconnect();
    ASSERT_TRUE(eventually([&] { return group->connected() == 2; }));
    ASSERT_TRUE(eventually([&] { return group->counters().rereads >= 3; }));  // 2 + 1 again
    group->stop();

    const auto logs = group->logs();
    ASSERT_EQ(logs[0].sightings.size(), 2u);
    EXPECT_EQ(logs[0].sightings[1].version, 3);
    EXPECT_EQ(logs[0].sightings[1].how, sighting_kind::snapshot);
    const auto tally = tally_watchers(three_changes, logs);
    EXPECT_EQ(tally.merged, 1u);  // version 2, replaced by 3 before watcher 0 looked
    EXPECT_EQ(tally.missed, 0u);
    EXPECT_EQ(tally.views_wrong, 0u);
}

TEST_F(watcher_group_test, subscribers_come_back_after_redis_restarts_and_see_what_follows) {
    if (!redis_->can_restart()) GTEST_SKIP() << "the test's Redis cannot be restarted";
    const auto scenario = subscribers(2, false);
    auto group = start(scenario);
    redis_->take_down(redis_service::stop_kind::kill);
    ASSERT_TRUE(eventually([&] { return group->connected() == 0; }));
    std::this_thread::sleep_for(300ms);  // longer than a retry's pause: some attempts fail
    redis_->bring_up();
    ASSERT_TRUE(eventually([&] { return group->connected() == 2; }));
    client_.emplace(redis_client::connect(redis_->url(), 2s));
    keep_and_publish(1, "open");
    ASSERT_TRUE(eventually([&] { return group->counters().notifications == 2; }));
    group->stop();
    EXPECT_EQ(group->counters().reconnects, 2u);
    EXPECT_GT(group->counters().connect_failures, 0u);  // it retried while Redis was away
    const auto tally = tally_watchers({three_changes[0]}, group->logs());
    EXPECT_EQ(tally.told, 2u);
}

TEST_F(watcher_group_test, a_message_without_entity_or_version_is_counted_malformed) {
    const auto scenario = subscribers(1, false);
    auto group = start(scenario);
    client_->command({"PUBLISH", std::string(prefix) + "changes", R"({"state":"open"})"});
    client_->command({"PUBLISH", std::string(prefix) + "changes", "not json"});
    ASSERT_TRUE(eventually([&] { return group->counters().malformed == 2; }));
    group->stop();
    EXPECT_TRUE(group->logs()[0].sightings.empty());
}

}  // namespace
}  // namespace asyncbench
