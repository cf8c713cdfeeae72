// `watchers:` and `lookups:` (harness/config/watch_reader.hpp): a scenario's observers and its
// read load, per mode, read into scenario_config; every reference checked against the declared
// tables and Redis keys, and each refusal named with its key and line.
#include "harness/config/watch_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "harness/config/scenario_loader.hpp"
#include "tests/unit/loader_test_support.hpp"

namespace asyncbench {
namespace {

using testing_support::describe;
using testing_support::expect_error;

using namespace std::chrono_literals;

// Lines 1 to 16; what a test appends starts on line 17.
const std::string base = R"(name: t
plugin: incident-alert
tables:
  incidents: {key: incident_id, columns: {version: integer, state: text, updated_at: written_at}}
redis:
  s: state
  c: channel
workflow:
  - stage: record
    placement: {sync: inline, async: none}
    steps:
      - {name: store, db: {upsert: incidents, key: incident_id, newer: version}}
  - stage: notify
    placement: {sync: none, async: kafka}
    steps:
      - {name: keep, redis: {keep: s, entity: incident_id, version: version, publish: c}}
)";

// The fields every watchers block names, on lines 18 to 20.
const std::string watched_fields = R"(watchers:
  entity: incident_id
  version: version
  state: state
)";

scenario_config loads(const std::string& more) {
    auto loaded = load_scenario_text(base + more, "t.yaml");
    if (auto* errors = std::get_if<std::vector<config_error>>(&loaded)) {
        ADD_FAILURE() << describe(*errors);
        return {};
    }
    return std::get<scenario_config>(loaded);
}

std::vector<config_error> errors_of(const std::string& more) {
    auto loaded = load_scenario_text(base + more, "t.yaml");
    if (std::holds_alternative<scenario_config>(loaded)) {
        ADD_FAILURE() << "expected errors, the file loaded:\n" << base + more;
        return {};
    }
    return std::get<std::vector<config_error>>(loaded);
}

TEST(watch_reader, the_base_scenario_has_no_watchers_and_no_lookups) {
    const auto config = loads("");
    EXPECT_EQ(config.watchers.count, 0);
    EXPECT_EQ(config.lookups.rate_per_s, 0);
}

TEST(watch_reader, reads_a_poll_plan_and_a_subscribe_plan_with_the_default_count) {
    const auto config =
        loads(watched_fields +
              R"(  sync: {poll: {from: {api: incidents}, cursor: updated_at, every: 5s, reread: 1s}}
  async: {subscribe: {channel: c, reread: s}}
)");
    const auto& watchers = config.watchers;
    EXPECT_EQ(watchers.count, 50);
    EXPECT_EQ(watchers.entity, "incident_id");
    EXPECT_EQ(watchers.version, "version");
    EXPECT_EQ(watchers.state, "state");

    const auto& poll = watchers.plan(mode::sync);
    EXPECT_EQ(poll.method, watch_method::poll);
    EXPECT_EQ(poll.poll.source, poll_spec::source_kind::api);
    EXPECT_EQ(poll.poll.table, "incidents");
    EXPECT_EQ(poll.poll.cursor, "updated_at");
    EXPECT_EQ(poll.poll.every, 5s);
    EXPECT_EQ(poll.poll.reread, 1s);
    const poll_spec defaults;
    EXPECT_DOUBLE_EQ(poll.poll.jitter, defaults.jitter);
    EXPECT_EQ(poll.poll.limit, defaults.limit);
    EXPECT_TRUE(poll.channel.empty());

    const auto& subscribe = watchers.plan(mode::async);
    EXPECT_EQ(subscribe.method, watch_method::subscribe);
    EXPECT_EQ(subscribe.channel, "c");
    EXPECT_EQ(subscribe.state, "s");
}

