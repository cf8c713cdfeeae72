// Runs each shipped scenario briefly in both modes on the embedded defaults (mock Kafka
// cluster, SQLite, mock systems) through the same entry point as `asyncbench run`, then
// checks result.json: the fields the schema promises, and that every accepted request took
// effect exactly once. No timing assertions: the machine may be a loaded 2-core CI runner.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "tests/integration/run_support.hpp"

namespace asyncbench {
namespace {

using test::fresh_dir;
using test::read_result;

void expect_exactly_once(const mode_result& mode) {
    SCOPED_TRACE(mode.mode);
    const auto& rec = mode.reconciliation;
    EXPECT_GT(mode.requests, 0u);
    EXPECT_GT(rec.accepted, 0u);
    EXPECT_EQ(rec.lost, 0u) << "lost ids start with "
                            << (rec.lost_ids.empty() ? "" : rec.lost_ids.front());
    EXPECT_EQ(rec.pending, 0u);
    EXPECT_EQ(rec.duplicate_effects, 0u);
    EXPECT_EQ(rec.dead_lettered, 0u);
    EXPECT_EQ(rec.completed, rec.accepted);
    EXPECT_GT(mode.api_latency_2xx_us.count, 0u);
    EXPECT_LE(mode.api_latency_2xx_us.p50_us, mode.api_latency_2xx_us.p99_us);
    EXPECT_LE(mode.api_latency_2xx_us.p99_us, mode.api_latency_2xx_us.max_us);
    // Every measured request has an outcome in the all-answers view; the 2xx view holds the
    // successful ones (on a loaded runner a few may be 503s or time out).
    EXPECT_EQ(mode.api_latency_all_us.count, mode.requests);
    EXPECT_LE(mode.api_latency_2xx_us.count, mode.api_latency_all_us.count);
    EXPECT_EQ(mode.api_latency_all_us.count - mode.api_latency_2xx_us.count, mode.errors.total());
    EXPECT_GT(mode.schedule_lag_us.count, 0u);
    EXPECT_GT(mode.completion_latency_us.count, 0u);
    EXPECT_GT(mode.offered_per_s, 0);
    EXPECT_FALSE(mode.series.empty());
    // The mocks never fail here, so each completed id reached each called operation once.
    for (const auto& call : rec.calls) {
        SCOPED_TRACE(call.system + "." + call.operation);
        EXPECT_EQ(call.expected_calls, rec.completed);
        EXPECT_EQ(call.ids_missing, 0u);
        EXPECT_GE(call.received_calls, call.expected_calls);
    }
    EXPECT_TRUE(mode.valid);
}

TEST(scenario_run, lp_report_both_modes_lose_nothing) {
    auto dir = fresh_dir("lp-report");
    run_options options;
    options.scenario_path =
        std::string(ASYNCBENCH_SOURCE_DIR) + "/scenarios/lp-report/lp-report.yaml";
    options.out_dir = dir.string();
    options.overrides.rate = "40/s";
    options.overrides.duration = "3s";
    options.overrides.quick = true;
    ASSERT_EQ(run_command(options), 0);

    auto result = read_result(dir);
    EXPECT_EQ(result.schema_version, result_schema_version);
    EXPECT_EQ(result.scenario, "lp-report");
    EXPECT_EQ(result.environment.broker_kind, "embedded-mock");
    EXPECT_FALSE(result.environment.git_commit.empty());
    ASSERT_TRUE(result.modes.contains("sync"));
    ASSERT_TRUE(result.modes.contains("async"));
    expect_exactly_once(result.modes.at("sync"));
    expect_exactly_once(result.modes.at("async"));
    // The async API answers once the broker has the message, before LPRUN (p50 300 ms) runs.
    EXPECT_LT(result.modes.at("async").api_latency_2xx_us.p50_us,
              result.modes.at("sync").api_latency_2xx_us.p50_us);
    EXPECT_EQ(result.settings.producer_settings.at("enable.idempotence"), "true");
    EXPECT_EQ(result.settings.producer_settings.at("acks"), "all");
    EXPECT_TRUE(std::filesystem::exists(dir / "report.md"));
    EXPECT_TRUE(std::filesystem::exists(dir / "report.html"));
    EXPECT_TRUE(std::filesystem::exists(dir / "sync.sqlite"));
    EXPECT_TRUE(std::filesystem::exists(dir / "async.sqlite"));
}

TEST(scenario_run, hr_fanout_reaches_every_system_once_per_record) {
    auto dir = fresh_dir("hr-fanout");
    run_options options;
    options.scenario_path =
        std::string(ASYNCBENCH_SOURCE_DIR) + "/scenarios/hr-fanout/hr-fanout.yaml";
    options.out_dir = dir.string();
    options.overrides.rate = "200/s";
    options.overrides.quick = true;
    ASSERT_EQ(run_command(options), 0);

    auto result = read_result(dir);
    EXPECT_EQ(result.scenario, "hr-fanout");
    EXPECT_EQ(result.settings.stages.size(), 3u);
    for (const auto& mode : {"sync", "async"}) {
        ASSERT_TRUE(result.modes.contains(mode));
        const auto& outcome = result.modes.at(mode);
        expect_exactly_once(outcome);
        EXPECT_EQ(outcome.reconciliation.calls.size(), 3u);  // payroll, orgchart, erp
        ASSERT_TRUE(outcome.time_to_full_completion_s.has_value());
        EXPECT_GT(*outcome.time_to_full_completion_s, 0);
    }
}

// The two consumer models side by side on one scenario: both lose nothing, keep per-key
// order, and LP receives calls from all the workers (64 of each group in both models).
TEST(scenario_run, both_consumer_models_lose_nothing_and_keep_per_key_order) {
    for (const std::string model : {"key_ordered", "per_partition"}) {
        SCOPED_TRACE(model);
        auto dir = fresh_dir("model-" + model);
        std::filesystem::create_directories(dir);
        const auto file = dir / "lp-report-model.yaml";
        std::ofstream(file) << "extends: " << ASYNCBENCH_SOURCE_DIR
                            << "/scenarios/lp-report/lp-report.yaml\nname: lp-report-"
                            << (model == "key_ordered" ? "ko" : "pp")
                            << "\nasync: {consumer_model: " << model << "}\n";
        run_options options;
        options.scenario_path = file.string();
        options.out_dir = (dir / "out").string();
        options.mode = "async";
        options.overrides.rate = "60/s";
        options.overrides.duration = "4s";
        options.overrides.quick = true;
        ASSERT_EQ(run_command(options), 0);
        const auto result = read_result(dir / "out");
        const auto& async = result.modes.at("async");
        expect_exactly_once(async);
        EXPECT_EQ(test::find_metric(async, "key_order_violations"), 0);
        const auto named =
            std::any_of(async.warnings.begin(), async.warnings.end(),
                        [&](const std::string& w) { return w.find("consumers: " + model) == 0; });
        EXPECT_TRUE(named) << "the report names the consumer model";
    }
}

std::string read_text(const std::filesystem::path& path) {
    std::ifstream input(path);
    std::stringstream text;
    text << input.rdbuf();
    return text.str();
}

// Two inserts of one key can never both succeed: the loader refuses such a file before
// anything starts (exit 2), naming the second insert's line.
TEST(scenario_run, a_workflow_that_can_never_complete_is_refused_before_anything_starts) {
    auto dir = fresh_dir("never-completes");
    const auto file = dir.string() + ".yaml";
    std::ofstream(file) << R"(name: never-completes
plugin: lp-report
workflow:
  - stage: report
    steps:
      - {name: insert_report, db: insert}
      - {name: insert_again, db: insert}
)";
    run_options options;
    options.scenario_path = file;
    options.out_dir = dir.string();
    EXPECT_EQ(run_command(options), 2);
    std::filesystem::remove(file);
    EXPECT_FALSE(std::filesystem::exists(dir / "result.json"));
}

// A step that fails on every attempt in a way the loader cannot foresee (an update of a record
// nothing inserted). The run must say why, with counts, wherever a person looks (result.json,
// report.md, the drain time-out's reason), and exit 3: the pipeline never drained (100
// attempts ~1 s apart outlast the 4 s drain), so the measurement cannot be trusted.
TEST(scenario_run, impossible_workflow_names_its_step_error_and_exits_3) {
    auto dir = fresh_dir("impossible");
    const auto file = dir.string() + ".yaml";
    std::ofstream(file) << R"(name: impossible
plugin: lp-report
load: {rate: 40/s, warmup: 1s, duration: 2s, request_timeout: 5s}
sync: {worker_threads: 8, accept_queue: 64}
async: {partitions: 4, consumers_per_group: 2, max_attempts: 100, backoff_initial: 100ms,
        backoff_max: 1s}
systems:
  lp:
    operations:
      setQueue: {latency: {distribution: fixed, value: 1ms}}
      LPRUN: {latency: {distribution: fixed, value: 1ms}}
workflow:
  - stage: report
    steps:
      - {name: mark_queued, db: update}
drain_timeout: 4s
)";
    run_options options;
    options.scenario_path = file;
    options.out_dir = dir.string();
    EXPECT_EQ(run_command(options), 3);
    std::filesystem::remove(file);

