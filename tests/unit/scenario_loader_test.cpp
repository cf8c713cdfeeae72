#include "harness/config/scenario_loader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>

#include "tests/unit/loader_test_support.hpp"

namespace asyncbench {
namespace {

using namespace std::chrono_literals;

#ifndef ASYNCBENCH_SOURCE_DIR
#error "ASYNCBENCH_SOURCE_DIR must name the source tree (CMake defines it for asyncbench_lib)"
#endif

std::string scenario_path(const std::string& name) {
    return std::string(ASYNCBENCH_SOURCE_DIR) + "/scenarios/" + name + "/" + name + ".yaml";
}

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string describe(const std::vector<config_error>& errors) {
    std::string text;
    for (const auto& error : errors) {
        text += format_config_error(error) + "\n";
    }
    return text;
}

scenario_config expect_config(const load_result_t& result) {
    if (const auto* errors = std::get_if<std::vector<config_error>>(&result)) {
        ADD_FAILURE() << "unexpected errors:\n" << describe(*errors);
        return {};
    }
    return std::get<scenario_config>(result);
}

std::vector<config_error> expect_errors(const load_result_t& result) {
    if (std::holds_alternative<scenario_config>(result)) {
        ADD_FAILURE() << "expected errors, the file loaded";
        return {};
    }
    return std::get<std::vector<config_error>>(result);
}

// The error at `key`, or a failure listing what was reported instead.
config_error error_at(const std::vector<config_error>& errors, const std::string& key) {
    const auto it = std::find_if(errors.begin(), errors.end(),
                                 [&](const config_error& e) { return e.key == key; });
    if (it == errors.end()) {
        ADD_FAILURE() << "no error at '" << key << "'; got:\n" << describe(errors);
        return {};
    }
    return *it;
}

// The smallest valid scenario; tests append the part they exercise.
const std::string minimal = R"(name: tiny
plugin: lp-report
workflow:
  - stage: only
    steps:
      - {name: save, db: insert}
)";

// The shipped files are tuned by their owners; these tests pin what defines each scenario
// (its systems, steps and latencies), not throughput knobs such as rate or partitions.
TEST(scenario_loader, loads_the_shipped_lp_report_scenario) {
    const auto config = expect_config(load_scenario(scenario_path("lp-report")));
    EXPECT_EQ(config.name, "lp-report");
    EXPECT_EQ(config.plugin, "lp-report");
    EXPECT_EQ(config.source_path, scenario_path("lp-report"));
    EXPECT_EQ(config.load.kind, load_spec::model::open);
    EXPECT_GT(config.load.rate_per_s, 0.0);
    EXPECT_EQ(config.async.topic, "asyncbench.lp-report");
    EXPECT_EQ(config.async.backoff_initial, 100ms);
    EXPECT_EQ(config.async.backoff_max, 5s);
    EXPECT_EQ(config.async.producer.at("linger.ms"), "5");
    EXPECT_EQ(config.async.consumer.at("max.poll.interval.ms"), "300000");

    ASSERT_EQ(config.systems.size(), 1u);
    const system_spec& lp = config.systems[0];
    EXPECT_EQ(lp.name, "lp");
    const operation_spec& run = lp.operations.at("LPRUN");
    EXPECT_EQ(run.latency.kind, latency_spec::distribution::lognormal);
    EXPECT_EQ(run.latency.p50, 300ms);
    EXPECT_EQ(run.latency.p99, 900ms);
    EXPECT_GT(run.concurrency, 0);
    EXPECT_EQ(lp.operations.at("setQueue").latency.p50, 20ms);
    // No `default` in the file: the built-in one.
    EXPECT_EQ(lp.default_operation.latency.kind, latency_spec::distribution::fixed);
    EXPECT_EQ(lp.default_operation.latency.fixed, 1ms);

    ASSERT_EQ(config.workflow.size(), 1u);
    const auto& steps = config.workflow[0].steps;
    ASSERT_EQ(steps.size(), 4u);
    ASSERT_NE(steps[0].as<db_step>(), nullptr);
    EXPECT_EQ(steps[0].as<db_step>()->op, db_step::operation::record_insert);
    const auto* set_queue = steps[1].as<call_step>();
    ASSERT_NE(set_queue, nullptr);
    EXPECT_EQ(set_queue->system, "lp");
    EXPECT_EQ(set_queue->operation, "setQueue");
    EXPECT_EQ(set_queue->timeout, 5s);
    ASSERT_NE(steps[2].as<db_step>(), nullptr);
    EXPECT_EQ(steps[2].as<db_step>()->op, db_step::operation::record_update);
    EXPECT_EQ(steps[3].name, "lp_run");
    ASSERT_NE(steps[3].as<call_step>(), nullptr);
    EXPECT_EQ(steps[3].as<call_step>()->operation, "LPRUN");
    EXPECT_EQ(steps[3].as<call_step>()->timeout, 10s);
    // One stage: inline in sync, a consumer group in async (the defaults).
    EXPECT_EQ(config.workflow[0].where(mode::sync), placement::inline_stage);
    EXPECT_EQ(config.workflow[0].where(mode::async), placement::kafka);

    EXPECT_EQ(config.body_limit_bytes, 64u * 1024);
    EXPECT_EQ(config.api_connections, 10'000);
}

TEST(scenario_loader, loads_the_shipped_hr_fanout_scenario) {
    const auto config = expect_config(load_scenario(scenario_path("hr-fanout")));
    EXPECT_EQ(config.name, "hr-fanout");
    EXPECT_EQ(config.load.rate_per_s, 1000.0);
    EXPECT_EQ(config.load.warmup, 0s);
    EXPECT_EQ(config.load.duration, 60s);
    EXPECT_EQ(config.load.requests, 20000u);
    EXPECT_EQ(config.async.consumers_per_group, 32);  // as many as ERP serves at once
    ASSERT_EQ(config.systems.size(), 3u);
    ASSERT_EQ(config.workflow.size(), 3u);
    EXPECT_EQ(config.workflow[0].name, "payroll");
    ASSERT_NE(config.workflow[2].steps.at(0).as<call_step>(), nullptr);
    EXPECT_EQ(config.workflow[2].steps.at(0).as<call_step>()->system, "erp");
    // Three independent consumers of one event.
    EXPECT_EQ(config.workflow[0].order, stage_order::follows);
    EXPECT_EQ(config.workflow[1].order, stage_order::fan_out);
    EXPECT_EQ(config.workflow[2].order, stage_order::fan_out);
    EXPECT_EQ(config.drain_timeout, 180s);
    EXPECT_FALSE(config.slo.api_p99.has_value());
    // The HR master's batch retries a refused record until it is taken.
    EXPECT_TRUE(config.load.retry.enabled());
    EXPECT_EQ(config.load.retry.max_attempts, 30);
    EXPECT_EQ(config.load.retry.initial, 500ms);
    EXPECT_EQ(config.load.retry.max, 10s);
    EXPECT_DOUBLE_EQ(config.load.retry.jitter, 0.5);
    EXPECT_DOUBLE_EQ(config.load.retry.max_rate_per_s, 0.0);  // no cap: every record goes
    for (const auto& system : config.systems) {
        EXPECT_TRUE(system.operations.empty()) << system.name;
        if (system.name == "erp") {
            EXPECT_EQ(system.default_operation.latency.p50, 40ms);
            EXPECT_EQ(system.default_operation.latency.p99, 150ms);
            EXPECT_EQ(system.default_operation.concurrency, 32);
        }
    }
}

TEST(scenario_loader, applies_documented_defaults) {
    const auto config = expect_config(load_scenario_text(minimal, "minimal.yaml"));
    EXPECT_EQ(config.description, "");
    EXPECT_EQ(config.source_path, "minimal.yaml");
    EXPECT_EQ(config.load.kind, load_spec::model::open);
    EXPECT_EQ(config.load.warmup, 5s);
    EXPECT_EQ(config.load.duration, 30s);
    EXPECT_EQ(config.load.request_timeout, 30s);
    EXPECT_EQ(config.load.max_connections, 2000);
    EXPECT_EQ(config.sync.worker_threads, 200);
    EXPECT_EQ(config.sync.accept_queue, 100);
    EXPECT_EQ(config.async.topic, "asyncbench.tiny");
    EXPECT_EQ(config.async.partitions, 12);
    EXPECT_EQ(config.async.consumers_per_group, 4);
    EXPECT_EQ(config.async.max_attempts, 5);
    EXPECT_EQ(config.drain_timeout, 120s);
    EXPECT_EQ(config.body_limit_bytes, 64u * 1024);
    EXPECT_TRUE(config.systems.empty());
}

TEST(scenario_loader, reports_every_mistake_with_line_column_and_key) {
    const std::string text = R"(name: broken
plugin: lp-report
load:
  rat: 100/s
  rate: -5/s
  warmup: 30
systems:
  lp:
    default:
      latency: {distribution: fixed, value: 1ms}
workflow:
  - stage: report
    steps:
      - {name: save, db: insert}
      - {name: run, call: erp.run}
  - stage: again
    steps:
      - {name: save, db: update}
)";
    const auto errors = expect_errors(load_scenario_text(text, "broken.yaml"));
    ASSERT_EQ(errors.size(), 5u) << describe(errors);

    const auto unknown = error_at(errors, "load.rat");
    EXPECT_EQ(unknown.file, "broken.yaml");
    EXPECT_EQ(unknown.line, 4);
    EXPECT_EQ(unknown.column, 3);
    EXPECT_NE(unknown.message.find("unknown key 'rat' (expected one of: model, rate, "),
              std::string::npos)
        << unknown.message;

    const auto rate = error_at(errors, "load.rate");
    EXPECT_EQ(rate.line, 5);
    EXPECT_NE(rate.message.find("negative"), std::string::npos) << rate.message;

    const auto warmup = error_at(errors, "load.warmup");
    EXPECT_EQ(warmup.line, 6);
    EXPECT_NE(warmup.message.find("write 30s"), std::string::npos) << warmup.message;

    const auto dangling = error_at(errors, "workflow[0].steps[1].call");
    EXPECT_EQ(dangling.line, 15);
    EXPECT_EQ(dangling.column, 27);
    EXPECT_NE(dangling.message.find("'erp'"), std::string::npos) << dangling.message;

    const auto duplicate = error_at(errors, "workflow[1].steps[0].name");
    EXPECT_EQ(duplicate.line, 18);
    EXPECT_NE(duplicate.message.find("duplicate step name 'save'"), std::string::npos);

    // Reported top to bottom, whatever order the checks ran in.
    EXPECT_TRUE(std::is_sorted(errors.begin(), errors.end(),
                               [](const auto& a, const auto& b) { return a.line < b.line; }));
}

TEST(scenario_loader, reports_unknown_keys_at_every_level) {
    const std::string text = minimal + R"(bogus: 1
sync: {worker_threads: 10, workers: 5}
systems:
  lp:
    operations:
      run: {latency: {distribution: fixed, value: 1ms, jitter: 2ms}, retries: 3}
slo: {p99: 1s}
)";
    const auto errors = expect_errors(load_scenario_text(text, "t.yaml"));
    EXPECT_EQ(errors.size(), 5u) << describe(errors);
    EXPECT_EQ(error_at(errors, "bogus").line, 7);
    EXPECT_EQ(error_at(errors, "sync.workers").line, 8);
    EXPECT_EQ(error_at(errors, "systems.lp.operations.run.latency.jitter").line, 12);
    EXPECT_EQ(error_at(errors, "systems.lp.operations.run.retries").line, 12);
    EXPECT_EQ(error_at(errors, "slo.p99").line, 13);
}

