// The pollers of a poll stage against a real SQLite table: they find every row once, run the
// stage for it (the statistics it aggregates are checked in the table they land in), count
// the rows a re-read window fetches again, make no request while paused, and show why real
// pollers re-read: a row committed behind the cursor is missed without a window and found
// with one. Waits are on the pollers' own progress (rows finished, rounds made), never on the
// clock, except for a generous deadline that only a hang would reach.
#include "harness/poll/poll_group.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "harness/config/scenario_loader.hpp"
#include "tests/unit/pg_test_support.hpp"
#include "tests/unit/redis_test_support.hpp"

namespace asyncbench {
namespace {

const char* const scenario_yaml = R"(name: polls
plugin: stats-stream
tables:
  events: {key: event_id, columns: {kind: text, amount: integer, recorded_at: written_at}}
  stats_by_kind: {key: kind, columns: {events: integer, amount: integer}}
workflow:
  - stage: record
    steps:
      - {name: store_event, db: {insert: events}}
  - stage: statistics
    placement: {sync: poll}
    poll: {from: {table: events}, cursor: recorded_at, every: 20ms, jitter: 0.5, limit: 7, reread: 0s}
    steps:
      - {name: count_event, db: {add: stats_by_kind, key: kind, column: events}}
      - {name: sum_amount, db: {add: stats_by_kind, key: kind, column: amount, by: amount}}
)";

scenario_config load() {
    auto loaded = load_scenario_text(scenario_yaml, "polls.yaml");
    if (auto* errors = std::get_if<std::vector<config_error>>(&loaded)) {
        for (const auto& e : *errors) ADD_FAILURE() << format_config_error(e);
        return {};
    }
    return std::get<scenario_config>(loaded);
}

// Waits until `done` holds; false after 20 s (a hang, not a slow machine).
template <typename Condition>
bool eventually(Condition done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

class poll_group_test : public ::testing::Test {
  protected:
    void SetUp() override {
        scenario_ = load();
        path_ = (std::filesystem::temp_directory_path() /
                 ("poll-group-" + std::to_string(::getpid()) + ".sqlite"))
                    .string();
        db_ = open_sqlite_store(path_);
        db_->create_tables(scenario_.tables);
        session_ = db_->open_session();
    }
    void TearDown() override {
        session_.reset();
        db_.reset();
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
    }

    void put_event(int n, const std::string& kind, std::int64_t amount, std::int64_t at_us) {
        session_->put_rows(*scenario_.table("events"), {{{"event_id", "evt-" + std::to_string(n)},
                                                         {"kind", kind},
                                                         {"amount", std::to_string(amount)},
                                                         {"recorded_at", std::to_string(at_us)}}});
    }
    std::map<std::string, row_values> stats() {
        std::map<std::string, row_values> by_kind;
        for (auto& row : session_->rows(*scenario_.table("stats_by_kind"))) {
            by_kind[row.at("kind")] = row;
        }
        return by_kind;
    }
    std::unique_ptr<poll_group> group() {
        return std::make_unique<poll_group>(
            poll_environment{scenario_, *db_, systems_, {}, {}, nullptr}, scenario_.workflow[1]);
    }

    scenario_config scenario_;
    std::string path_;
    std::unique_ptr<store> db_;
    std::unique_ptr<store_session> session_;
    system_directory systems_;
};

TEST_F(poll_group_test, every_row_is_found_once_and_aggregated_across_pages) {
    // 30 rows over pages of 7, two sharing a cursor value at a page boundary.
    for (int i = 0; i < 30; ++i)
        put_event(i, i % 3 == 0 ? "order" : "view", i, 1000 + i - (i == 7));
    auto pollers = group();
    pollers->start();
    ASSERT_TRUE(eventually([&] { return pollers->finished() >= 30; }));
    pollers->stop();
    EXPECT_EQ(pollers->finished(), 30u);
    const auto by_kind = stats();
    ASSERT_EQ(by_kind.size(), 2u);
    EXPECT_EQ(by_kind.at("order").at("events"), "10");
    EXPECT_EQ(by_kind.at("view").at("events"), "20");
    std::int64_t orders_amount = 0;
    for (int i = 0; i < 30; i += 3) orders_amount += i;
    EXPECT_EQ(by_kind.at("order").at("amount"), std::to_string(orders_amount));
    const auto counters = pollers->counters();
    EXPECT_GE(counters.requests, 5u);  // 30 rows in pages of 7: at least 5 pages
    EXPECT_GE(counters.rows, 30u);
    EXPECT_EQ(counters.failed_requests, 0u);
}

TEST_F(poll_group_test, a_paused_group_makes_no_request_until_resumed) {
    for (int i = 0; i < 5; ++i) put_event(i, "order", 1, 1000 + i);
    auto pollers = group();
    pollers->set_paused(true);
    pollers->start();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // ten periods
    EXPECT_EQ(pollers->counters().requests, 0u);
    EXPECT_EQ(pollers->finished(), 0u);
    pollers->set_paused(false);
    ASSERT_TRUE(eventually([&] { return pollers->finished() == 5; }));
    pollers->stop();
}

// A row stamped before the cursor but committed after the pollers passed it: what a re-read
// window is for. Without one it is never seen; with one it is, and the window's rows are
// counted as fetched again (not run again).
TEST_F(poll_group_test, a_late_row_is_missed_without_a_window) {
    for (int i = 0; i < 10; ++i) put_event(i, "order", 1, 1'000'000 + i * 1000);
    auto pollers = group();
    pollers->start();
    ASSERT_TRUE(eventually([&] { return pollers->finished() == 10; }));
    put_event(99, "late", 1, 1'000'000 + 4500);  // behind the cursor (1,009,000)
    const auto rounds = pollers->counters().rounds;
    ASSERT_TRUE(eventually([&] { return pollers->counters().rounds >= rounds + 3; }));
    pollers->stop();
    EXPECT_EQ(pollers->finished(), 10u);
    EXPECT_FALSE(stats().contains("late"));
}

TEST_F(poll_group_test, a_late_row_is_found_within_the_window_and_the_window_counted_again) {
    scenario_.workflow[1].poll->reread = std::chrono::milliseconds(10);  // 10,000 us
    for (int i = 0; i < 10; ++i) put_event(i, "order", 1, 1'000'000 + i * 1000);
    auto pollers = group();
    pollers->start();
    ASSERT_TRUE(eventually([&] { return pollers->finished() == 10; }));
    put_event(99, "late", 1, 1'000'000 + 4500);
    ASSERT_TRUE(eventually([&] { return pollers->finished() == 11; }));
    pollers->stop();
    EXPECT_EQ(stats().at("late").at("events"), "1");
    EXPECT_EQ(stats().at("order").at("events"), "10") << "re-read rows are not counted again";
    EXPECT_GT(pollers->counters().refetched, 0u);
}

// Ten users join a Redis queue and pollers placed with `poll` (a flow map) take them into a
// table; returns the pollers' counters, or nullopt when no Redis server is at hand (`why`).
std::optional<poll_counters> take_ten_from_a_queue(const std::string& poll, std::string& why) {
    const auto redis = testing_support::test_redis(why);
    if (!redis) return std::nullopt;
    auto loaded = load_scenario_text(R"(name: queue
plugin: coupon-rush
tables:
  taken: {key: request_id, columns: {user_id: text, at: written_at}}
redis:
  line: queue
workflow:
  - stage: join
    placement: {sync: inline, async: inline}
    steps: [{name: join, redis: {enqueue: line, member: user_id}}]
  - stage: take
    placement: {sync: poll, async: none}
    poll: )" + poll + R"(
    steps: [{name: take, db: {insert: taken}}]
)",
                                     "queue.yaml");
    if (!std::holds_alternative<scenario_config>(loaded)) {
        ADD_FAILURE() << "the test scenario does not load";
        return std::nullopt;
    }
    const auto scenario = std::get<scenario_config>(loaded);
    const auto path =
        (std::filesystem::temp_directory_path() / (testing_support::unique_test_name() + ".sqlite"))
            .string();
    auto db = open_sqlite_store(path);
    db->create_tables(scenario.tables);
    system_directory systems;
    const redis_target target{redis->url(), "ab:t:sync:"};
    workflow_executor executor(scenario, *db, systems, nullptr, target);
    for (int i = 0; i < 10; ++i) {
        work_item item;
        item.business_id = "r-" + std::to_string(i);
        item.payload = R"({"request_id":"r-)" + std::to_string(i) + R"(","user_id":"u-)" +
                       std::to_string(i) + R"("})";
        EXPECT_TRUE(executor.attempt_stage(scenario.workflow[0], item).ok());
    }
    poll_group pollers(poll_environment{scenario, *db, systems, target, {}, nullptr},
                       scenario.workflow[1]);
    pollers.start();
    EXPECT_TRUE(eventually([&] { return pollers.finished() >= 10; }));
    pollers.stop();
    EXPECT_EQ(pollers.finished(), 10u);
    auto session = db->open_session();
    const auto rows = session->rows(*scenario.table("taken"));
    EXPECT_EQ(rows.size(), 10u);
    for (const auto& row : rows) {
        EXPECT_EQ(row.at("user_id"), "u-" + row.at("request_id").substr(2));
    }
    session.reset();
    db.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    return pollers.counters();
}

