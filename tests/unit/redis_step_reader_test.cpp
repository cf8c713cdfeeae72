// The Redis keys a scenario declares (`redis:`, each a sorted_set, queue, state or channel) and
// the redis step's `keep` operation (harness/config/redis_step_reader.cpp): what it reads into
// redis_step, and each refusal with its key and line. zincrby and enqueue are in
// workflow_reader_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>

#include "harness/config/scenario_loader.hpp"
#include "tests/unit/loader_test_support.hpp"

namespace asyncbench {
namespace {

using testing_support::describe;
using testing_support::expect_error;

// Lines 1 to 9; the steps start on line 10.
const std::string base = R"(name: t
plugin: incident-alert
redis:
  incident_state: state
  incident_changes: channel
  ranking: sorted_set
workflow:
  - stage: notify
    steps:
)";

scenario_config loads(const std::string& steps) {
    auto loaded = load_scenario_text(base + steps, "t.yaml");
    if (auto* errors = std::get_if<std::vector<config_error>>(&loaded)) {
        ADD_FAILURE() << describe(*errors);
        return {};
    }
    return std::get<scenario_config>(loaded);
}

std::vector<config_error> errors_of(const std::string& text) {
    auto loaded = load_scenario_text(text, "t.yaml");
    if (std::holds_alternative<scenario_config>(loaded)) {
        ADD_FAILURE() << "expected errors, the file loaded:\n" << text;
        return {};
    }
    return std::get<std::vector<config_error>>(loaded);
}

TEST(redis_step_reader, reads_state_and_channel_keys_and_a_keep_step) {
    const auto config = loads(
        R"(      - {name: keep, redis: {keep: incident_state, entity: incident_id, version: version, publish: incident_changes}}
      - {name: quiet, redis: {keep: incident_state, entity: incident_id, version: version}}
)");
    ASSERT_EQ(config.redis.size(), 3u);
    EXPECT_EQ(config.redis[0].name, "incident_state");
    EXPECT_EQ(config.redis[0].kind, redis_key_spec::type::state);
    EXPECT_EQ(config.redis[1].name, "incident_changes");
    EXPECT_EQ(config.redis[1].kind, redis_key_spec::type::channel);
    EXPECT_EQ(config.redis[2].kind, redis_key_spec::type::sorted_set);
    EXPECT_TRUE(config.uses_redis());

    ASSERT_EQ(config.workflow.size(), 1u);
    ASSERT_EQ(config.workflow[0].steps.size(), 2u);
    const auto* keep = config.workflow[0].steps[0].as<redis_step>();
    ASSERT_NE(keep, nullptr);
    EXPECT_EQ(keep->op, redis_step::operation::keep);
    EXPECT_EQ(keep->key, "incident_state");
    EXPECT_EQ(keep->member, "incident_id");  // the entity
    EXPECT_EQ(keep->version, "version");
    EXPECT_EQ(keep->channel, "incident_changes");
    const auto* quiet = config.workflow[0].steps[1].as<redis_step>();
    ASSERT_NE(quiet, nullptr);
    EXPECT_EQ(quiet->op, redis_step::operation::keep);
    EXPECT_TRUE(quiet->channel.empty());  // publishes nothing
}

TEST(redis_step_reader, refuses_a_redis_key_of_no_known_kind) {
    const auto errors = errors_of(R"(name: t
plugin: incident-alert
redis:
  incident_state: hash
workflow:
  - stage: notify
    steps: [{name: n, redis: {keep: incident_state, entity: incident_id, version: version}}]
)");
    expect_error(errors, "redis.incident_state", 4,
                 "expected one of sorted_set|queue|state|channel");
}

TEST(redis_step_reader, a_keep_step_keeps_a_state_publishes_on_a_channel_and_takes_its_own_keys) {
    const auto errors = errors_of(
        base + R"(      - {name: a, redis: {keep: ranking, entity: incident_id, version: version}}
      - {name: b, redis: {keep: incident_state, entity: incident_id, version: version, publish: incident_state}}
      - {name: c, redis: {keep: incident_state, entity: incident_id, version: version, member: m}}
      - {name: d, redis: {keep: incident_state}}
      - {name: e, redis: {keep: incident_state, entity: incident_id, version: version, by: q}}
      - {name: f, redis: {keep: nope, entity: incident_id, version: version, publish: gone}}
)");
    expect_error(errors, "workflow[0].steps[0].redis.keep", 10,
                 "Redis key 'ranking' is not a state (declare it as ranking: state)");
    expect_error(errors, "workflow[0].steps[1].redis.publish", 11,
                 "Redis key 'incident_state' is not a channel");
    expect_error(errors, "workflow[0].steps[2].redis.member", 12,
                 "applies only to zincrby, enqueue");
    expect_error(errors, "workflow[0].steps[3].redis.entity", 13, "missing required key 'entity'");
    expect_error(errors, "workflow[0].steps[3].redis.version", 13,
                 "missing required key 'version'");
    expect_error(errors, "workflow[0].steps[4].redis.by", 14, "applies only to zincrby");
    expect_error(errors, "workflow[0].steps[5].redis.keep", 15,
                 "Redis key 'nope' is not declared in redis");
    expect_error(errors, "workflow[0].steps[5].redis.publish", 15,
                 "Redis key 'gone' is not declared in redis");
    // Every mistake at once, and nothing else.
    EXPECT_EQ(errors.size(), 8u) << describe(errors);
}

TEST(redis_step_reader, a_redis_step_does_one_operation) {
    const auto errors = errors_of(
        base + R"(      - {name: a, redis: {zincrby: ranking, member: m, keep: incident_state}}
      - {name: b, redis: {entity: incident_id, version: version}}
)");
    expect_error(errors, "workflow[0].steps[0].redis.keep", 10,
                 "a redis step does one of zincrby, enqueue, keep");
    expect_error(errors, "workflow[0].steps[1].redis", 11,
                 "expected one of zincrby, enqueue, keep naming a Redis key");
}

}  // namespace
}  // namespace asyncbench