TEST(scenario_loader, reports_missing_required_keys_and_unknown_plugin) {
    const auto errors = expect_errors(load_scenario_text("plugin: nope\n", "t.yaml"));
    EXPECT_EQ(error_at(errors, "name").message, "missing required key 'name'");
    EXPECT_EQ(error_at(errors, "workflow").message, "missing required key 'workflow'");
    const auto plugin = error_at(errors, "plugin");
    EXPECT_EQ(plugin.line, 1);
    EXPECT_EQ(plugin.column, 9);
    // The registry's order is its owner's business: look for each name.
    EXPECT_NE(plugin.message.find("hr-fanout"), std::string::npos) << plugin.message;
    EXPECT_NE(plugin.message.find("lp-report"), std::string::npos) << plugin.message;
}

TEST(scenario_loader, rejects_bad_names_and_out_of_range_values) {
    const std::string text = R"(name: Bad_Name
plugin: lp-report
load: {rate: 1.5k/s, duration: 0s, max_connections: 0, requests: 0}
sync: {worker_threads: 10001, accept_queue: -1}
async: {partitions: 99999999999999999999999, backoff_initial: 2s, backoff_max: 1s, topic: "a b"}
body_limit: 65MiB
api_connections: 0
drain_timeout: -1s
slo: {min_availability: 1.5}
workflow:
  - stage: Stage
    steps: []
)";
    const auto errors = expect_errors(load_scenario_text(text, "t.yaml"));
    for (const char* key :
         {"name", "load.duration", "load.max_connections", "load.requests", "sync.worker_threads",
          "sync.accept_queue", "async.partitions", "async.backoff_max", "async.topic", "body_limit",
          "api_connections", "drain_timeout", "slo.min_availability", "workflow[0].stage",
          "workflow[0].steps"}) {
        EXPECT_NE(error_at(errors, key).line, 0) << key;
    }
    EXPECT_EQ(errors.size(), 15u) << describe(errors);
}