    const auto result = read_result(dir);
    for (const auto* name : {"sync", "async"}) {
        SCOPED_TRACE(name);
        ASSERT_TRUE(result.modes.contains(name));
        const auto& mode = result.modes.at(name);
        ASSERT_FALSE(mode.step_errors.empty());
        const auto& top = mode.step_errors.front();
        EXPECT_EQ(top.stage, "report");
        EXPECT_EQ(top.step, "mark_queued");
        EXPECT_NE(top.example.find("found no record to update"), std::string::npos) << top.example;
        EXPECT_GT(top.count, 0u);
    }
    // Sync answered every request 502 at once: nothing accepted, none completed.
    const auto& sync = result.modes.at("sync");
    EXPECT_EQ(sync.reconciliation.accepted, 0u);
    EXPECT_EQ(sync.api_latency_2xx_us.count, 0u);
    EXPECT_EQ(sync.api_latency_all_us.count, sync.requests);
    EXPECT_FALSE(sync.time_to_full_completion_s.has_value());
    // Async accepted them and retried until the drain gave up; its reason names the error.
    const auto& async = result.modes.at("async");
    EXPECT_FALSE(async.valid);
    ASSERT_FALSE(async.invalid_reasons.empty());
    EXPECT_NE(async.invalid_reasons.front().find("found no record to update"), std::string::npos)
        << async.invalid_reasons.front();
    const auto report = read_text(dir / "report.md");
    EXPECT_NE(report.find("## Step errors"), std::string::npos);
    EXPECT_NE(report.find("found no record to update"), std::string::npos);
    EXPECT_NE(report.find("NOT trustworthy (exit 3)"), std::string::npos);
    EXPECT_NE(report.find("none completed"), std::string::npos);
}

TEST(scenario_run, invalid_scenario_exits_2_and_starts_nothing) {
    auto dir = fresh_dir("invalid");
    auto file = dir.string() + ".yaml";
    std::ofstream(file) << "name: broken\nplugin: lp-report\nload: {rate: -5}\nworkflow: []\n";
    run_options options;
    options.scenario_path = file;
    options.out_dir = dir.string();
    EXPECT_EQ(run_command(options), 2);
    EXPECT_FALSE(std::filesystem::exists(dir));
    std::filesystem::remove(file);
}

TEST(scenario_run, bad_overrides_exit_2) {
    run_options options;
    options.scenario_path =
        std::string(ASYNCBENCH_SOURCE_DIR) + "/scenarios/lp-report/lp-report.yaml";
    options.overrides.rate = "-3/s";
    EXPECT_EQ(run_command(options), 2);
    options.overrides.rate.reset();
    options.mode = "sideways";
    EXPECT_EQ(run_command(options), 2);
}

}  // namespace
}  // namespace asyncbench
