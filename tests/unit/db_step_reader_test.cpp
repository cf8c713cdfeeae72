// `db: {upsert: T, key: F, newer: C}` (harness/config/db_step_reader.cpp): the row a change
// writes is the one its field F names, replaced only by a greater integer C. What is read into
// db_step, and each refusal with its key and line. The other db operations are in
// workflow_reader_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>

#include "harness/config/scenario_loader.hpp"
#include "tests/unit/loader_test_support.hpp"

namespace asyncbench {
namespace {

using testing_support::describe;
using testing_support::expect_error;

// Lines 1 to 7; the steps start on line 8.
const std::string base = R"(name: t
plugin: incident-alert
tables:
  incidents: {key: incident_id, columns: {version: integer, state: text, updated_at: written_at}}
workflow:
  - stage: record
    steps:
)";

TEST(db_step_reader, reads_an_upsert_keyed_by_a_field_and_replaced_only_by_a_newer_version) {
    auto loaded = load_scenario_text(
        base + R"(      - {name: store, db: {upsert: incidents, key: incident_id, newer: version}}
      - {name: plain, db: {upsert: incidents}}
)",
        "t.yaml");
    ASSERT_TRUE(std::holds_alternative<scenario_config>(loaded))
        << describe(std::get<std::vector<config_error>>(loaded));
    const auto& steps = std::get<scenario_config>(loaded).workflow.at(0).steps;
    ASSERT_EQ(steps.size(), 2u);
    const auto* store = steps[0].as<db_step>();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->op, db_step::operation::upsert);
    EXPECT_EQ(store->table, "incidents");
    EXPECT_EQ(store->key, "incident_id");
    EXPECT_EQ(store->newer, "version");
    // Without them: the business id's row, replaced by every change.
    const auto* plain = steps[1].as<db_step>();
    ASSERT_NE(plain, nullptr);
    EXPECT_EQ(plain->op, db_step::operation::upsert);
    EXPECT_TRUE(plain->key.empty());
    EXPECT_TRUE(plain->newer.empty());
}

TEST(db_step_reader, newer_is_an_integer_column_of_the_table_and_only_for_an_upsert) {
    auto loaded =
        load_scenario_text(base + R"(      - {name: a, db: {upsert: incidents, newer: state}}
      - {name: b, db: {upsert: incidents, newer: priority}}
      - {name: c, db: {upsert: incidents, newer: updated_at}}
      - {name: d, db: {insert: incidents, newer: version}}
      - {name: e, db: {update: incidents, set: {state: open}, newer: version}}
)",
                           "t.yaml");
    ASSERT_TRUE(std::holds_alternative<std::vector<config_error>>(loaded));
    const auto& errors = std::get<std::vector<config_error>>(loaded);
    expect_error(errors, "workflow[0].steps[0].db.newer", 8,
                 "column 'state' of 'incidents' is not an integer column");
    expect_error(errors, "workflow[0].steps[1].db.newer", 9,
                 "table 'incidents' has no column 'priority'");
    // A written_at column orders writes, not an entity's changes.
    expect_error(errors, "workflow[0].steps[2].db.newer", 10,
                 "column 'updated_at' of 'incidents' is not an integer column");
    expect_error(errors, "workflow[0].steps[3].db.newer", 11, "applies only to upsert");
    expect_error(errors, "workflow[0].steps[4].db.newer", 12, "applies only to upsert");
    EXPECT_EQ(errors.size(), 5u) << describe(errors);
}

}  // namespace
}  // namespace asyncbench