TEST(scenario_loader, closed_model_requires_users_and_rejects_open_only_keys) {
    const auto errors = expect_errors(
        load_scenario_text(minimal + "load: {model: closed, rate: 10/s}\n", "t.yaml"));
    EXPECT_EQ(error_at(errors, "load.users").message, "missing required key 'users'");
    EXPECT_EQ(error_at(errors, "load.rate").message, "applies only to model: open");

    const auto config = expect_config(load_scenario_text(
        minimal + "load: {model: closed, users: 50, think_time: 100ms}\n", "t.yaml"));
    EXPECT_EQ(config.load.kind, load_spec::model::closed);
    EXPECT_EQ(config.load.users, 50);
    EXPECT_EQ(config.load.think_time, 100ms);
}

TEST(scenario_loader, reads_the_callers_retry_policy_and_its_mistakes) {
    const auto config = expect_config(load_scenario_text(
        minimal + "load:\n  rate: 10/s\n  retry:\n    max_attempts: 4\n    on: [503, timeout]\n"
                  "    backoff: {initial: 50ms, multiplier: 3, max: 2s, jitter: 0.1}\n"
                  "    retry_after: false\n    max_rate: 20/s\n",
        "t.yaml"));
    const auto& retry = config.load.retry;
    EXPECT_EQ(retry.max_attempts, 4);
    EXPECT_TRUE(retry.on_503);
    EXPECT_TRUE(retry.on_timeout);
    EXPECT_FALSE(retry.on_5xx);
    EXPECT_FALSE(retry.on_connect);
    EXPECT_EQ(retry.initial, 50ms);
    EXPECT_DOUBLE_EQ(retry.multiplier, 3.0);
    EXPECT_EQ(retry.max, 2s);
    EXPECT_FALSE(retry.honour_retry_after);
    EXPECT_DOUBLE_EQ(retry.max_rate_per_s, 20.0);
    EXPECT_FALSE(expect_config(load_scenario_text(minimal, "t.yaml")).load.retry.enabled());

    const auto errors = expect_errors(load_scenario_text(
        minimal + "load:\n  retry: {max_attempts: 0, on: [404], backoff: {initial: 2s, max: 1s}, "
                  "tries: 3}\n",
        "t.yaml"));
    EXPECT_NE(error_at(errors, "load.retry.max_attempts").message.find("1 to 100"),
              std::string::npos);
    EXPECT_NE(error_at(errors, "load.retry.on[0]").message.find("503"), std::string::npos);
    EXPECT_EQ(error_at(errors, "load.retry.backoff").message, "max must be at least initial");
    EXPECT_NE(error_at(errors, "load.retry.tries").message.find("unknown key"), std::string::npos);
    const auto closed = expect_errors(load_scenario_text(
        minimal + "load: {model: closed, users: 5, retry: {max_attempts: 2}}\n", "t.yaml"));
    EXPECT_EQ(error_at(closed, "load.retry").message, "applies only to model: open");
}

