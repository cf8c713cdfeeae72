// The `faults:` timeline and `extends:` variants of a scenario file: what is accepted, and that
// every mistake is reported with its key.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness/config/scenario_loader.hpp"
#include "tests/unit/loader_test_support.hpp"

namespace asyncbench {
namespace {

using namespace std::chrono_literals;

const std::string base = R"(
name: faulty
plugin: lp-report
load: {rate: 10/s, warmup: 1s, duration: 60s}
async: {consumers_per_group: 4, worker_processes: 2}
systems:
  lp:
    operations:
      setQueue: {latency: {distribution: fixed, value: 1ms}}
workflow:
  - stage: report
    steps:
      - {name: insert_report, db: insert}
      - {name: lp_run, call: lp.LPRUN}
)";

load_result_t load(const std::string& faults) {
    return load_scenario_text(base + "faults:\n" + faults, "faulty.yaml");
}

std::string errors_of(const load_result_t& result) {
    std::string text;
    if (const auto* errors = std::get_if<std::vector<config_error>>(&result)) {
        for (const auto& error : *errors) text += format_config_error(error) + "\n";
    }
    return text;
}

TEST(fault_reader, reads_every_kind_sorted_by_start) {
    const auto result = load(R"(
  - {kind: broker_down, broker: 2, at: 50s, duration: 10s}
  - {name: LP down, kind: downstream_outage, target: lp, outage: unavailable, at: 10s, duration: 20s}
  - {kind: downstream_slowdown, target: lp.setQueue, slowdown: 4, at: 1s, duration: 1s}
  - {kind: downstream_errors, target: lp.LPRUN, error_rate: 0.25, error_status: 503, at: 2s, duration: 1s}
  - {kind: downstream_timeout, target: lp, at: 3s, duration: 1s}
  - {kind: worker_crash, worker: 1, at: 40s, duration: 5s}
  - {kind: worker_pause, at: 41s, duration: 5s}
  - {kind: leader_loss, at: 30s, duration: 5s}
  - {kind: database_down, at: 43s, duration: 5s}
)");
    ASSERT_TRUE(std::holds_alternative<scenario_config>(result)) << errors_of(result);
    const auto& faults = std::get<scenario_config>(result).faults;
    ASSERT_EQ(faults.size(), 9u);
    EXPECT_EQ(faults[0].type, fault_spec::kind::downstream_slowdown);
    EXPECT_EQ(faults[0].operation, "setQueue");
    EXPECT_DOUBLE_EQ(faults[0].slowdown, 4.0);
    EXPECT_EQ(faults[0].name, "downstream_slowdown lp.setQueue");
    EXPECT_EQ(faults[1].error_status, 503);
    EXPECT_EQ(faults[2].outage, operation_spec::outage_kind::hang);
    EXPECT_EQ(faults[3].name, "LP down");
    EXPECT_EQ(faults[3].system, "lp");
    EXPECT_TRUE(faults[3].operation.empty());
    EXPECT_EQ(faults[3].outage, operation_spec::outage_kind::unavailable);
    EXPECT_EQ(faults[3].at, 10s);
    EXPECT_EQ(faults[3].duration, 20s);
    EXPECT_EQ(faults[4].type, fault_spec::kind::leader_loss);
    EXPECT_EQ(faults[5].worker, 1);
    EXPECT_TRUE(faults[5].async_only());
    EXPECT_EQ(faults[6].worker, 0);
    EXPECT_EQ(faults[8].broker, 2);
    EXPECT_FALSE(faults[3].async_only());
}

TEST(fault_reader, reports_each_mistake_with_its_key) {
    const auto text = errors_of(load(R"(
  - {kind: meltdown, at: 1s, duration: 1s}
  - {kind: downstream_outage, target: nowhere, at: 1s, duration: 1s}
  - {kind: downstream_outage, target: lp.NOPE, at: 1s, duration: 1s}
  - {kind: downstream_outage, target: lp, broker: 1, at: 1s, duration: 1s}
  - {kind: worker_crash, worker: 2, at: 1s, duration: 1s}
  - {kind: broker_down, at: 60s, duration: 1s}
  - {kind: database_down, at: 1s}
)"));
    EXPECT_NE(text.find("faults[0].kind: expected one of downstream_outage|"), std::string::npos)
        << text;
    EXPECT_NE(text.find("faults[1].target: no system 'nowhere'"), std::string::npos) << text;
    EXPECT_NE(text.find("faults[2].target: system 'lp' has no operation 'NOPE'"), std::string::npos)
        << text;
    EXPECT_NE(text.find("faults[3].broker"), std::string::npos) << text;
    EXPECT_NE(text.find("faults[4].worker"), std::string::npos) << text;
    EXPECT_NE(text.find("faults[5].at: starts after the measure phase"), std::string::npos) << text;
    EXPECT_NE(text.find("faults[6].duration: missing required key 'duration'"), std::string::npos)
        << text;
}

TEST(fault_reader, refuses_overlapping_faults_on_one_target) {
    const auto text = errors_of(load(R"(
  - {name: A, kind: downstream_outage, target: lp, at: 10s, duration: 20s}
  - {name: B, kind: downstream_slowdown, target: lp.LPRUN, at: 20s, duration: 10s}
  - {name: C, kind: database_down, at: 15s, duration: 5s}
  - {name: D, kind: downstream_errors, target: lp, at: 30s, duration: 5s}
)"));
    EXPECT_NE(text.find("faults[1]: overlaps 'A' on system lp"), std::string::npos) << text;
    EXPECT_EQ(text.find("faults[2]"), std::string::npos) << text;  // another target
    EXPECT_EQ(text.find("faults[3]"), std::string::npos) << text;  // starts as A ends
}

TEST(fault_reader, worker_faults_need_worker_processes) {
    auto text = base;
    text.replace(text.find("worker_processes: 2"), 19, "worker_processes: 0");
    const auto result = load_scenario_text(
        text + "faults:\n  - {kind: worker_pause, at: 1s, duration: 1s}\n", "faulty.yaml");
    EXPECT_NE(errors_of(result).find("set async.worker_processes to 1 or more"), std::string::npos)
        << errors_of(result);
}

TEST(fault_reader, records_deleted_needs_worker_processes_and_owns_every_worker) {
    const auto result =
        load("  - {name: retention, kind: records_deleted, at: 5s, duration: 4s}\n");
    ASSERT_TRUE(std::holds_alternative<scenario_config>(result)) << errors_of(result);
    const auto& fault = std::get<scenario_config>(result).faults.at(0);
    EXPECT_EQ(fault.type, fault_spec::kind::records_deleted);
    EXPECT_TRUE(fault.async_only());
    EXPECT_EQ(fault_kind_name(fault.type), "records_deleted");

    // It stops every worker, so no worker fault may overlap it, whichever worker it names.
    const auto overlapping = errors_of(load(R"(
  - {name: retention, kind: records_deleted, at: 5s, duration: 4s}
  - {name: crash, kind: worker_crash, worker: 1, at: 6s, duration: 1s}
)"));
    EXPECT_NE(overlapping.find("faults[1]: overlaps 'retention' on worker 1"), std::string::npos)
        << overlapping;

    auto text = base;
    text.replace(text.find("worker_processes: 2"), 19, "worker_processes: 0");
    const auto without = load_scenario_text(
        text + "faults:\n  - {kind: records_deleted, at: 1s, duration: 1s}\n", "faulty.yaml");
    EXPECT_NE(errors_of(without).find("records_deleted stops every consumer before deleting"),
              std::string::npos)
        << errors_of(without);
    // A key of another kind is refused, as for every kind.
    EXPECT_NE(errors_of(load("  - {kind: records_deleted, worker: 1, at: 1s, duration: 1s}\n"))
                  .find("worker"),
              std::string::npos);
}

TEST(fault_reader, worker_processes_cannot_exceed_consumers) {
    auto text = base;
    text.replace(text.find("worker_processes: 2"), 19, "worker_processes: 5");
    EXPECT_NE(errors_of(load_scenario_text(text, "faulty.yaml")).find("must not exceed"),
              std::string::npos);
}

TEST(fault_reader, stage_down_names_a_workflow_stage) {
    const auto result = load("  - {kind: stage_down, stage: report, at: 5s, duration: 4s}\n");
    ASSERT_TRUE(std::holds_alternative<scenario_config>(result)) << errors_of(result);
    const auto& fault = std::get<scenario_config>(result).faults.at(0);
    EXPECT_EQ(fault.type, fault_spec::kind::stage_down);
    EXPECT_EQ(fault.stage, "report");
    EXPECT_EQ(fault.name, "stage_down report");
    EXPECT_EQ(fault.at, 5s);
    EXPECT_EQ(fault.duration, 4s);
    EXPECT_EQ(fault_kind_name(fault.type), "stage_down");
    // Pollers stop in the sync mode, consumers in the async one: not async only.
    EXPECT_FALSE(fault.async_only());
}

TEST(fault_reader, stage_down_refuses_an_unknown_stage_listing_the_stages) {
    auto text = base;
    text += R"(  - stage: notify
    steps: [{name: tell, call: lp.LPRUN}]
faults:
  - {kind: stage_down, stage: reprot, at: 1s, duration: 1s}
  - {kind: stage_down, at: 1s, duration: 1s}
  - {kind: database_down, stage: report, at: 5s, duration: 1s}
)";
    const auto errors = errors_of(load_scenario_text(text, "faulty.yaml"));
    EXPECT_NE(errors.find("faults[0].stage: no stage 'reprot' (stages: report, notify)"),
              std::string::npos)
        << errors;
    EXPECT_NE(errors.find("faults[1].stage: missing required key 'stage'"), std::string::npos)
        << errors;
    // `stage` belongs to stage_down only, as every kind's own keys do.
    EXPECT_NE(errors.find("faults[2].stage"), std::string::npos) << errors;
}

TEST(fault_reader, stage_down_refuses_a_stage_that_runs_inline_in_every_mode) {
    auto text = base;
    text.replace(text.find("  - stage: report\n"), 18,
                 "  - stage: report\n    placement: {sync: inline, async: inline}\n");
    text += "faults:\n  - {kind: stage_down, stage: report, at: 1s, duration: 1s}\n";
    const auto errors = errors_of(load_scenario_text(text, "faulty.yaml"));
    EXPECT_NE(errors.find("faults[0].stage: stage 'report' runs inline in every mode"),
              std::string::npos)
        << errors;
}

TEST(fault_reader, two_stage_downs_on_one_stage_may_not_overlap) {
    const auto text = errors_of(load(R"(
  - {name: A, kind: stage_down, stage: report, at: 10s, duration: 20s}
  - {name: B, kind: stage_down, stage: report, at: 20s, duration: 5s}
  - {name: C, kind: downstream_outage, target: lp, at: 15s, duration: 5s}
)"));
    EXPECT_NE(text.find("faults[1]: overlaps 'A' on stage report"), std::string::npos) << text;
    EXPECT_EQ(text.find("faults[2]"), std::string::npos) << text;  // another target
}

// The base with Redis keys and watchers (subscribers in both modes), which redis_down and
// watcher_disconnect act on.
const std::string watched =
    base + "redis: {s: state, c: channel}\n" + testing_support::subscribing_watchers;

load_result_t load_watched(const std::string& faults) {
    return load_scenario_text(watched + "faults:\n" + faults, "faulty.yaml");
}

TEST(fault_reader, redis_down_kills_by_default_or_stops_the_scenarios_redis) {
    const auto result = load_watched(R"(
  - {kind: redis_down, how: stop, at: 20s, duration: 4s}
  - {kind: redis_down, at: 5s, duration: 4s}
)");
    ASSERT_TRUE(std::holds_alternative<scenario_config>(result)) << errors_of(result);
    const auto& faults = std::get<scenario_config>(result).faults;
    ASSERT_EQ(faults.size(), 2u);
    EXPECT_EQ(faults[0].type, fault_spec::kind::redis_down);
    EXPECT_EQ(faults[0].how, fault_spec::takedown::kill);
    EXPECT_EQ(faults[0].name, "redis_down (kill)");
    EXPECT_EQ(faults[0].at, 5s);
    EXPECT_EQ(faults[1].type, fault_spec::kind::redis_down);
    EXPECT_EQ(faults[1].how, fault_spec::takedown::stop);
    EXPECT_EQ(faults[1].name, "redis_down (stop)");
    EXPECT_EQ(fault_kind_name(faults[0].type), "redis_down");

    const auto bad = errors_of(load_watched(R"(
  - {kind: redis_down, how: restart, at: 1s, duration: 1s}
  - {kind: redis_down, share: 0.5, at: 5s, duration: 1s}
)"));
    EXPECT_NE(bad.find("faults[0].how: expected one of kill|stop"), std::string::npos) << bad;
    EXPECT_NE(bad.find("faults[1].share"), std::string::npos) << bad;  // watcher_disconnect's

    // No Redis keys declared: the run starts no Redis to take down.
    const auto without = errors_of(load("  - {kind: redis_down, at: 1s, duration: 1s}\n"));
    EXPECT_NE(
        without.find("faults[0]: redis_down needs Redis: the scenario declares no Redis keys"),
        std::string::npos)
        << without;
}

TEST(fault_reader, database_down_locks_by_default_or_stops_or_kills_the_server) {
    const auto result = load(R"(
  - {kind: database_down, at: 5s, duration: 4s}
  - {kind: database_down, how: kill, at: 15s, duration: 4s}
  - {kind: database_down, how: stop, at: 25s, duration: 4s}
)");
    ASSERT_TRUE(std::holds_alternative<scenario_config>(result)) << errors_of(result);
    const auto& faults = std::get<scenario_config>(result).faults;
    ASSERT_EQ(faults.size(), 3u);
    EXPECT_EQ(faults[0].how, fault_spec::takedown::lock);
    EXPECT_EQ(faults[0].name, "database_down");
    EXPECT_EQ(faults[1].how, fault_spec::takedown::kill);
    EXPECT_EQ(faults[1].name, "database_down (kill)");
    EXPECT_EQ(faults[2].how, fault_spec::takedown::stop);
    EXPECT_EQ(faults[2].name, "database_down (stop)");

    const auto bad =
        errors_of(load("  - {kind: database_down, how: pause, at: 1s, duration: 1s}\n"));
    EXPECT_NE(bad.find("faults[0].how: expected one of lock|kill|stop"), std::string::npos) << bad;
}

TEST(fault_reader, watcher_disconnect_takes_a_share_of_the_declared_watchers) {
    const auto result = load_watched(R"(
  - {kind: watcher_disconnect, at: 5s, duration: 4s}
  - {kind: watcher_disconnect, share: 1, at: 20s, duration: 1s}
  - {kind: watcher_disconnect, share: 0.25, at: 30s, duration: 1s}
)");
    ASSERT_TRUE(std::holds_alternative<scenario_config>(result)) << errors_of(result);
    const auto& faults = std::get<scenario_config>(result).faults;
    ASSERT_EQ(faults.size(), 3u);
    EXPECT_EQ(faults[0].type, fault_spec::kind::watcher_disconnect);
    EXPECT_DOUBLE_EQ(faults[0].share, 0.5);
    EXPECT_EQ(faults[0].name, "watcher_disconnect 50%");
    EXPECT_DOUBLE_EQ(faults[1].share, 1.0);
    EXPECT_EQ(faults[1].name, "watcher_disconnect 100%");
    EXPECT_DOUBLE_EQ(faults[2].share, 0.25);
    EXPECT_EQ(faults[2].name, "watcher_disconnect 25%");
    EXPECT_EQ(fault_kind_name(faults[0].type), "watcher_disconnect");

    // A share is in (0, 1].
    const auto shares = errors_of(load_watched(R"(
  - {kind: watcher_disconnect, share: 0, at: 1s, duration: 1s}
  - {kind: watcher_disconnect, share: 1.5, at: 5s, duration: 1s}
)"));
    EXPECT_NE(shares.find("faults[0].share"), std::string::npos) << shares;
    EXPECT_NE(shares.find("faults[1].share"), std::string::npos) << shares;

    const auto without = errors_of(load("  - {kind: watcher_disconnect, at: 1s, duration: 1s}\n"));
    EXPECT_NE(without.find("faults[0]: watcher_disconnect needs watchers: the scenario declares "
                           "none"),
              std::string::npos)
        << without;
}

TEST(fault_reader, watcher_disconnects_may_not_overlap_nor_redis_downs) {
    const auto text = errors_of(load_watched(R"(
  - {name: A, kind: watcher_disconnect, at: 10s, duration: 10s}
  - {name: B, kind: watcher_disconnect, share: 0.2, at: 15s, duration: 10s}
  - {name: C, kind: redis_down, at: 12s, duration: 2s}
  - {name: D, kind: redis_down, how: stop, at: 13s, duration: 5s}
  - {name: E, kind: watcher_disconnect, at: 25s, duration: 5s}
)"));
    EXPECT_NE(text.find("faults[1]: overlaps 'A' on the watchers"), std::string::npos) << text;
    EXPECT_EQ(text.find("faults[2]"), std::string::npos) << text;  // another target
    EXPECT_NE(text.find("faults[3]: overlaps 'C' on Redis"), std::string::npos) << text;
    EXPECT_EQ(text.find("faults[4]"), std::string::npos) << text;  // starts as B ends
}

class extends_test : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("asyncbench-extends-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        write("base.yaml", base);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string write(const std::string& name, const std::string& text) {
        std::ofstream(dir_ / name) << text;
        return (dir_ / name).string();
    }
    std::filesystem::path dir_;
};

TEST_F(extends_test, a_variant_overlays_maps_key_by_key) {
    const auto path = write("variant.yaml", R"(extends: base.yaml
name: faulty-variant
load: {rate: 20/s}
faults:
  - {kind: downstream_outage, target: lp, at: 5s, duration: 5s}
)");
    const auto result = load_scenario(path);
    ASSERT_TRUE(std::holds_alternative<scenario_config>(result)) << errors_of(result);
    const auto& config = std::get<scenario_config>(result);
    EXPECT_EQ(config.name, "faulty-variant");
    EXPECT_DOUBLE_EQ(config.load.rate_per_s, 20.0);
    EXPECT_EQ(config.load.duration, 60s);  // kept from the base
    EXPECT_EQ(config.async.worker_processes, 2);
    EXPECT_EQ(config.workflow.size(), 1u);
    EXPECT_EQ(config.faults.size(), 1u);
}

TEST_F(extends_test, errors_in_the_variant_point_at_its_lines) {
    const auto path = write("variant.yaml", "extends: base.yaml\nload: {rate: fast}\n");
    const auto text = errors_of(load_scenario(path));
    EXPECT_NE(text.find("variant.yaml:2:"), std::string::npos) << text;
    EXPECT_NE(text.find("load.rate"), std::string::npos) << text;
}

TEST_F(extends_test, refuses_chains_and_cycles) {
    const auto self = write("self.yaml", "extends: self.yaml\nname: loop\n");
    EXPECT_NE(errors_of(load_scenario(self)).find("one level only"), std::string::npos);
    const auto missing = write("orphan.yaml", "extends: nowhere.yaml\n");
    EXPECT_NE(errors_of(load_scenario(missing)).find("the base scenario"), std::string::npos);
}

}  // namespace
}  // namespace asyncbench
