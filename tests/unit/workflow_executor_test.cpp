// Each step kind run by the one executor both modes share: db steps on declared tables (the
// guarded decrement's rejection included), call steps against a mock system, and the redis
// steps (zincrby idempotent and not, enqueue, keep) against a throwaway redis-server. Every
// effect is checked where it landed, not through the executor's own answer.
#include "harness/workflow/workflow_executor.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "harness/config/scenario_loader.hpp"
#include "harness/redis/redis_subscriber.hpp"
#include "mocks/mock_system.hpp"
#include "tests/unit/pg_test_support.hpp"
#include "tests/unit/redis_test_support.hpp"

namespace asyncbench {
namespace {

const char* const scenario_yaml = R"(name: steps
plugin: order-events
systems: {pay: {}}
tables:
  orders: {key: order_id, columns: {user_id: text, total_quantity: integer, status: text}}
  stock: {key: product_id, columns: {quantity: integer}}
redis:
  ranking: sorted_set
  line: queue
  incident_state: state
  incident_changes: channel
workflow:
  - stage: order
    steps:
      - {name: deduct, db: {decrement: stock, column: quantity, by: quantity, each: items, reject: out_of_stock}}
      - {name: create, db: {insert: orders, set: {status: created}}}
      - {name: pay, call: pay.charge, timeout: 2s}
      - {name: paid, db: {update: orders, set: {status: paid}}}
  - stage: rank
    steps:
      - {name: rank_once, redis: {zincrby: ranking, member: product_id, by: quantity, each: items}}
  - stage: rank_seed
    order: fan_out
    steps:
      - {name: rank_plain, redis: {zincrby: ranking, member: product_id, by: quantity, each: items, idempotent: false}}
  - stage: join
    order: fan_out
    steps:
      - {name: enqueue, redis: {enqueue: line, member: user_id, limit: 2, full: sold_out, taken: already_queued}}
  - stage: keep
    order: fan_out
    steps:
      - {name: keep_state, redis: {keep: incident_state, entity: incident_id, version: version, publish: incident_changes}}
)";

scenario_config load(const char* text) {
    auto loaded = load_scenario_text(text, "steps.yaml");
    if (auto* errors = std::get_if<std::vector<config_error>>(&loaded)) {
        std::string all;
        for (const auto& e : *errors) all += format_config_error(e) + "\n";
        ADD_FAILURE() << all;
        return {};
    }
    return std::get<scenario_config>(loaded);
}

work_item order(std::string id, std::int64_t p1, std::int64_t p2) {
    work_item item;
    item.business_id = id;
    item.kind = "order";
    item.payload = R"({"order_id":")" + id + R"(","user_id":"u-1","total_quantity":)" +
                   std::to_string(p1 + p2) + R"(,"items":[{"product_id":"p-1","quantity":)" +
                   std::to_string(p1) + R"(},{"product_id":"p-2","quantity":)" +
                   std::to_string(p2) + "}]}";
    return item;
}

class executor_steps : public ::testing::Test {
  protected:
    void SetUp() override {
        scenario_ = load(scenario_yaml);
        path_ = (std::filesystem::temp_directory_path() /
                 (testing_support::unique_test_name() + ".sqlite"))
                    .string();
        db_ = open_sqlite_store(path_);
        db_->create_tables(scenario_.tables);
        db_->open_session()->put_rows(*scenario_.table("stock"),
                                      {{{"product_id", "p-1"}, {"quantity", "5"}},
                                       {{"product_id", "p-2"}, {"quantity", "100"}}});
        system_spec pay;
        pay.name = "pay";
        mock_ = std::make_unique<mock_system>(pay);
        mock_->start();
        systems_["pay"] = network_endpoint{"127.0.0.1", mock_->port()};
    }
    void TearDown() override {
        mock_->stop();
        db_.reset();
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
    }
    std::map<std::string, std::string> row(const std::string& table, const std::string& key) {
        for (auto& r : db_->open_session()->rows(*scenario_.table(table))) {
            if (r.at(scenario_.table(table)->key) == key) return r;
        }
        return {};
    }