TEST(scenario_loader, reads_a_ramp_instead_of_a_rate) {
    const auto config = expect_config(load_scenario_text(
        minimal + "load:\n  ramp:\n    - {rate: 0, duration: 10s}\n    - {rate: 1k/s, "
                  "duration: 1m}\n",
        "t.yaml"));
    ASSERT_EQ(config.load.ramp.size(), 2u);
    EXPECT_EQ(config.load.ramp[1].rate_per_s, 1000.0);
    EXPECT_EQ(config.load.ramp[1].duration, 60s);

    const auto errors = expect_errors(
        load_scenario_text(minimal + "load:\n  ramp:\n    - {rate: -1, duration: 0s}\n", "t.yaml"));
    EXPECT_EQ(error_at(errors, "load.ramp[0].rate").line, 9);
    EXPECT_EQ(error_at(errors, "load.ramp[0].duration").line, 9);
    EXPECT_EQ(errors.size(), 2u) << describe(errors);

    const auto both = expect_errors(
        load_scenario_text(minimal + "load: {rate: 0, ramp: [{rate: 5, duration: 1s}]}\n", "t"));
    EXPECT_EQ(error_at(both, "load.rate").line, 7);
}

TEST(scenario_loader, operations_inherit_missing_keys_from_the_system_default) {
    const std::string text = minimal + R"(systems:
  erp:
    default:
      latency: {distribution: uniform, min: 5ms, max: 10ms}
      error_rate: 0.1
      outage: unavailable
    operations:
      post: {concurrency: 8}
      get: {latency: {distribution: fixed, value: 2ms}, error_rate: 0}
  bare:
    operations:
      ping: {slowdown: 2}
)";
    const auto config = expect_config(load_scenario_text(text, "t.yaml"));
    ASSERT_EQ(config.systems.size(), 2u);
    const system_spec& erp = config.systems[0];
    const operation_spec& post = erp.operations.at("post");
    EXPECT_EQ(post.latency.kind, latency_spec::distribution::uniform);
    EXPECT_EQ(post.latency.min, 5ms);
    EXPECT_EQ(post.latency.max, 10ms);
    EXPECT_EQ(post.error_rate, 0.1);
    EXPECT_EQ(post.outage, operation_spec::outage_kind::unavailable);
    EXPECT_EQ(post.concurrency, 8);
    const operation_spec& get = erp.operations.at("get");
    EXPECT_EQ(get.latency.kind, latency_spec::distribution::fixed);
    EXPECT_EQ(get.latency.fixed, 2ms);
    EXPECT_EQ(get.error_rate, 0.0);
    EXPECT_EQ(get.outage, operation_spec::outage_kind::unavailable);
    EXPECT_EQ(get.error_status, 500);

    // Without a `default`, missing keys take the built-in values.
    const operation_spec& ping = config.systems[1].operations.at("ping");
    EXPECT_EQ(ping.slowdown, 2.0);
    EXPECT_EQ(ping.latency.kind, latency_spec::distribution::fixed);
    EXPECT_EQ(ping.latency.fixed, 1ms);
    EXPECT_EQ(ping.error_status, 500);
    EXPECT_EQ(ping.outage, operation_spec::outage_kind::none);
}

