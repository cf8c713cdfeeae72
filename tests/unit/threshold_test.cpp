// Thresholds (harness/config/threshold.hpp, threshold_reader.hpp) and their checks against a
// made-up result (harness/result/threshold_checks.hpp): what is accepted, the unit each value
// is read in, what an error says, and which check passes.
#include "harness/config/threshold.hpp"

#include <gtest/gtest.h>

#include "harness/config/scenario_loader.hpp"
#include "harness/config/threshold_reader.hpp"
#include "harness/result/threshold_checks.hpp"
#include "tests/unit/loader_test_support.hpp"

namespace asyncbench {
namespace {

const threshold_names names{{"coupons_oversold"}, {"LP outage"}};

threshold_spec parsed(std::string_view text) {
    auto result = parse_threshold(text, names);
    if (auto* error = std::get_if<std::string>(&result)) {
        ADD_FAILURE() << text << ": " << *error;
        return {};
    }
    return std::get<threshold_spec>(result);
}

std::string error_of(std::string_view text) {
    auto result = parse_threshold(text, names);
    if (std::holds_alternative<threshold_spec>(result)) {
        ADD_FAILURE() << text << " was accepted";
        return {};
    }
    return std::get<std::string>(result);
}

TEST(parse_threshold, reads_the_mode_the_metric_the_operator_and_the_value_in_its_unit) {
    const auto p99 = parsed("async.completion_p99 < 10s");
    ASSERT_TRUE(p99.only.has_value());
    EXPECT_EQ(*p99.only, mode::async);
    EXPECT_EQ(p99.metric, "completion_p99");
    EXPECT_EQ(p99.op, comparison::less);
    EXPECT_DOUBLE_EQ(p99.value, 10e6);  // microseconds
    EXPECT_EQ(p99.text, "async.completion_p99 < 10s");

    const auto availability = parsed("  sync.availability>=99.9% ");
    EXPECT_EQ(*availability.only, mode::sync);
    EXPECT_EQ(availability.op, comparison::greater_equal);
    EXPECT_NEAR(availability.value, 0.999, 1e-12);
    EXPECT_EQ(availability.text, "sync.availability >= 99.9%");
    EXPECT_DOUBLE_EQ(parsed("availability >= 0.99").value, 0.99);

    const auto both = parsed("api_all_p999 <= 500ms");
    EXPECT_FALSE(both.only.has_value());
    EXPECT_EQ(both.op, comparison::less_equal);
    EXPECT_DOUBLE_EQ(both.value, 500'000);

    EXPECT_DOUBLE_EQ(parsed("drain_s < 1m").value, 60.0);  // seconds metrics stay seconds
    EXPECT_DOUBLE_EQ(parsed("achieved_per_s > 180").value, 180);
    EXPECT_DOUBLE_EQ(parsed("coupons_oversold <= 0").value, 0);  // a scenario metric
}

TEST(parse_threshold, reads_a_fault_window) {
    const auto during = parsed("during 'LP outage': async.availability >= 0.999");
    EXPECT_EQ(during.during, "LP outage");
    EXPECT_EQ(during.metric, "availability");
    EXPECT_EQ(during.text, "during 'LP outage': async.availability >= 0.999");
}

TEST(parse_threshold, says_what_is_wrong) {
    const auto unknown = error_of("async.completion_p98 < 10s");
    EXPECT_NE(unknown.find("unknown metric 'completion_p98'"), std::string::npos) << unknown;
    EXPECT_NE(unknown.find("valid: api_all_p50, "), std::string::npos) << unknown;
    EXPECT_NE(unknown.find(", coupons_oversold"), std::string::npos) << unknown;
    EXPECT_NE(error_of("batch.availability > 0.9").find("'batch' is not a mode"),
              std::string::npos);
    EXPECT_NE(error_of("availability 0.9").find("no comparison"), std::string::npos);
    EXPECT_NE(error_of("availability >=").find("no value"), std::string::npos);
    EXPECT_NE(error_of("api_all_p99 < 500").find("not a duration"), std::string::npos);
    EXPECT_NE(error_of("availability >= 120%").find("not a share"), std::string::npos);
    EXPECT_NE(error_of("achieved_per_s > fast").find("not a number"), std::string::npos);
    EXPECT_NE(error_of("during 'DB down': availability > 0.9").find("no fault is named 'DB down'"),
              std::string::npos);
    EXPECT_NE(error_of("during LP outage: availability > 0.9").find("during 'FAULT NAME'"),
              std::string::npos);
    EXPECT_NE(error_of("during 'LP outage': completion_p99 < 1s")
                  .find("'completion_p99' is not measured per fault window"),
              std::string::npos);
}

TEST(holds, compares_strictly_or_not_as_written) {
    EXPECT_TRUE(holds(comparison::less, 1, 2));
    EXPECT_FALSE(holds(comparison::less, 2, 2));
    EXPECT_TRUE(holds(comparison::less_equal, 2, 2));
    EXPECT_TRUE(holds(comparison::greater_equal, 2, 2));
    EXPECT_FALSE(holds(comparison::greater, 2, 2));
}

// A scenario file's thresholds are read with their line, an unknown name among them.
TEST(threshold_reader, reads_the_file_and_reports_each_bad_threshold_with_its_line) {
    const auto loaded = load_scenario_text(R"(name: gated
plugin: lp-report
systems:
  lp:
    operations:
      LPRUN: {latency: {distribution: fixed, value: 1ms}}
workflow:
  - stage: report
    steps: [{name: run, call: lp.LPRUN}]
slo: {api_p99: 1s}
thresholds:
  - "async.completion_p99 < 10s"
  - "async.key_order_violations <= 0"
  - "sync.p99 < 1s"
)",
                                           "gated.yaml");
    const auto* errors = std::get_if<std::vector<config_error>>(&loaded);
    ASSERT_NE(errors, nullptr);
    ASSERT_EQ(errors->size(), 1u);
    EXPECT_EQ((*errors)[0].key, "thresholds[2]");
    EXPECT_EQ((*errors)[0].line, 14);
    EXPECT_NE((*errors)[0].message.find("unknown metric 'p99'"), std::string::npos);
}

// A scenario file with `more` (watchers, lookups, or neither) and two thresholds on their
// metrics.
load_result_t watched_scenario(const std::string& more) {
    return load_scenario_text(R"(name: watched
plugin: incident-alert
redis: {s: state, c: channel}
workflow:
  - stage: notify
    steps:
      - {name: keep, redis: {keep: s, entity: incident_id, version: version, publish: c}}
)" + more + R"(thresholds:
  - "async.watch_missed <= 0"
  - "lookup_p99_ms < 50"
)",
                              "watched.yaml");
}

const std::string& watchers = testing_support::subscribing_watchers;
const std::string lookups =
    "lookups: {rate: 5/s, entity: incident_id, sync: {redis: s}, "
    "async: {redis: s}}\n";

TEST(threshold_reader, watch_and_lookup_metrics_exist_only_with_watchers_and_lookups) {
    const auto both = watched_scenario(watchers + lookups);
    ASSERT_TRUE(std::holds_alternative<scenario_config>(both));
    const auto& thresholds = std::get<scenario_config>(both).thresholds;
    ASSERT_EQ(thresholds.size(), 2u);
    EXPECT_EQ(thresholds[0].metric, "watch_missed");
    EXPECT_EQ(*thresholds[0].only, mode::async);
    EXPECT_DOUBLE_EQ(thresholds[0].value, 0);
    EXPECT_EQ(thresholds[1].metric, "lookup_p99_ms");
    EXPECT_DOUBLE_EQ(thresholds[1].value, 50);  // milliseconds, as the name says

    const auto neither = watched_scenario("");
    const auto* errors = std::get_if<std::vector<config_error>>(&neither);
    ASSERT_NE(errors, nullptr);
    ASSERT_EQ(errors->size(), 2u);
    EXPECT_EQ((*errors)[0].key, "thresholds[0]");
    EXPECT_NE((*errors)[0].message.find("unknown metric 'watch_missed'"), std::string::npos)
        << (*errors)[0].message;
    EXPECT_EQ((*errors)[1].key, "thresholds[1]");
    EXPECT_NE((*errors)[1].message.find("unknown metric 'lookup_p99_ms'"), std::string::npos)
        << (*errors)[1].message;

    // Watchers without lookups: only the lookup threshold is unknown.
    const auto watched_only = watched_scenario(watchers);
    errors = std::get_if<std::vector<config_error>>(&watched_only);
    ASSERT_NE(errors, nullptr);
    ASSERT_EQ(errors->size(), 1u);
    EXPECT_EQ((*errors)[0].key, "thresholds[1]");
    EXPECT_NE((*errors)[0].message.find("unknown metric 'lookup_p99_ms'"), std::string::npos)
        << (*errors)[0].message;
}

TEST(threshold_reader, a_run_tests_the_slo_keys_then_the_file_then_the_command_line) {
    auto loaded = load_scenario_text(R"(name: gated
plugin: lp-report
systems:
  lp:
    operations:
      LPRUN: {latency: {distribution: fixed, value: 1ms}}
workflow:
  - stage: report
    steps: [{name: run, call: lp.LPRUN}]
slo: {api_p99: 1s, min_availability: 0.99}
thresholds: ["async.completion_p99 < 10s"]
)",
                                     "gated.yaml");
    ASSERT_TRUE(std::holds_alternative<scenario_config>(loaded));
    std::vector<std::string> errors;
    const auto all = run_thresholds(std::get<scenario_config>(loaded),
                                    {"sync.api_2xx_p50 < 5ms", "sync.nonsense < 1"}, errors);
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[0].text, "api_all_p99 <= 1000ms");
    EXPECT_DOUBLE_EQ(all[0].value, 1e6);
    EXPECT_EQ(all[1].text, "availability >= 0.99");
    EXPECT_EQ(all[2].text, "async.completion_p99 < 10s");
    EXPECT_EQ(all[3].text, "sync.api_2xx_p50 < 5ms");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].rfind("--threshold 'sync.nonsense < 1': unknown metric", 0), 0u)
        << errors[0];
}

