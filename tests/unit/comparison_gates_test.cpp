// Which metrics compare judges and which way is worse: from the runs' thresholds and --metric.
#include "harness/result/comparison_gates.hpp"

#include <gtest/gtest.h>

#include "comparison_test_support.hpp"

namespace asyncbench {
namespace {

using namespace comparison_fixtures;

const std::vector<std::string> both{"sync", "async"};

gate_selection select_ok(const run_result& baseline, const run_result& candidate,
                         const std::vector<metric_request>& requests = {},
                         const std::vector<std::string>& modes = both) {
    auto s = select_gates(baseline, candidate, requests, modes);
    if (auto* error = std::get_if<std::string>(&s)) throw std::runtime_error(*error);
    return std::get<gate_selection>(std::move(s));
}

std::string select_error(const run_result& baseline, const run_result& candidate,
                         const std::vector<metric_request>& requests) {
    auto s = select_gates(baseline, candidate, requests, both);
    if (auto* error = std::get_if<std::string>(&s)) return *error;
    return "(no error)";
}

// "async completion_p99 lower" per gate, to compare whole selections at once.
std::vector<std::string> described(const gate_selection& s) {
    std::vector<std::string> out;
    for (const auto& g : s.gates) {
        out.push_back(g.mode + " " + g.metric +
                      (g.direction == metric_direction::lower_is_better ? " lower" : " higher"));
    }
    return out;
}

TEST(parse_metric_request, reads_mode_metric_and_direction) {
    const auto r = request("async.ranking_overcount_units:higher");
    EXPECT_EQ(r.mode, "async");
    EXPECT_EQ(r.metric, "ranking_overcount_units");
    EXPECT_EQ(r.direction, metric_direction::higher_is_better);
    const auto plain = request("api_all_p99");
    EXPECT_EQ(plain.mode, "");
    EXPECT_FALSE(plain.direction.has_value());
}

TEST(parse_metric_request, says_what_is_wrong) {
    const auto error = [](std::string_view text) {
        return std::get<std::string>(parse_metric_request(text));
    };
    EXPECT_TRUE(contains(error("async.x:up"), ":lower or :higher"));
    EXPECT_TRUE(contains(error("kafka.x"), "\"kafka\" is not a mode"));
    EXPECT_TRUE(contains(error("async.:lower"), "no metric name"));
}

TEST(select_gates, declared_thresholds_of_either_run_are_gates_once_per_mode) {
    run_result baseline = make_run();
    run_result candidate = make_run();
    candidate.thresholds = {
        threshold("sync", "lost", "<=", 0),  // implicit: correctness, not a gate
        threshold("async", "completion_p99", "<", 10e6, "async.completion_p99 < 10s"),
        threshold("sync", "availability", ">=", 0.99, "availability >= 0.99"),
        threshold("async", "availability", ">=", 0.99, "availability >= 0.99"),
    };
    candidate.thresholds[0].implicit = true;
    baseline.thresholds = {candidate.thresholds[1],
                           threshold("sync", "api_all_p99", "<", 5e5, "sync.api_all_p99 < 500ms")};
    const auto s = select_ok(baseline, candidate);
    EXPECT_EQ(described(s), (std::vector<std::string>{
                                "sync availability higher", "sync api_all_p99 lower",
                                "async completion_p99 lower", "async availability higher"}));
    EXPECT_EQ(s.gates[0].declared_by, "threshold availability >= 0.99");
}

// Per-window values are not kept per repetition: such a threshold is said, not compared.
TEST(select_gates, during_thresholds_are_noted_not_compared) {
    run_result candidate = make_run();
    candidate.thresholds = {threshold("async", "availability", ">=", 0.999,
                                      "during 'LP outage': async.availability >= 0.999",
                                      "LP outage")};
    const auto s = select_ok(make_run(), candidate);
    EXPECT_TRUE(s.gates.empty());
    ASSERT_EQ(s.notes.size(), 1u);
    EXPECT_TRUE(contains(s.notes[0], "during 'LP outage'"));
    EXPECT_TRUE(contains(s.notes[0], "per fault window are not kept per repetition"));
}

TEST(select_gates, a_scenario_metric_takes_its_direction_from_its_threshold) {
    run_result candidate = make_run();
    set_metric(candidate, "async", "ranking_overcount_units", {3});
    set_metric(candidate, "async", "coupons_issued", {3});
    candidate.thresholds = {threshold("async", "ranking_overcount_units", "<=", 0),
                            threshold("async", "coupons_issued", ">", 100)};
    EXPECT_EQ(described(select_ok(make_run(), candidate)),
              (std::vector<std::string>{"async ranking_overcount_units lower",
                                        "async coupons_issued higher"}));
}

TEST(select_gates, metric_options_add_gates_in_the_modes_they_name) {
    run_result candidate = make_run();
    set_metric(candidate, "async", "coupons_issued", {3});
    const auto s = select_ok(make_run(), candidate,
                             {request("api_all_p99"), request("async.completion_p50"),
                              request("async.coupons_issued:higher"), request("api_all_p99")});
    EXPECT_EQ(described(s), (std::vector<std::string>{
                                "sync api_all_p99 lower", "async api_all_p99 lower",
                                "async completion_p50 lower", "async coupons_issued higher"}));
    EXPECT_EQ(s.gates[3].declared_by, "--metric async.coupons_issued:higher");
}

TEST(select_gates, a_scenario_metric_without_a_direction_is_an_error_naming_the_fix) {
    run_result candidate = make_run();
    set_metric(candidate, "async", "coupons_issued", {3});
    const auto error = select_error(make_run(), candidate, {request("async.coupons_issued")});
    EXPECT_TRUE(contains(error, "\"coupons_issued\" is a scenario metric")) << error;
    EXPECT_TRUE(contains(error, "no threshold says which way is worse")) << error;
    EXPECT_TRUE(contains(error, "--metric async.coupons_issued:lower")) << error;
}

TEST(select_gates, an_unknown_metric_is_an_error_listing_the_valid_names) {
    run_result candidate = make_run();
    set_metric(candidate, "async", "coupons_issued", {3});
    const auto error = select_error(make_run(), candidate, {request("api_p99")});
    EXPECT_TRUE(contains(error, "unknown metric \"api_p99\"")) << error;
    EXPECT_TRUE(contains(error, "api_all_p99")) << error;
    EXPECT_TRUE(contains(error, "This scenario's: coupons_issued.")) << error;
}

TEST(select_gates, a_suffix_against_a_built_in_direction_is_an_error) {
    const auto error = select_error(make_run(), make_run(), {request("availability:lower")});
    EXPECT_TRUE(contains(error, "availability is built in and higher is better")) << error;
    // The same direction as the catalogue's is merely redundant.
    EXPECT_EQ(select_ok(make_run(), make_run(), {request("availability:higher")}).gates.size(), 2u);
}

TEST(select_gates, thresholds_bounding_a_metric_from_both_sides_need_a_metric_option) {
    run_result candidate = make_run();
    set_metric(candidate, "async", "coupons_issued", {3});
    candidate.thresholds = {threshold("async", "coupons_issued", ">", 10, "coupons_issued > 10"),
                            threshold("async", "coupons_issued", "<", 90, "coupons_issued < 90")};
    const auto error = select_error(make_run(), candidate, {});
    EXPECT_TRUE(contains(error, "bound it from both sides")) << error;
    EXPECT_EQ(described(select_ok(make_run(), candidate, {request("async.coupons_issued:higher")})),
              std::vector<std::string>{"async coupons_issued higher"});
}

TEST(select_gates, correctness_metrics_and_modes_not_compared_are_noted) {
    const auto s = select_ok(make_run(), make_run(),
                             {request("lost"), request("async.api_all_p99")}, {"sync"});
    EXPECT_TRUE(s.gates.empty());
    ASSERT_EQ(s.notes.size(), 2u);
    EXPECT_TRUE(contains(s.notes[0], "lost is a correctness check"));
    EXPECT_TRUE(contains(s.notes[1], "async was not run by both sides"));
}

}  // namespace
}  // namespace asyncbench