TEST(scenario_loader, rejects_latency_keys_of_another_distribution_and_bad_bounds) {
    const std::string text = minimal + R"(systems:
  a:
    operations:
      x: {latency: {distribution: fixed, value: 1ms, p99: 5ms}}
      y: {latency: {distribution: uniform, min: 5ms, max: 1ms}}
      z: {latency: {distribution: lognormal, p50: 0ms, p99: 1ms}}
      w: {latency: {distribution: lognormal, p50: 10ms, p99: 5ms}}
      v: {latency: {distribution: gaussian}}
      u: {latency: {value: 1ms}}
)";
    const auto errors = expect_errors(load_scenario_text(text, "t.yaml"));
    EXPECT_NE(error_at(errors, "systems.a.operations.x.latency.p99").message.find("fixed"),
              std::string::npos);
    EXPECT_EQ(error_at(errors, "systems.a.operations.y.latency.max").line, 11);
    EXPECT_EQ(error_at(errors, "systems.a.operations.z.latency.p50").line, 12);
    EXPECT_EQ(error_at(errors, "systems.a.operations.w.latency.p99").line, 13);
    EXPECT_EQ(error_at(errors, "systems.a.operations.v.latency.distribution").line, 14);
    EXPECT_EQ(error_at(errors, "systems.a.operations.u.latency.distribution").line, 15);
    EXPECT_EQ(errors.size(), 6u) << describe(errors);
}