// A mode with a p99 of 900 ms, availability 95% and 2 lost; another fast and whole.
run_result two_modes() {
    run_result result;
    auto& sync = result.modes["sync"];
    sync.mode = "sync";
    sync.requests = 100;
    sync.api_latency_all_us = {100, 1000, 5000, 8000, 900'000, 950'000, 990'000, 20'000};
    sync.availability = 0.95;
    sync.reconciliation.lost = 2;
    auto& async = result.modes["async"];
    async.mode = "async";
    async.requests = 100;
    async.api_latency_all_us = {100, 1000, 3000, 6000, 12'000, 13'000, 14'000, 7'000};
    async.availability = 1.0;
    fault_impact outage;
    outage.fault = "LP outage";
    outage.during.requests = 50;
    outage.during.availability = 0.9;
    async.fault_impacts.push_back(outage);
    return result;
}

const threshold_check* find_check(const std::vector<threshold_check>& checks,
                                  const std::string& mode, const std::string& threshold) {
    for (const auto& check : checks) {
        if (check.mode == mode && check.threshold == threshold) return &check;
    }
    return nullptr;
}

TEST(evaluate_thresholds, checks_each_mode_with_its_observed_value_and_the_implicit_checks) {
    const std::vector<threshold_spec> thresholds{
        parsed("api_all_p99 <= 500ms"), parsed("async.availability >= 99%"),
        parsed("during 'LP outage': availability >= 0.95"), parsed("completion_p99 < 1s")};
    const auto checks = evaluate_thresholds(thresholds, two_modes());

    const auto* sync_p99 = find_check(checks, "sync", "api_all_p99 <= 500ms");
    ASSERT_NE(sync_p99, nullptr);
    EXPECT_FALSE(sync_p99->passed);
    EXPECT_EQ(sync_p99->observed_text, "900.0 ms");
    EXPECT_EQ(sync_p99->bound_text, "500.0 ms");
    EXPECT_TRUE(find_check(checks, "async", "api_all_p99 <= 500ms")->passed);
    EXPECT_TRUE(find_check(checks, "async", "async.availability >= 99%")->passed);
    EXPECT_EQ(find_check(checks, "sync", "async.availability >= 99%"), nullptr);

    // The window: only async applied the fault; sync is skipped, not failed.
    const auto* window = find_check(checks, "async", "during 'LP outage': availability >= 0.95");
    ASSERT_NE(window, nullptr);
    EXPECT_FALSE(window->passed);
    EXPECT_EQ(window->observed_text, "90.00%");
    EXPECT_EQ(find_check(checks, "sync", "during 'LP outage': availability >= 0.95"), nullptr);

    // Nothing completed: not measured, so it fails.
    const auto* completion = find_check(checks, "async", "completion_p99 < 1s");
    ASSERT_NE(completion, nullptr);
    EXPECT_FALSE(completion->passed);
    EXPECT_EQ(completion->observed_text, "none completed");

    // Always checked: nothing lost, no duplicate, every required invariant.
    const auto* lost = find_check(checks, "sync", "lost <= 0");
    ASSERT_NE(lost, nullptr);
    EXPECT_TRUE(lost->implicit);
    EXPECT_FALSE(lost->passed);
    EXPECT_EQ(lost->observed_text, "2");
    EXPECT_TRUE(find_check(checks, "async", "lost <= 0")->passed);
    EXPECT_TRUE(find_check(checks, "async", "broken_invariants <= 0")->passed);
}

TEST(evaluate_thresholds, a_window_of_a_named_mode_that_did_not_apply_the_fault_fails) {
    const auto checks =
        evaluate_thresholds({parsed("during 'LP outage': sync.availability >= 0.5")}, two_modes());
    const auto* check = find_check(checks, "sync", "during 'LP outage': sync.availability >= 0.5");
    ASSERT_NE(check, nullptr);
    EXPECT_FALSE(check->passed);
    EXPECT_EQ(check->observed_text, "the fault was not applied in this mode");
}

}  // namespace
}  // namespace asyncbench
