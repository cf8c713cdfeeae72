// compare refuses runs that measured different things (exit 2) unless --force, and then says
// what differed; a different machine is only a warning, a mode only one side ran is skipped.
#include <gtest/gtest.h>

#include <functional>

#include "comparison_test_support.hpp"
#include "harness/result/run_match.hpp"

namespace asyncbench {
namespace {

using namespace comparison_fixtures;

struct refusal_case {
    const char* what;
    std::function<void(run_result&)> change;
    const char* difference;
};

const std::vector<refusal_case> refusal_cases{
    {"scenario", [](run_result& r) { r.scenario = "hr-fanout"; },
     "scenario: baseline lp-report, candidate hr-fanout"},
    {"rate", [](run_result& r) { r.settings.rate_per_s = 400; },
     "rate_per_s: baseline 200, candidate 400"},
    {"load model", [](run_result& r) { r.settings.load_model = "closed"; },
     "load model: baseline open, candidate closed"},
    {"duration", [](run_result& r) { r.settings.duration_s = 30; },
     "duration_s: baseline 10, candidate 30"},
    {"request cap", [](run_result& r) { r.settings.requests = 2000; },
     "requests: baseline (no cap), candidate 2000"},
    {"partitions", [](run_result& r) { r.settings.async_partitions = 8; },
     "async_partitions: baseline 64, candidate 8"},
    {"stages",
     [](run_result& r) {
         r.settings.stages = {"report", "notify"};
     },
     "stages: baseline report, candidate report, notify"},
    {"worker processes", [](run_result& r) { r.settings.async_worker_processes = 2; },
     "async_worker_processes: baseline 0, candidate 2"},
    {"producer setting", [](run_result& r) { r.settings.producer_settings["linger.ms"] = "1"; },
     "producer setting linger.ms: baseline 5, candidate 1"},
    {"consumer setting",
     [](run_result& r) { r.settings.consumer_settings["fetch.wait.max.ms"] = "10"; },
     "consumer setting fetch.wait.max.ms: baseline unset, candidate 10"},
    {"broker", [](run_result& r) { r.environment.broker_kind = "external"; },
     "broker kind: baseline embedded-mock, candidate external"},
    {"database",
     [](run_result& r) { r.environment.database = "PostgreSQL at 127.0.0.1:55432 (schema x)"; },
     "database kind: baseline SQLite, candidate PostgreSQL"},
};

TEST(compare_runs, refuses_each_kind_of_difference_and_names_it) {
    for (const auto& c : refusal_cases) {
        run_result candidate = make_run();
        c.change(candidate);
        const auto refused = compare_ok(make_run(), candidate);
        EXPECT_TRUE(refused.refused) << c.what;
        EXPECT_EQ(refused.status, exit_status::usage) << c.what;
        EXPECT_EQ(refused.differences, std::vector<std::string>{c.difference}) << c.what;
        EXPECT_TRUE(refused.metrics.empty() && refused.correctness.empty()) << c.what;
    }
}

TEST(compare_runs, force_compares_anyway_and_lists_every_difference) {
    run_result baseline = make_run();
    run_result candidate = make_run();
    set_metric(baseline, "async", "completion_p99", five_around_100);
    set_metric(candidate, "async", "completion_p99", five_around_122);
    for (const auto& c : refusal_cases) c.change(candidate);
    compare_parameters forced;
    forced.force = true;
    const auto r = compare_ok(baseline, candidate, {request("async.completion_p99")}, forced);
    EXPECT_FALSE(r.refused);
    EXPECT_EQ(r.differences.size(), refusal_cases.size());
    ASSERT_EQ(r.metrics.size(), 1u);
    EXPECT_EQ(r.status, exit_status::finding);
}

// The embedded broker listens on new ports each run and every run has its own group ids: those
// settings name the run, they do not change what it measured.
TEST(compare_runs, per_run_client_settings_do_not_refuse) {
    run_result candidate = make_run();
    candidate.settings.producer_settings["bootstrap.servers"] = "127.0.0.1:5999";
    candidate.settings.consumer_settings["group.id"] = "asyncbench.lp-report.report.bbbb";
    candidate.settings.repetitions = 9;         // --repeat is what compare is for
    candidate.environment.database = "sqlite";  // a version 1 file's spelling
    const auto r = compare_ok(make_run(), candidate);
    EXPECT_FALSE(r.refused);
    EXPECT_TRUE(r.differences.empty());
}

TEST(compare_runs, another_machine_is_a_warning_not_a_refusal) {
    run_result candidate = make_run();
    candidate.environment.host = "ci-runner-7";
    candidate.environment.cores = 4;
    const auto r = compare_ok(make_run(), candidate);
    EXPECT_FALSE(r.refused);
    ASSERT_EQ(r.warnings.size(), 2u);
    EXPECT_TRUE(contains(r.warnings[0], "host: baseline ci-runner-1, candidate ci-runner-7"));
    EXPECT_TRUE(contains(r.warnings[1], "cores: baseline 2, candidate 4"));
    EXPECT_TRUE(contains(r.warnings[1], "compare runs made on one machine"));
    EXPECT_EQ(r.status, exit_status::held);
}

TEST(compare_runs, a_mode_only_one_side_ran_is_skipped_and_said) {
    run_result baseline = make_run();
    run_result candidate = make_run();
    candidate.modes.erase("sync");
    const auto r = compare_ok(baseline, candidate, {request("api_all_p99")});
    EXPECT_FALSE(r.refused);
    EXPECT_EQ(r.modes, std::vector<std::string>{"async"});
    ASSERT_EQ(r.metrics.size(), 1u);
    EXPECT_EQ(r.metrics[0].subject.mode, "async");
    ASSERT_FALSE(r.notes.empty());
    EXPECT_EQ(r.notes[0], "sync: only the baseline ran it: not compared.");
}

TEST(compare_runs, no_mode_in_common_refuses) {
    run_result baseline = make_run();
    run_result candidate = make_run();
    baseline.modes.erase("async");
    candidate.modes.erase("sync");
    const auto r = compare_ok(baseline, candidate);
    EXPECT_TRUE(r.refused);
    ASSERT_EQ(r.differences.size(), 1u);
    EXPECT_EQ(r.differences[0], "modes: baseline ran sync, candidate ran async: none in common");
}

TEST(compare_runs, an_older_schema_version_is_a_note) {
    const auto r =
        compare_runs(compared(make_run(), "old.json", 5), compared(make_run(), "new.json"), {}, {});
    const auto& c = std::get<comparison_result>(r);
    EXPECT_FALSE(c.refused);
    ASSERT_EQ(c.notes.size(), 1u);
    EXPECT_TRUE(contains(c.notes[0], "result.json versions differ: baseline 5, candidate " +
                                         std::to_string(result_schema_version)));
    const auto both_old =
        compare_runs(compared(make_run(), "a.json", 3), compared(make_run(), "b.json", 3), {}, {});
    EXPECT_EQ(std::get<comparison_result>(both_old).notes,
              std::vector<std::string>{"Both result.json files are version 3, older than 6: read "
                                       "as one repetition a mode."});
}

TEST(database_kind, reads_the_kind_from_any_spelling) {
    EXPECT_EQ(database_kind("SQLite 3.40.1 (files in out/x)"), "SQLite");
    EXPECT_EQ(database_kind("sqlite"), "SQLite");
    EXPECT_EQ(database_kind("PostgreSQL at 127.0.0.1:55432 (schema ab_x_<mode> per mode)"),
              "PostgreSQL");
    EXPECT_EQ(database_kind("postgresql"), "PostgreSQL");
    EXPECT_EQ(database_kind("duckdb"), "duckdb");
}

}  // namespace
}  // namespace asyncbench