TEST(scenario_loader, checks_steps) {
    const std::string text = R"(name: steps
plugin: lp-report
systems: {lp: {}}
workflow:
  - stage: s
    steps:
      - {name: a}
      - {name: b, db: insert, call: lp.run}
      - {name: c, db: delete}
      - {name: d, db: insert, timeout: 1s}
      - {name: e, call: lp}
      - {name: f, call: lp.run, timeout: 0s}
      - {call: lp.run}
  - stage: s
    steps: [{name: g, call: lp.any.thing, timeout: 2s}]
  - 5
)";
    const auto errors = expect_errors(load_scenario_text(text, "t.yaml"));
    // steps[3] inserts the request's record again after steps[1]: refused, as it could never
    // complete.
    for (const char* key :
         {"workflow[0].steps[0]", "workflow[0].steps[1].db", "workflow[0].steps[2].db",
          "workflow[0].steps[3].timeout", "workflow[0].steps[3]", "workflow[0].steps[4].call",
          "workflow[0].steps[5].timeout", "workflow[0].steps[6].name", "workflow[1].stage",
          "workflow[2]"}) {
        EXPECT_NE(error_at(errors, key).line, 0) << key;
    }
    EXPECT_EQ(errors.size(), 10u) << describe(errors);
}

// The harness judges watchers itself (harness/watch), whatever the plugin: their invariant
// exists exactly when the scenario declares watchers.
TEST(scenario_loader, watcher_views_match_truth_is_an_invariant_only_with_watchers) {
    const std::string watchers = "redis: {c: channel}\n" + testing_support::subscribing_watchers;
    const auto may_break = expect_config(load_scenario_text(
        minimal + watchers + "invariants: {watcher_views_match_truth: may_break}\n", "w.yaml"));
    EXPECT_TRUE(may_break.invariants_may_break.contains("watcher_views_match_truth"));
    const auto required = expect_config(load_scenario_text(
        minimal + watchers + "invariants: {watcher_views_match_truth: required}\n", "w.yaml"));
    EXPECT_TRUE(required.invariants_may_break.empty());

    const auto errors = expect_errors(load_scenario_text(
        minimal + "invariants: {watcher_views_match_truth: may_break}\n", "w.yaml"));
    ASSERT_EQ(errors.size(), 1u) << describe(errors);
    EXPECT_EQ(errors[0].key, "invariants.watcher_views_match_truth");
    EXPECT_NE(errors[0].message.find("plugin 'lp-report' checks no invariant "
                                     "'watcher_views_match_truth'"),
              std::string::npos)
        << describe(errors);
}

