// The workflow's new keys and what the loader refuses: declared tables and Redis keys,
// step kinds, placement and stage order, invariants. Each refusal names file:line and key.
#include <gtest/gtest.h>

#include <algorithm>

#include "harness/config/scenario_loader.hpp"

namespace asyncbench {
namespace {

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

std::string describe(const std::vector<config_error>& errors) {
    std::string text;
    for (const auto& e : errors) text += format_config_error(e) + "\n";
    return text;
}

// The one error at `key` whose message contains `words`, on line `line`.
void expect_error(const std::vector<config_error>& errors, const std::string& key, int line,
                  const std::string& words) {
    const auto it = std::find_if(errors.begin(), errors.end(), [&](const config_error& e) {
        return e.key == key && e.message.find(words) != std::string::npos;
    });
    ASSERT_NE(it, errors.end()) << "no error at " << key << " saying '" << words << "'; got:\n"
                                << describe(errors);
    EXPECT_EQ(it->line, line) << describe(errors);
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

}  // namespace
}  // namespace asyncbench