    scenario_config scenario_;
    std::string path_;
    std::unique_ptr<store> db_;
    std::unique_ptr<mock_system> mock_;
    system_directory systems_;
    step_error_tally errors_;
};

TEST_F(executor_steps, an_order_deducts_stock_creates_pays_and_marks_paid_once) {
    workflow_executor executor(scenario_, *db_, systems_, &errors_);
    const auto& stage = scenario_.workflow[0];
    auto first = executor.attempt_stage(stage, order("o-1", 2, 3));
    ASSERT_TRUE(first.ok()) << first.result.detail;
    EXPECT_EQ(row("stock", "p-1").at("quantity"), "3");
    EXPECT_EQ(row("stock", "p-2").at("quantity"), "97");
    EXPECT_EQ(row("orders", "o-1").at("status"), "paid");
    EXPECT_EQ(row("orders", "o-1").at("total_quantity"), "5");
    // Again (a redelivery, a client retry): every effect is already applied, nothing changes.
    ASSERT_TRUE(executor.attempt_stage(stage, order("o-1", 2, 3)).ok());
    EXPECT_EQ(row("stock", "p-1").at("quantity"), "3");
    EXPECT_EQ(mock_->calls()["charge"]["o-1"], 1u);
    EXPECT_EQ(db_->snapshot().duplicate_effects, 0u);
}

TEST_F(executor_steps, short_stock_is_a_rejection_that_writes_nothing_and_is_not_retried) {
    workflow_executor executor(scenario_, *db_, systems_, &errors_);
    std::atomic<bool> stop{false};
    // p-1 has 5: an order for 6 of it and 1 of p-2 is refused as a whole.
    auto run = executor.run_stage(scenario_.workflow[0], order("o-2", 6, 1), 5,
                                  std::chrono::milliseconds(1), std::chrono::milliseconds(1), stop);
    EXPECT_TRUE(run.rejected());
    EXPECT_EQ(run.result.detail, "out_of_stock");
    EXPECT_EQ(run.attempts, 1);  // final: no second attempt
    EXPECT_EQ(row("stock", "p-1").at("quantity"), "5");
    EXPECT_EQ(row("stock", "p-2").at("quantity"), "100");
    EXPECT_TRUE(row("orders", "o-2").empty());
    EXPECT_TRUE(mock_->calls()["charge"].empty());
    EXPECT_TRUE(errors_.most_frequent(10).empty());  // a business answer, not a step error
}

TEST_F(executor_steps, a_failing_call_is_a_failure_named_by_system_and_operation) {
    operation_spec down;
    down.outage = operation_spec::outage_kind::unavailable;
    mock_->set_operation("charge", down);
    workflow_executor executor(scenario_, *db_, systems_, &errors_);
    auto attempt = executor.attempt_stage(scenario_.workflow[0], order("o-3", 1, 1));
    EXPECT_EQ(attempt.result.outcome, step_result::status::failed);
    EXPECT_EQ(attempt.stopped_at, "pay");
    EXPECT_EQ(attempt.result.detail, "pay.charge answered 503");
    ASSERT_EQ(errors_.most_frequent(1).size(), 1u);
    EXPECT_EQ(errors_.most_frequent(1)[0].step, "pay");
}

TEST_F(executor_steps, the_idempotent_redis_step_counts_a_redelivery_once_the_plain_one_twice) {
    std::string why;
    const auto redis = testing_support::test_redis(why);
    if (!redis) GTEST_SKIP() << why;
    workflow_executor executor(scenario_, *db_, systems_, &errors_, {redis->url(), "ab:t:m:"});
    const auto item = order("o-4", 2, 3);
    for (int delivery = 0; delivery < 2; ++delivery) {
        ASSERT_TRUE(executor.attempt_stage(scenario_.workflow[1], item).ok());
    }
    auto client = redis_client::connect(redis->url(), std::chrono::seconds(2));
    EXPECT_EQ(client.command({"ZSCORE", "ab:t:m:ranking", "p-1"}).str, "2");
    EXPECT_EQ(client.command({"ZSCORE", "ab:t:m:ranking", "p-2"}).str, "3");
    for (int delivery = 0; delivery < 2; ++delivery) {
        ASSERT_TRUE(executor.attempt_stage(scenario_.workflow[2], item).ok());
    }
    // The seed's plain ZINCRBY: both deliveries counted, on top of the idempotent step's.
    EXPECT_EQ(client.command({"ZSCORE", "ab:t:m:ranking", "p-1"}).str, "6");
}

// A first-come queue: positions in arrival order, answered to the client; one place per
// member (another request for a queued member is refused, a retry of the same one is not);
// none beyond the limit.
TEST_F(executor_steps, the_enqueue_step_answers_positions_once_per_member_up_to_the_limit) {
    std::string why;
    const auto redis = testing_support::test_redis(why);
    if (!redis) GTEST_SKIP() << why;
    workflow_executor executor(scenario_, *db_, systems_, &errors_, {redis->url(), "ab:t:m:"});
    const auto& join = scenario_.workflow[3];
    auto as_user = [](std::string id, std::string user) {
        work_item item;
        item.business_id = std::move(id);
        item.payload = R"({"user_id":")" + user + R"("})";
        return item;
    };
    const auto first = executor.attempt_stage(join, as_user("r-1", "u-1"));
    ASSERT_TRUE(first.ok()) << first.result.detail;
    ASSERT_EQ(first.result.answer.size(), 1u);
    EXPECT_EQ(first.result.answer[0], (std::pair<std::string, std::int64_t>{"queue_position", 1}));
    EXPECT_EQ(executor.attempt_stage(join, as_user("r-2", "u-2")).result.answer[0].second, 2);
    // The same request again (a retry): its place, not a second one.
    EXPECT_EQ(executor.attempt_stage(join, as_user("r-1", "u-1")).result.answer[0].second, 1);
    const auto again = executor.attempt_stage(join, as_user("r-3", "u-1"));
    EXPECT_EQ(again.result.outcome, step_result::status::rejected);
    EXPECT_EQ(again.result.detail, "already_queued");
    const auto full = executor.attempt_stage(join, as_user("r-4", "u-4"));
    EXPECT_EQ(full.result.outcome, step_result::status::rejected);
    EXPECT_EQ(full.result.detail, "sold_out");
    auto client = redis_client::connect(redis->url(), std::chrono::seconds(2));
    EXPECT_EQ(client.command({"ZCARD", "ab:t:m:line"}).integer, 2);
    EXPECT_EQ(client.command({"HGET", "ab:t:m:line:requests", "u-2"}).str, "r-2");
    EXPECT_EQ(client.command({"HGET", "ab:t:m:line:payloads", "u-2"}).str, R"({"user_id":"u-2"})");
}

// An entity's current state: a change is kept and published unless the state holds a later
// version; a stale one is done without either, and a redelivered one is published again.
TEST_F(executor_steps, the_keep_step_keeps_and_publishes_a_change_unless_a_later_one_is_kept) {
    using namespace std::chrono_literals;
    std::string why;
    const auto redis = testing_support::test_redis(why);
    if (!redis) GTEST_SKIP() << why;
    workflow_executor executor(scenario_, *db_, systems_, &errors_, {redis->url(), "ab:t:m:"});
    // Subscribed before the first change: every message published from here on reaches it.
    auto subscriber = redis_subscriber::subscribe(redis->url(), "ab:t:m:incident_changes", 2s);
    const auto& keep = scenario_.workflow[4];
    auto change = [](std::string id, int version, std::string state) {
        work_item item;
        item.business_id = id;
        item.payload = R"({"change_id":")" + id + R"(","incident_id":"inc-1","version":)" +
                       std::to_string(version) + R"(,"state":")" + state + R"("})";
        return item;
    };
    const auto v2 = change("chg-2", 2, "acknowledged");
    const auto v1 = change("chg-1", 1, "open");
    ASSERT_TRUE(executor.attempt_stage(keep, v2).ok());
    ASSERT_TRUE(executor.attempt_stage(keep, v1).ok());  // stale: done, not an error
    auto client = redis_client::connect(redis->url(), 2s);
    EXPECT_EQ(client.command({"HGET", "ab:t:m:incident_state", "inc-1"}).str, v2.payload);
    EXPECT_EQ(client.command({"HGET", "ab:t:m:incident_state:versions", "inc-1"}).str, "2");
    EXPECT_EQ(subscriber.next(2s), v2.payload);

    // v2 redelivered: kept and published again. Messages arrive in publishing order, so the
    // next one being v2's shows that nothing was published for v1.
    ASSERT_TRUE(executor.attempt_stage(keep, v2).ok());
    EXPECT_EQ(subscriber.next(2s), v2.payload);
    EXPECT_EQ(subscriber.next(200ms), std::nullopt);
    EXPECT_EQ(client.command({"HGET", "ab:t:m:incident_state", "inc-1"}).str, v2.payload);

    // A change without its version cannot be ordered: a failure naming the fields.
    work_item unversioned;
    unversioned.business_id = "chg-x";
    unversioned.payload = R"({"incident_id":"inc-1","state":"open"})";
    const auto failed = executor.attempt_stage(keep, unversioned);
    EXPECT_EQ(failed.result.outcome, step_result::status::failed);
    EXPECT_NE(failed.result.detail.find("'incident_id' and an integer 'version'"),
              std::string::npos)
        << failed.result.detail;
    EXPECT_EQ(client.command({"HGET", "ab:t:m:incident_state", "inc-1"}).str, v2.payload);
}

TEST_F(executor_steps, a_redis_step_without_a_reachable_redis_fails_and_names_it) {
    workflow_executor executor(scenario_, *db_, systems_, &errors_,
                               {"redis://127.0.0.1:1", "ab:t:m:"});
    auto attempt = executor.attempt_stage(scenario_.workflow[1], order("o-5", 1, 1));
    EXPECT_EQ(attempt.result.outcome, step_result::status::failed);
    EXPECT_NE(attempt.result.detail.find("redis:"), std::string::npos) << attempt.result.detail;
}

}  // namespace
}  // namespace asyncbench