TEST(scenario_loader, syntax_error_gives_one_error_with_its_line) {
    const std::string text = "name: x\nplugin: lp-report\nload:\n  rate: [1, 2\n  warmup: 5s\n";
    const auto errors = expect_errors(load_scenario_text(text, "syntax.yaml"));
    ASSERT_EQ(errors.size(), 1u) << describe(errors);
    EXPECT_EQ(errors[0].file, "syntax.yaml");
    EXPECT_GE(errors[0].line, 4);
    EXPECT_NE(errors[0].message.find("syntax"), std::string::npos);

    const auto tab = expect_errors(load_scenario_text("name: x\n\tplugin: y\n", "tab.yaml"));
    ASSERT_EQ(tab.size(), 1u) << describe(tab);
    EXPECT_EQ(tab[0].line, 2);

    // yaml-cpp 0.7's LoadAll() loops forever, allocating, on a stray top-level ','.
    const auto comma = expect_errors(load_scenario_text("# x\n, name: x\n", "comma.yaml"));
    ASSERT_EQ(comma.size(), 1u) << describe(comma);
    EXPECT_EQ(comma[0].line, 2);
}

TEST(scenario_loader, missing_file_is_an_error_with_the_os_reason) {
    const auto errors = expect_errors(load_scenario("/nonexistent/dir/none.yaml"));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].file, "/nonexistent/dir/none.yaml");
    EXPECT_EQ(errors[0].line, 0);
    EXPECT_NE(errors[0].message.find("No such file or directory"), std::string::npos)
        << errors[0].message;

    const auto directory = expect_errors(load_scenario(std::string(ASYNCBENCH_SOURCE_DIR)));
    ASSERT_EQ(directory.size(), 1u);
    EXPECT_EQ(directory[0].line, 0);
}

TEST(scenario_loader, rejects_non_maps_nulls_empty_and_multiple_documents) {
    for (const char* text : {"", "# only a comment\n", "just text", "[1, 2]", "~", "---\n---\n",
                             "a: 1\n---\nb: 2\n", "name: x\nplugin: lp-report\nload:\n",
                             "name: x\nplugin: lp-report\nworkflow: {stage: a}\n",
                             "name: x\nname: y\nplugin: lp-report\n", "? [a]\n: 1\n", "&a [*a]",
                             "name: !!binary AAAA\n"}) {
        const auto result = load_scenario_text(text, "t.yaml");
        EXPECT_TRUE(std::holds_alternative<std::vector<config_error>>(result)) << text;
    }
    // An empty value points at its key, not at whatever token follows it.
    const auto errors = expect_errors(load_scenario_text(minimal + "sync:\nslo: {}\n", "t"));
    EXPECT_EQ(error_at(errors, "sync").line, 7);
}

TEST(scenario_loader, never_throws_on_truncated_or_mutated_input) {
    const std::string text = read_text(scenario_path("lp-report"));
    ASSERT_FALSE(text.empty());
    for (std::size_t length = 0; length < text.size(); length += 7) {
        EXPECT_NO_THROW(load_scenario_text(text.substr(0, length), "cut.yaml"));
    }
    std::mt19937 rng(42);  // fixed seed: the same mutations on every run
    const std::string alphabet = "{}[]:,-&*!|>'\"#%@ \n\t0123456789abcz.~?";
    for (int round = 0; round < 300; ++round) {
        std::string mutated = text;
        for (int edit = 0; edit < 5; ++edit) {
            mutated[rng() % mutated.size()] = alphabet[rng() % alphabet.size()];
        }
        EXPECT_NO_THROW(load_scenario_text(mutated, "mutated.yaml"));
    }
    EXPECT_NO_THROW(load_scenario_text(std::string(5000, '[') + std::string(5000, ']'), "deep"));
}