TEST(watch_reader, reads_a_count_and_a_subscription_that_never_rereads) {
    const auto config = loads(watched_fields + R"(  count: 7
  sync: {subscribe: {channel: c}}
  async: {subscribe: {channel: c}}
)");
    EXPECT_EQ(config.watchers.count, 7);
    for (mode m : all_modes) {
        EXPECT_EQ(config.watchers.plan(m).method, watch_method::subscribe);
        EXPECT_EQ(config.watchers.plan(m).channel, "c");
        EXPECT_TRUE(config.watchers.plan(m).state.empty());  // never re-read
    }
}

TEST(watch_reader, each_mode_names_exactly_one_method) {
    const auto missing = errors_of(watched_fields + R"(  sync: {subscribe: {channel: c}}
)");
    expect_error(missing, "watchers.async", 18, "missing required key 'async'");
    EXPECT_EQ(missing.size(), 1u) << describe(missing);

    const auto both = errors_of(watched_fields + R"(  sync: {subscribe: {channel: c}}
  async:
    subscribe: {channel: c}
    poll: {from: {api: incidents}, cursor: updated_at}
)");
    expect_error(both, "watchers.async", 23, "name one method: {poll: {...}}");
    EXPECT_EQ(both.size(), 1u) << describe(both);

    const auto none = errors_of(watched_fields + R"(  sync: {subscribe: {channel: c}}
  async: {}
)");
    expect_error(none, "watchers.async", 22, "name one method");
}

TEST(watch_reader, a_polling_watcher_reads_the_api_every_page_as_one_poller) {
    const auto errors = errors_of(watched_fields + R"(  sync:
    poll:
      from: {table: incidents}
      cursor: updated_at
      pages: 2
      instances: 3
  async: {subscribe: {channel: c}}
)");
    expect_error(errors, "watchers.sync.poll.from", 23, "watchers poll the API as dashboards do");
    expect_error(errors, "watchers.sync.poll.pages", 25, "not for watchers");
    expect_error(errors, "watchers.sync.poll.instances", 26, "not for watchers");
    EXPECT_EQ(errors.size(), 3u) << describe(errors);
}

TEST(watch_reader, a_poll_plan_is_checked_as_a_poll_stage_is) {
    const auto errors = errors_of(
        watched_fields + R"(  sync: {poll: {from: {api: incidents}, cursor: version, every: 1ms}}
  async: {subscribe: {channel: c}}
)");
    expect_error(errors, "watchers.sync.poll.cursor", 21, "the cursor is a written_at column");
    expect_error(errors, "watchers.sync.poll.every", 21, "must be from 10ms");
}

TEST(watch_reader, a_subscription_names_a_declared_channel_and_rereads_a_declared_state) {
    const auto errors = errors_of(watched_fields + R"(  sync:
    subscribe: {channel: s}
  async:
    subscribe: {channel: c, reread: nope}
)");
    expect_error(errors, "watchers.sync.subscribe.channel", 22,
                 "'s' is not declared as a channel under redis:");
    expect_error(errors, "watchers.async.subscribe.reread", 24,
                 "'nope' is not declared as a state under redis:");
    EXPECT_EQ(errors.size(), 2u) << describe(errors);

    // A channel re-read as a state is refused too: it holds no state.
    const auto channel_as_state = errors_of(watched_fields + R"(  sync: {subscribe: {channel: c}}
  async: {subscribe: {reread: c}}
)");
    expect_error(channel_as_state, "watchers.async.subscribe.channel", 22,
                 "missing required key 'channel'");
    expect_error(channel_as_state, "watchers.async.subscribe.reread", 22,
                 "'c' is not declared as a state");
}

TEST(watch_reader, refuses_a_count_out_of_range_and_missing_fields) {
    for (const char* count : {"0", "10001", "-3"}) {
        const auto errors = errors_of(watched_fields + "  count: " + count + R"(
  sync: {subscribe: {channel: c}}
  async: {subscribe: {channel: c}}
)");
        expect_error(errors, "watchers.count", 21, "must be an integer from 1 to 10000");
    }
    const auto fields = errors_of(R"(watchers:
  entity: incident_id
  colour: red
  sync: {subscribe: {channel: c}}
  async: {subscribe: {channel: c}}
)");
    expect_error(fields, "watchers.version", 18, "missing required key 'version'");
    expect_error(fields, "watchers.state", 18, "missing required key 'state'");
    expect_error(fields, "watchers.colour", 19, "unknown key");
}