// A Redis queue as the source (coupon-rush's scheduler): members are taken in position order,
// each with the request that queued it, in pages of `limit`, and each exactly once.
TEST(poll_group_redis, a_queue_is_read_by_position_with_the_requests_that_joined_it) {
    std::string why;
    const auto counters =
        take_ten_from_a_queue("{from: {redis: line}, every: 20ms, limit: 3}", why);
    if (!counters && !why.empty()) GTEST_SKIP() << why;
    ASSERT_TRUE(counters.has_value());
    EXPECT_GE(counters->requests, 4u);  // 10 members in pages of 3
}

// `pages: 1` (the seed's scheduler: a batch per period): each round takes one page, so ten
// members in pages of 3 need at least four rounds that found work, one request each.
TEST(poll_group_redis, pages_bounds_what_one_round_takes) {
    std::string why;
    const auto counters =
        take_ten_from_a_queue("{from: {redis: line}, every: 20ms, limit: 3, pages: 1}", why);
    if (!counters && !why.empty()) GTEST_SKIP() << why;
    ASSERT_TRUE(counters.has_value());
    EXPECT_GE(counters->rounds - counters->empty_rounds, 4u);
    EXPECT_LE(counters->requests, counters->rounds);
}

}  // namespace
}  // namespace asyncbench
