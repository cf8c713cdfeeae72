// The workflow's new keys and what the loader refuses: declared tables and Redis keys,
// step kinds, placement and stage order, invariants. Each refusal names file:line and key.
#include <gtest/gtest.h>

#include <algorithm>

#include "harness/config/scenario_loader.hpp"
#include "tests/unit/loader_test_support.hpp"

namespace asyncbench {
namespace {

using testing_support::describe;
using testing_support::expect_error;

// A scenario around `workflow_and_more` (indented YAML starting at column 0).
std::string scenario_text(const std::string& workflow_and_more) {
    return "name: t\nplugin: order-events\nsystems: {pay: {}}\n" + workflow_and_more;
}

std::vector<config_error> errors_of(const std::string& text) {
    auto loaded = load_scenario_text(text, "t.yaml");
    if (std::holds_alternative<scenario_config>(loaded)) {
        ADD_FAILURE() << "expected errors, the file loaded:\n" << text;
        return {};
    }
    return std::get<std::vector<config_error>>(loaded);
}

const std::string tables = R"(tables:
  orders: {key: order_id, columns: {user_id: text, status: text}}
  stock: {key: product_id, columns: {quantity: integer, label: text}}
redis:
  ranking: sorted_set
)";

TEST(workflow_reader, reads_every_step_kind_placement_and_order) {
    const auto loaded = load_scenario_text(scenario_text(tables + R"(workflow:
  - stage: order
    placement: {async: inline}
    steps:
      - {name: deduct, db: {decrement: stock, column: quantity, by: quantity, each: items, reject: out_of_stock}}
      - {name: create, db: {insert: orders, set: {status: created}}}
      - {name: pay, call: pay.charge, timeout: 2s}
      - {name: paid, db: {update: orders, set: {status: paid}}}
  - stage: rank
    steps:
      - {name: zincr, redis: {zincrby: ranking, member: product_id, by: quantity, each: items, idempotent: false}}
  - stage: send
    order: fan_out
    steps: [{name: up, db: {upsert: orders}}]
invariants:
  ranking_matches_orders: may_break
)"),
                                           "t.yaml");
    ASSERT_TRUE(std::holds_alternative<scenario_config>(loaded))
        << describe(std::get<std::vector<config_error>>(loaded));
    const auto& config = std::get<scenario_config>(loaded);
    ASSERT_EQ(config.tables.size(), 2u);
    EXPECT_EQ(config.tables[1].key, "product_id");
    EXPECT_EQ(config.tables[1].column("quantity")->kind, column_spec::type::integer);
    ASSERT_EQ(config.redis.size(), 1u);
    EXPECT_TRUE(config.uses_redis());
    const auto& order = config.workflow[0];
    EXPECT_EQ(order.where(mode::async), placement::inline_stage);
    EXPECT_EQ(order.where(mode::sync), placement::inline_stage);
    const auto* deduct = order.steps[0].as<db_step>();
    ASSERT_NE(deduct, nullptr);
    EXPECT_EQ(deduct->op, db_step::operation::decrement);
    EXPECT_EQ(deduct->column, "quantity");
    EXPECT_EQ(deduct->each, "items");
    EXPECT_EQ(deduct->reject_reason, "out_of_stock");
    EXPECT_EQ(order.steps[1].as<db_step>()->set.at("status"), "created");
    EXPECT_EQ(order.steps[2].as<call_step>()->timeout, std::chrono::seconds(2));
    const auto* rank = config.workflow[1].steps[0].as<redis_step>();
    ASSERT_NE(rank, nullptr);
    EXPECT_FALSE(rank->idempotent);
    EXPECT_EQ(rank->member, "product_id");
    EXPECT_EQ(config.workflow[1].order, stage_order::follows);
    EXPECT_EQ(config.workflow[1].where(mode::async), placement::kafka);
    EXPECT_EQ(config.workflow[2].order, stage_order::fan_out);
    EXPECT_TRUE(config.invariants_may_break.contains("ranking_matches_orders"));
}

TEST(workflow_reader, refuses_references_to_what_is_not_declared) {
    const auto errors = errors_of(scenario_text(tables + R"(workflow:
  - stage: s
    steps:
      - {name: a, db: {insert: nope}}
      - {name: b, db: {update: orders, set: {colour: red}}}
      - {name: c, db: {decrement: stock, column: label, by: q}}
      - {name: d, redis: {zincrby: other, member: m}}
      - {name: e, db: {update: orders}}
      - {name: f, db: {insert: orders, column: x}}
)"));
    expect_error(errors, "workflow[0].steps[0].db.insert", 12, "table 'nope' is not declared");
    expect_error(errors, "workflow[0].steps[1].db.set.colour", 13, "has no column 'colour'");
    expect_error(errors, "workflow[0].steps[2].db.column", 14, "is not an integer column");
    expect_error(errors, "workflow[0].steps[3].redis.zincrby", 15, "'other' is not declared");
    expect_error(errors, "workflow[0].steps[4].db", 16, "says what it sets");
    expect_error(errors, "workflow[0].steps[5].db.column", 17, "applies only to decrement");
}

TEST(workflow_reader, refuses_a_redis_step_without_redis) {
    const auto errors = errors_of(scenario_text(R"(workflow:
  - stage: s
    steps:
      - {name: d, redis: {zincrby: ranking, member: m}}
)"));
    expect_error(errors, "workflow[0].steps[0].redis.zincrby", 7, "a redis step needs Redis");
}

TEST(workflow_reader, refuses_an_inline_stage_after_a_kafka_stage_and_kafka_in_sync) {
    const auto errors = errors_of(scenario_text(R"(workflow:
  - stage: first
    steps: [{name: a, call: pay.x}]
  - stage: second
    placement: {async: inline, sync: kafka}
    steps: [{name: b, call: pay.y}]
)"));
    expect_error(errors, "workflow[1].placement", 8,
                 "runs inline in async mode after stage 'first'");
    expect_error(errors, "workflow[1].placement.sync", 8, "the sync mode has no Kafka");
}

TEST(workflow_reader, refuses_a_first_stage_that_fans_out_and_unknown_keys) {
    const auto errors = errors_of(scenario_text(R"(workflow:
  - stage: first
    order: fan_out
    steps: [{name: a, call: pay.x, retries: 3}]
  - stage: second
    order: sideways
    steps: [{name: b, call: pay.y}]
)"));
    expect_error(errors, "workflow[0].order", 6, "fan_out applies from the second stage on");
    expect_error(errors, "workflow[0].steps[0].retries", 7, "unknown key");
    expect_error(errors, "workflow[1].order", 9, "follows|fan_out");
}

TEST(workflow_reader, refuses_a_workflow_that_can_never_complete) {
    const auto errors = errors_of(scenario_text(tables + R"(workflow:
  - stage: s
    steps:
      - {name: a, db: {insert: orders}}
  - stage: t
    steps:
      - {name: b, db: {insert: orders}}
)"));
    expect_error(errors, "workflow[1].steps[0]", 15, "can never succeed");
}

TEST(workflow_reader, refuses_bad_table_declarations_and_unknown_invariants) {
    const auto errors = errors_of(scenario_text(R"(tables:
  effects: {key: id, columns: {a: text}}
  Bad-Name: {key: id, columns: {a: text}}
  t: {key: id, columns: {id: text, b: float}}
workflow:
  - stage: s
    steps: [{name: a, call: pay.x}]
invariants:
  no_such_check: may_break
  stock_never_negative: sometimes
)"));
    expect_error(errors, "tables.effects", 5, "one of the harness's own tables");
    expect_error(errors, "tables.Bad-Name", 6, "table names are a-z first");
    expect_error(errors, "tables.t.columns.id", 7, "not listed again");
    expect_error(errors, "tables.t.columns.b", 7, "text|integer");
    expect_error(errors, "invariants.no_such_check", 12, "checks no invariant 'no_such_check'");
    expect_error(errors, "invariants.stock_never_negative", 13, "required|may_break");
}

// ---------------------------------------------------------------------------------------------
// Poll stages (`placement: {<mode>: poll}` with `poll:`), `db: {add: ...}` and written_at.

// Lines 4 to 6 of the file (scenario_text adds three); the workflow starts on line 7.
const std::string poll_tables = R"(tables:
  events: {key: event_id, columns: {kind: text, amount: integer, recorded_at: written_at}}
  stats: {key: kind, columns: {events: integer, amount: integer, label: text}}
)";

scenario_config loads(const std::string& text) {
    auto loaded = load_scenario_text(text, "t.yaml");
    if (auto* errors = std::get_if<std::vector<config_error>>(&loaded)) {
        ADD_FAILURE() << describe(*errors);
        return {};
    }
    return std::get<scenario_config>(loaded);
}

TEST(workflow_reader, reads_a_poll_stage_every_poll_key_and_db_add) {
    const auto config = loads(scenario_text(poll_tables + R"(workflow:
  - stage: record
    steps: [{name: store, db: {insert: events}}]
  - stage: statistics
    placement: {sync: poll, async: kafka}
    poll:
      from: {table: events}
      cursor: recorded_at
      every: 250ms
      jitter: 0.5
      limit: 100
      reread: 2s
      instances: 4
    steps:
      - {name: count, db: {add: stats, key: kind, column: events}}
      - {name: sum, db: {add: stats, key: kind, column: amount, by: amount}}
)"));
    ASSERT_EQ(config.workflow.size(), 2u);
    EXPECT_EQ(config.tables[0].column("recorded_at")->kind, column_spec::type::written_at);
    EXPECT_EQ(config.tables[0].column("amount")->kind, column_spec::type::integer);
    EXPECT_FALSE(config.workflow[0].poll.has_value());
    const auto& stage = config.workflow[1];
    EXPECT_EQ(stage.where(mode::sync), placement::poll);
    EXPECT_EQ(stage.where(mode::async), placement::kafka);
    ASSERT_TRUE(stage.poll.has_value());
    EXPECT_EQ(stage.poll->source, poll_spec::source_kind::table);
    EXPECT_EQ(stage.poll->table, "events");
    EXPECT_EQ(stage.poll->cursor, "recorded_at");
    EXPECT_EQ(stage.poll->every, std::chrono::milliseconds(250));
    EXPECT_DOUBLE_EQ(stage.poll->jitter, 0.5);
    EXPECT_EQ(stage.poll->limit, 100);
    EXPECT_EQ(stage.poll->pages, 0);  // until a short page
    EXPECT_EQ(stage.poll->reread, std::chrono::seconds(2));
    EXPECT_EQ(stage.poll->instances, 4);
    const auto* count = stage.steps[0].as<db_step>();
    ASSERT_NE(count, nullptr);
    EXPECT_EQ(count->op, db_step::operation::add);
    EXPECT_EQ(count->table, "stats");
    EXPECT_EQ(count->key, "kind");
    EXPECT_EQ(count->column, "events");
    EXPECT_TRUE(count->by.empty());  // one per event
    const auto* sum = stage.steps[1].as<db_step>();
    ASSERT_NE(sum, nullptr);
    EXPECT_EQ(sum->column, "amount");
    EXPECT_EQ(sum->by, "amount");
}

TEST(workflow_reader, a_poll_stage_without_optional_keys_takes_the_defaults) {
    const auto config = loads(scenario_text(poll_tables + R"(workflow:
  - stage: record
    placement: {async: inline}
    steps: [{name: store, db: {insert: events}}]
  - stage: statistics
    placement: {sync: poll, async: poll}
    poll: {from: {api: events}, cursor: recorded_at}
    steps: [{name: count, db: {add: stats, key: kind, column: events}}]
)"));
    ASSERT_EQ(config.workflow.size(), 2u);
    const auto& stage = config.workflow[1];
    EXPECT_EQ(stage.where(mode::sync), placement::poll);
    EXPECT_EQ(stage.where(mode::async), placement::poll);
    ASSERT_TRUE(stage.poll.has_value());
    const poll_spec defaults;
    EXPECT_EQ(stage.poll->source, poll_spec::source_kind::api);
    EXPECT_EQ(stage.poll->table, "events");
    EXPECT_EQ(stage.poll->every, std::chrono::seconds(5));
    EXPECT_DOUBLE_EQ(stage.poll->jitter, 0.1);
    EXPECT_EQ(stage.poll->limit, 500);
    EXPECT_EQ(stage.poll->reread, std::chrono::milliseconds(0));
    EXPECT_EQ(stage.poll->instances, 1);
    // The documented defaults are the struct's.
    EXPECT_EQ(stage.poll->every, defaults.every);
    EXPECT_EQ(stage.poll->limit, defaults.limit);
}

TEST(workflow_reader, a_poll_placement_and_a_poll_map_go_together) {
    const auto errors = errors_of(scenario_text(poll_tables + R"(workflow:
  - stage: record
    poll: {from: {api: events}, cursor: recorded_at}
    steps: [{name: store, db: {insert: events}}]
  - stage: statistics
    placement: {sync: poll}
    steps: [{name: count, db: {add: stats, key: kind, column: events}}]
)"));
    expect_error(errors, "workflow[0].poll", 9,
                 "stage 'record' is not polled in any mode: poll applies with placement");
    expect_error(errors, "workflow[1].placement", 12,
                 "stage 'statistics' is polled in sync mode: say where its pollers look");
    EXPECT_EQ(errors.size(), 2u) << describe(errors);
}

// `none`: a stage of one design the other lacks. Ordering rules skip it; a stage in no mode
// at all is refused.
TEST(workflow_reader, a_stage_can_be_absent_from_a_mode_but_not_from_every_mode) {
    const auto config = loads(scenario_text(R"(tables:
  orders: {key: order_id, columns: {status: text}}
workflow:
  - stage: queue
    placement: {sync: none, async: inline}
    steps: [{name: q, db: {insert: orders}}]
  - stage: claim
    placement: {sync: inline, async: none}
    steps: [{name: c, db: {upsert: orders}}]
  - stage: issue
    placement: {sync: none, async: kafka}
    steps: [{name: i, db: {update: orders, set: {status: issued}}}]
)"));
    ASSERT_EQ(config.workflow.size(), 3u);
    EXPECT_EQ(config.workflow[0].where(mode::sync), placement::none);
    EXPECT_EQ(config.workflow[1].where(mode::async), placement::none);
    const auto errors = errors_of(scenario_text(R"(workflow:
  - stage: ghost
    placement: {sync: none, async: none}
    steps: [{name: g, db: insert}]
)"));
    expect_error(errors, "workflow[0].placement", 6, "stage 'ghost' is none in every mode");
}

// Two systems polling one feed: the second fans out beside the first; without fan_out it would
// follow a poll stage, which publishes nothing to follow.
TEST(workflow_reader, poll_stages_can_fan_out_beside_each_other) {
    const std::string stages = R"(workflow:
  - stage: record
    steps: [{name: store, db: {insert: events}}]
  - stage: one
    placement: {sync: poll}
    poll: {from: {api: events}, cursor: recorded_at}
    steps: [{name: count, db: {add: stats, key: kind, column: events}}]
  - stage: two
    ORDER
    placement: {sync: poll}
    poll: {from: {table: events}, cursor: recorded_at}
    steps: [{name: count2, db: {add: stats, key: kind, column: amount, by: amount}}]
)";
    auto fanned = stages;
    fanned.replace(fanned.find("ORDER"), 5, "order: fan_out");
    const auto config = loads(scenario_text(poll_tables + fanned));
    ASSERT_EQ(config.workflow.size(), 3u);
    EXPECT_EQ(config.workflow[2].where(mode::sync), placement::poll);
    auto following = stages;
    following.replace(following.find("ORDER"), 5, "order: follows");
    const auto errors = errors_of(scenario_text(poll_tables + following));
    bool found = false;
    for (const auto& e : errors) {
        found = found || e.message.find(
                             "stage 'two' is polled in sync mode after stage 'one' "
                             "runs by pollers") != std::string::npos;
    }
    EXPECT_TRUE(found) << describe(errors);
}

TEST(workflow_reader, two_stages_read_one_table_through_the_api_by_one_cursor) {
    auto tables = poll_tables;
    tables.replace(tables.find("recorded_at: written_at"), 23,
                   "recorded_at: written_at, stamped_at: written_at");
    const auto errors = errors_of(scenario_text(tables + R"(workflow:
  - stage: record
    steps: [{name: store, db: {insert: events}}]
  - stage: one
    placement: {sync: poll}
    poll: {from: {api: events}, cursor: recorded_at}
    steps: [{name: count, db: {add: stats, key: kind, column: events}}]
  - stage: two
    order: fan_out
    placement: {sync: poll}
    poll: {from: {api: events}, cursor: stamped_at}
    steps: [{name: count2, db: {add: stats, key: kind, column: events}}]
)"));
    bool found = false;
    for (const auto& e : errors) {
        found =
            found || (e.key == "workflow[2].poll" &&
                      e.message.find("the API pages a table by one cursor") != std::string::npos);
    }
    EXPECT_TRUE(found) << describe(errors);
}

TEST(workflow_reader, refuses_a_poll_source_that_is_not_one_declared_table) {
    const auto errors = errors_of(scenario_text(poll_tables + R"(workflow:
  - stage: record
    steps: [{name: store, db: {insert: events}}]
  - stage: one
    placement: {sync: poll}
    poll: {from: {api: nope}, cursor: recorded_at}
    steps: [{name: a, call: pay.x}]
)"));
    expect_error(errors, "workflow[1].poll.from.api", 12,
                 "table 'nope' is not declared in tables (declared: events, stats)");

    const auto both = errors_of(scenario_text(poll_tables + R"(workflow:
  - stage: record
    steps: [{name: store, db: {insert: events}}]
  - stage: one
    placement: {sync: poll}
    poll:
      from: {api: events, table: events}
      cursor: recorded_at
    steps: [{name: a, call: pay.x}]
)"));
    expect_error(both, "workflow[1].poll.from", 13, "name one source");
}

TEST(workflow_reader, refuses_a_cursor_that_is_not_a_written_at_column) {
    for (const std::string cursor : {"amount", "kind", "missing"}) {
        const auto errors = errors_of(scenario_text(poll_tables + R"(workflow:
  - stage: record
    steps: [{name: store, db: {insert: events}}]
  - stage: one
    placement: {sync: poll}
    poll:
      from: {api: events}
      cursor: )" + cursor + R"(
    steps: [{name: a, call: pay.x}]
)"));
        expect_error(errors, "workflow[1].poll.cursor", 14,
                     "the cursor is a written_at column of 'events' (the time each row was "
                     "written); '" +
                         cursor + "' is not one");
    }
}

TEST(workflow_reader, refuses_poll_numbers_out_of_range) {
    const auto errors = errors_of(scenario_text(poll_tables + R"(workflow:
  - stage: record
    steps: [{name: store, db: {insert: events}}]
  - stage: one
    placement: {sync: poll}
    poll:
      from: {api: events}
      cursor: recorded_at
      every: 9ms
      jitter: 1.0
      limit: 0
      instances: 65
      reread: -1s
      colour: blue
      pages: -1
    steps: [{name: a, call: pay.x}]
)"));
    expect_error(errors, "workflow[1].poll.every", 15, "must be from 10ms");
    expect_error(errors, "workflow[1].poll.jitter", 16, "must be from 0 to 0.99, got 1.0");
    expect_error(errors, "workflow[1].poll.limit", 17, "must be an integer from 1 to 10000, got 0");
    expect_error(errors, "workflow[1].poll.instances", 18,
                 "must be an integer from 1 to 64, got 65");
    expect_error(errors, "workflow[1].poll.reread", 19, "durations cannot be negative");
    expect_error(errors, "workflow[1].poll.colour", 20, "unknown key");
    expect_error(errors, "workflow[1].poll.pages", 21,
                 "must be an integer from 0 to 10000, got -1");
    // Every mistake at once, and nothing else.
    EXPECT_EQ(errors.size(), 7u) << describe(errors);
}

TEST(workflow_reader, reads_a_page_bound_and_refuses_it_with_a_reread_window) {
    const auto errors = errors_of(scenario_text(poll_tables + R"(workflow:
  - stage: record
    steps: [{name: store, db: {insert: events}}]
  - stage: one
    placement: {sync: poll}
    poll: {from: {api: events}, cursor: recorded_at, pages: 1, reread: 2s}
    steps: [{name: a, call: pay.x}]
)"));
    ASSERT_EQ(errors.size(), 1u) << describe(errors);
    expect_error(errors, "workflow[1].poll.pages", 12, "use one or the other");
    // Without the window, a bound is read.
    const auto config = loads(scenario_text(poll_tables + R"(workflow:
  - stage: record
    steps: [{name: store, db: {insert: events}}]
  - stage: one
    placement: {sync: poll}
    poll: {from: {api: events}, cursor: recorded_at, limit: 1, pages: 2}
    steps: [{name: count, db: {add: stats, key: kind, column: events}}]
)"));
    ASSERT_EQ(config.workflow.size(), 2u);
    ASSERT_TRUE(config.workflow[1].poll.has_value());
    EXPECT_EQ(config.workflow[1].poll->pages, 2);
}

TEST(workflow_reader, only_inline_stages_come_before_a_poll_stage_and_no_kafka_after_one) {
    // async: first in Kafka, then polled.
    const auto after_kafka = errors_of(scenario_text(poll_tables + R"(workflow:
  - stage: record
    steps: [{name: store, db: {insert: events}}]
  - stage: statistics
    placement: {sync: poll, async: poll}
    poll: {from: {api: events}, cursor: recorded_at}
    steps: [{name: count, db: {add: stats, key: kind, column: events}}]
)"));
    expect_error(after_kafka, "workflow[1].placement", 11,
                 "stage 'statistics' is polled in async mode after stage 'record' runs in Kafka");
    EXPECT_EQ(after_kafka.size(), 1u) << describe(after_kafka);  // sync is fine

    // sync: polled, then a Kafka stage in async after a polled one.
    const auto kafka_after = errors_of(scenario_text(poll_tables + R"(workflow:
  - stage: record
    placement: {async: inline}
    steps: [{name: store, db: {insert: events}}]
  - stage: statistics
    placement: {sync: poll, async: poll}
    poll: {from: {api: events}, cursor: recorded_at}
    steps: [{name: count, db: {add: stats, key: kind, column: events}}]
  - stage: notify
    order: fan_out
    placement: {async: kafka}
    steps: [{name: n, call: pay.x}]
)"));
    expect_error(kafka_after, "workflow[2].placement", 17,
                 "stage 'notify' runs in Kafka in async mode after stage 'statistics' is polled: "
                 "a Kafka stage after a poll stage follows it directly");

    // Inline after a poll stage: the request has ended before a poller runs.
    const auto inline_after = errors_of(scenario_text(poll_tables + R"(workflow:
  - stage: record
    placement: {async: inline}
    steps: [{name: store, db: {insert: events}}]
  - stage: statistics
    placement: {sync: poll, async: inline}
    poll: {from: {api: events}, cursor: recorded_at}
    steps: [{name: count, db: {add: stats, key: kind, column: events}}]
  - stage: notify
    placement: {async: inline}
    steps: [{name: n, call: pay.x}]
)"));
    expect_error(inline_after, "workflow[2].placement", 16,
                 "stage 'notify' runs inline in sync mode after stage 'statistics' runs by "
                 "pollers");

    // A Kafka stage directly after a poll stage consumes what the pollers publish (a scheduler
    // handing queued work to Kafka); such a stage may hand on no steps of its own.
    const auto config = loads(scenario_text(poll_tables + R"(workflow:
  - stage: record
    placement: {sync: inline, async: inline}
    steps: [{name: store, db: {insert: events}}]
  - stage: schedule
    placement: {sync: none, async: poll}
    poll: {from: {table: events}, cursor: recorded_at}
    steps: []
  - stage: notify
    placement: {sync: none, async: kafka}
    steps: [{name: n, call: pay.x}]
)"));
    ASSERT_EQ(config.workflow.size(), 3u);
    EXPECT_TRUE(config.workflow[1].steps.empty());
}

TEST(workflow_reader, refuses_an_add_without_its_key_to_a_text_column_or_with_decrement_keys) {
    const auto errors = errors_of(scenario_text(poll_tables + R"(workflow:
  - stage: s
    steps:
      - {name: a, db: {add: stats, column: events}}
      - {name: b, db: {add: stats, key: kind, column: label}}
      - {name: c, db: {add: stats, key: kind, column: events, each: items}}
      - {name: d, db: {add: stats, key: kind, column: events, set: {label: x}}}
      - {name: e, db: {insert: events, key: kind}}
      - {name: f, db: {add: stats, key: kind}}
      - {name: g, db: {add: stats, key: kind, column: events, reject: nope}}
)"));
    expect_error(errors, "workflow[0].steps[0].db.key", 10, "missing required key 'key'");
    expect_error(errors, "workflow[0].steps[1].db.column", 11,
                 "column 'label' of 'stats' is not an integer column");
    expect_error(errors, "workflow[0].steps[2].db.each", 12, "applies only to decrement");
    expect_error(errors, "workflow[0].steps[3].db.set", 13,
                 "applies only to insert, upsert, update");
    expect_error(errors, "workflow[0].steps[4].db.key", 14, "applies only to upsert, add, claim");
    expect_error(errors, "workflow[0].steps[5].db.column", 15, "missing required key 'column'");
    expect_error(errors, "workflow[0].steps[6].db.reject", 16, "applies only to decrement");
}

// `db: {claim: ...}`: the stock's counter, the record table's two columns, the answers.
const std::string claim_tables = R"(tables:
  coupons: {key: coupon_id, columns: {remaining: integer, label: text}}
  issues: {key: request_id, columns: {coupon_id: text, user_id: text, at: written_at}}
)";

TEST(workflow_reader, reads_a_claim_with_its_answers_and_guard) {
    const auto config = loads(scenario_text(claim_tables + R"(workflow:
  - stage: issue
    steps:
      - {name: a, db: {claim: coupons, column: remaining, key: coupon_id, record: issues, per: user_id, reject: sold_out, taken: already_issued, guard: none}}
      - {name: b, db: {claim: coupons, column: remaining, key: coupon_id, record: issues, per: user_id}}
)"));
    ASSERT_EQ(config.workflow.size(), 1u);
    const auto* a = config.workflow[0].steps[0].as<db_step>();
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->op, db_step::operation::claim);
    EXPECT_EQ(a->table, "coupons");
    EXPECT_EQ(a->column, "remaining");
    EXPECT_EQ(a->key, "coupon_id");
    EXPECT_EQ(a->record, "issues");
    EXPECT_EQ(a->per, "user_id");
    EXPECT_EQ(a->reject_reason, "sold_out");
    EXPECT_EQ(a->taken_reason, "already_issued");
    EXPECT_TRUE(a->unguarded);
    const auto* b = config.workflow[0].steps[1].as<db_step>();
    ASSERT_NE(b, nullptr);
    EXPECT_FALSE(b->unguarded);  // locked unless it says none
    EXPECT_EQ(b->reject_reason, "rejected");
    EXPECT_EQ(b->taken_reason, "already_claimed");
}

TEST(workflow_reader, refuses_a_claim_that_could_not_work) {
    const auto errors = errors_of(scenario_text(claim_tables + R"(workflow:
  - stage: issue
    steps:
      - {name: a, db: {claim: coupons, column: label, key: coupon_id, record: issues, per: user_id}}
      - {name: b, db: {claim: coupons, column: remaining, key: coupon_id, record: nope, per: user_id}}
      - {name: c, db: {claim: coupons, column: remaining, key: coupon_id, record: issues, per: user}}
      - {name: d, db: {claim: coupons, column: remaining, key: coupon_id, record: issues, per: at}}
      - {name: e, db: {claim: coupons, column: remaining, key: coupon_id, record: issues, per: coupon_id}}
      - {name: f, db: {claim: coupons, column: remaining, key: coupon_id, record: issues}}
      - {name: g, db: {claim: coupons, column: remaining, key: coupon_id, record: issues, per: user_id, guard: maybe}}
      - {name: h, db: {claim: coupons, column: remaining, key: coupon_id, record: issues, per: user_id, each: items}}
)"));
    expect_error(errors, "workflow[0].steps[0].db.column", 10,
                 "column 'label' of 'coupons' is not an integer column");
    expect_error(errors, "workflow[0].steps[1].db.record", 11, "table 'nope' is not declared");
    expect_error(errors, "workflow[0].steps[2].db.per", 12, "table 'issues' has no column 'user'");
    expect_error(errors, "workflow[0].steps[3].db.per", 13, "is a written_at column");
    expect_error(errors, "workflow[0].steps[4].db.per", 14,
                 "the claimant and the stock row's key are different fields");
    expect_error(errors, "workflow[0].steps[5].db.per", 15, "missing required key 'per'");
    expect_error(errors, "workflow[0].steps[6].db.guard", 16, "expected one of locked|none");
    expect_error(errors, "workflow[0].steps[7].db.each", 17, "applies only to decrement");
}

// `redis: {enqueue: ...}` on a declared queue; each operation on its own kind of key.
TEST(workflow_reader, reads_an_enqueue_step_and_refuses_it_on_the_wrong_key) {
    const std::string keys = "redis:\n  line: queue\n  ranking: sorted_set\n";
    const auto config = loads(scenario_text(keys + R"(workflow:
  - stage: s
    steps:
      - {name: q, redis: {enqueue: line, member: user_id, limit: 1000, full: sold_out, taken: already_queued}}
)"));
    ASSERT_EQ(config.workflow.size(), 1u);
    const auto* q = config.workflow[0].steps[0].as<redis_step>();
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(q->op, redis_step::operation::enqueue);
    EXPECT_EQ(q->key, "line");
    EXPECT_EQ(q->member, "user_id");
    EXPECT_EQ(q->limit, 1000);
    EXPECT_EQ(q->full_reason, "sold_out");
    EXPECT_EQ(q->taken_reason, "already_queued");
    const auto errors = errors_of(scenario_text(keys + R"(workflow:
  - stage: s
    steps:
      - {name: a, redis: {enqueue: ranking, member: m}}
      - {name: b, redis: {zincrby: line, member: m}}
      - {name: c, redis: {enqueue: line, member: m, limit: -1}}
      - {name: d, redis: {enqueue: line, member: m, by: q}}
      - {name: e, redis: {zincrby: ranking, member: m, taken: x}}
)"));
    expect_error(errors, "workflow[0].steps[0].redis.enqueue", 10, "'ranking' is not a queue");
    expect_error(errors, "workflow[0].steps[1].redis.zincrby", 11, "'line' is not a sorted_set");
    expect_error(errors, "workflow[0].steps[2].redis.limit", 12, "from 0 to");
    expect_error(errors, "workflow[0].steps[3].redis.by", 13, "applies only to zincrby");
    expect_error(errors, "workflow[0].steps[4].redis.taken", 14, "applies only to enqueue");
}

}  // namespace
}  // namespace asyncbench