// ---------------------------------------------------------------------------------------------
// `lookups:`

TEST(watch_reader, reads_lookups_from_a_table_in_one_mode_and_a_redis_state_in_the_other) {
    const auto config = loads(R"(lookups:
  rate: 50/s
  entity: incident_id
  sync: {table: incidents}
  async: {redis: s}
)");
    const auto& lookups = config.lookups;
    EXPECT_DOUBLE_EQ(lookups.rate_per_s, 50.0);
    EXPECT_EQ(lookups.entity, "incident_id");
    EXPECT_EQ(lookups.source(mode::sync).from, lookup_source::kind::table);
    EXPECT_EQ(lookups.source(mode::sync).name, "incidents");
    EXPECT_EQ(lookups.source(mode::async).from, lookup_source::kind::redis);
    EXPECT_EQ(lookups.source(mode::async).name, "s");
    EXPECT_EQ(config.watchers.count, 0);  // lookups need no watchers
}

TEST(watch_reader, lookups_name_a_declared_table_or_redis_state_at_a_rate) {
    const auto errors = errors_of(R"(lookups:
  entity: incident_id
  sync: {table: nope}
  async: {redis: c}
)");
    expect_error(errors, "lookups.rate", 18, "missing required key 'rate'");
    expect_error(errors, "lookups.sync.table", 19, "table 'nope' is not declared in tables");
    expect_error(errors, "lookups.async.redis", 20, "'c' is not declared as a state under redis:");
    EXPECT_EQ(errors.size(), 3u) << describe(errors);

    const auto more = errors_of(R"(lookups:
  rate: 50/s
  entity: incident_id
  sync: {table: incidents, redis: s}
  async: {redis: undeclared}
)");
    expect_error(more, "lookups.sync", 20, "name one source");
    expect_error(more, "lookups.async.redis", 21, "'undeclared' is not declared as a state");
    EXPECT_EQ(more.size(), 2u) << describe(more);
}

}  // namespace
}  // namespace asyncbench

namespace asyncbench {
namespace {

// The front door pages a table's feed by one cursor: two polling plans (or a plan and a poll
// stage) reading one table by different cursors are refused at the later one.
TEST(watch_reader, the_plans_read_a_table_through_the_api_by_one_cursor) {
    const std::string text = R"(name: t
plugin: incident-alert
tables:
  incidents: {key: incident_id, columns: {version: integer, state: text, updated_at: written_at, seen_at: written_at}}
workflow:
  - stage: record
    steps:
      - {name: store, db: {upsert: incidents, key: incident_id, newer: version}}
    placement: {sync: inline, async: inline}
watchers:
  entity: incident_id
  version: version
  state: state
  sync: {poll: {from: {api: incidents}, cursor: updated_at}}
  async: {poll: {from: {api: incidents}, cursor: seen_at}}
)";
    auto loaded = load_scenario_text(text, "t.yaml");
    ASSERT_TRUE(std::holds_alternative<std::vector<config_error>>(loaded));
    const auto& errors = std::get<std::vector<config_error>>(loaded);
    expect_error(errors, "watchers.async", 15,
                 "by cursor 'seen_at', the sync watchers by 'updated_at'");
    EXPECT_EQ(errors.size(), 1u) << describe(errors);
    std::string same = text;
    same.replace(same.find("cursor: seen_at"), 15, "cursor: updated_at");
    EXPECT_TRUE(std::holds_alternative<scenario_config>(load_scenario_text(same, "t.yaml")));
}

}  // namespace
}  // namespace asyncbench