TEST(load_system_text, reads_a_system_spec_document) {
    const auto result = load_system_text(R"(default:
  latency: {distribution: fixed, value: 5ms}
  error_status: 503
operations:
  LPRUN: {latency: {distribution: lognormal, p50: 300ms, p99: 900ms}}
)",
                                         "lp.yaml", "lp");
    ASSERT_TRUE(std::holds_alternative<system_spec>(result))
        << describe(std::get<std::vector<config_error>>(result));
    const auto& system = std::get<system_spec>(result);
    EXPECT_EQ(system.name, "lp");
    EXPECT_EQ(system.default_operation.latency.fixed, 5ms);
    EXPECT_EQ(system.operations.at("LPRUN").latency.p50, 300ms);
    EXPECT_EQ(system.operations.at("LPRUN").error_status, 503);
}

TEST(load_system_text, takes_the_named_system_from_a_whole_scenario) {
    const std::string text = read_text(scenario_path("hr-fanout"));
    const auto result = load_system_text(text, "hr-fanout.yaml", "erp");
    ASSERT_TRUE(std::holds_alternative<system_spec>(result))
        << describe(std::get<std::vector<config_error>>(result));
    EXPECT_EQ(std::get<system_spec>(result).default_operation.latency.p99, 150ms);

    const auto absent = load_system_text(text, "hr-fanout.yaml", "crm");
    ASSERT_TRUE(std::holds_alternative<std::vector<config_error>>(absent));
    const auto& errors = std::get<std::vector<config_error>>(absent);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].key, "systems.crm");
    EXPECT_NE(errors[0].message.find("payroll, orgchart, erp"), std::string::npos)
        << errors[0].message;
}

TEST(load_system_text, reports_errors_with_their_key) {
    const auto result = load_system_text("default: {error_rate: 2}\noperatons: {}\n", "m", "x");
    ASSERT_TRUE(std::holds_alternative<std::vector<config_error>>(result));
    const auto& errors = std::get<std::vector<config_error>>(result);
    EXPECT_EQ(error_at(errors, "default.error_rate").line, 1);
    EXPECT_NE(error_at(errors, "operatons").message.find("did you mean 'operations'"),
              std::string::npos);

    const auto in_scenario = load_system_text(
        "systems:\n  lp:\n    operations:\n      x: {slowdown: 0}\n", "s.yaml", "lp");
    ASSERT_TRUE(std::holds_alternative<std::vector<config_error>>(in_scenario));
    EXPECT_EQ(error_at(std::get<std::vector<config_error>>(in_scenario),
                       "systems.lp.operations.x.slowdown")
                  .line,
              4);
}

TEST(load_system_text, accepts_a_bare_operation_spec_as_the_default) {
    const auto result = load_system_text("outage: refuse\n", "PUT body", "lp");
    ASSERT_TRUE(std::holds_alternative<system_spec>(result));
    const auto& system = std::get<system_spec>(result);
    EXPECT_EQ(system.default_operation.outage, operation_spec::outage_kind::refuse);
    EXPECT_EQ(system.default_operation.latency.fixed, 1ms);
}

TEST(format_config_error, uses_the_compiler_format) {
    EXPECT_EQ(format_config_error({"a.yaml", 4, 3, "load.rate", "bad"}),
              "a.yaml:4:3: load.rate: bad");
    EXPECT_EQ(format_config_error({"a.yaml", 4, 0, "load.rate", "bad"}),
              "a.yaml:4: load.rate: bad");
    EXPECT_EQ(format_config_error({"a.yaml", 0, 0, "", "missing"}), "a.yaml: missing");
}

}  // namespace
}  // namespace asyncbench
