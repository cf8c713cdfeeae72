// The exit-code rule and the validity rules behind it, on made-up results: a finding about the
// system under test (1) must never be confused with a measurement that cannot be trusted (3).
#include "harness/result/exit_status.hpp"

#include <gtest/gtest.h>

#include "harness/run/run_validity.hpp"

namespace asyncbench {
namespace {

using namespace std::chrono_literals;

run_result held_run() {
    run_result r;
    for (const char* name : {"sync", "async"}) {
        mode_result m;
        m.mode = name;
        m.requests = 100;
        m.reconciliation.accepted = 100;
        m.reconciliation.completed = 100;
        r.modes[name] = m;
    }
    threshold_check held;
    held.threshold = "availability >= 0.99";
    held.mode = "sync";
    held.observed_text = "100.00%";
    r.thresholds = {held};
    return r;
}

threshold_check missed(const std::string& mode, const std::string& threshold,
                       const std::string& observed, bool implicit = false) {
    threshold_check check;
    check.threshold = threshold;
    check.mode = mode;
    check.observed_text = observed;
    check.passed = false;
    check.implicit = implicit;
    return check;
}

TEST(judge_run, a_valid_run_where_everything_held_is_0) {
    const auto judgement = judge_run(held_run());
    EXPECT_EQ(judgement.status, exit_status::held);
    EXPECT_EQ(exit_code(judgement.status), 0);
    EXPECT_TRUE(judgement.reasons.empty());
}

TEST(judge_run, a_missed_threshold_is_a_finding) {
    run_result r = held_run();
    r.thresholds.push_back(missed("async", "api_all_p99 <= 500ms", "812.0 ms"));
    const auto judgement = judge_run(r);
    EXPECT_EQ(exit_code(judgement.status), 1);
    ASSERT_EQ(judgement.reasons.size(), 1u);
    EXPECT_EQ(judgement.reasons[0], "async: threshold api_all_p99 <= 500ms missed: 812.0 ms");
}

// The implicit checks (lost <= 0, ...) are said once, in words, from the reconciliation.
TEST(judge_run, a_missed_implicit_check_is_said_once) {
    run_result r = held_run();
    r.modes["async"].reconciliation.lost = 3;
    r.thresholds.push_back(missed("async", "lost <= 0", "3", true));
    const auto judgement = judge_run(r);
    EXPECT_EQ(exit_code(judgement.status), 1);
    ASSERT_EQ(judgement.reasons.size(), 1u);
    EXPECT_EQ(judgement.reasons[0], "async: 3 acknowledged requests were lost");
}

// Before exit codes were separated, a lost request made the run "invalid" (exit 1, like a
// drain time-out): a loss is what a valid run found, so it is 1, never 3.
TEST(judge_run, lost_requests_and_duplicate_effects_are_findings_not_invalid_runs) {
    run_result r = held_run();
    r.modes["async"].reconciliation.lost = 1145;
    r.modes["sync"].reconciliation.duplicate_effects = 2;
    const auto judgement = judge_run(r);
    EXPECT_EQ(judgement.status, exit_status::finding);
    ASSERT_EQ(judgement.reasons.size(), 2u);
    EXPECT_EQ(judgement.reasons[0], "async: 1145 acknowledged requests were lost");
    EXPECT_EQ(judgement.reasons[1], "sync: 2 effects were applied more than once");
}

// A scenario's invariant: broken and required is a finding (1); broken where the scenario
// file says it may break (a variant showing a known weakness) is shown, and the run held (0).
TEST(judge_run, a_broken_required_invariant_is_a_finding_an_expected_one_is_not) {
    run_result r = held_run();
    r.modes["async"].invariants = {
        {"ranking_matches_orders", "score = units paid", "3 of 39 products differ", false, false}};
    EXPECT_EQ(judge_run(r).status, exit_status::held);
    r.modes["async"].invariants[0].required = true;
    const auto judgement = judge_run(r);
    EXPECT_EQ(judgement.status, exit_status::finding);
    ASSERT_EQ(judgement.reasons.size(), 1u);
    EXPECT_EQ(judgement.reasons[0],
              "async: invariant ranking_matches_orders broken: 3 of 39 products differ "
              "(expected score = units paid)");
}

TEST(judge_run, an_invalid_mode_is_untrustworthy_and_its_findings_still_listed) {
    run_result r = held_run();
    r.modes["async"].valid = false;
    r.modes["async"].invalid_reasons = {
        "the drain timed out with 7 accepted requests still pending"};
    r.modes["async"].reconciliation.lost = 3;
    const auto judgement = judge_run(r);
    EXPECT_EQ(exit_code(judgement.status), 3);
    ASSERT_EQ(judgement.reasons.size(), 2u);
    EXPECT_EQ(judgement.reasons[0],
              "async: the drain timed out with 7 accepted requests still pending");
    EXPECT_EQ(judgement.reasons[1], "async: 3 acknowledged requests were lost");
}

TEST(judge_run, an_interrupted_or_empty_run_is_untrustworthy) {
    run_result interrupted = held_run();
    interrupted.valid = false;  // set by the runner on SIGINT
    EXPECT_EQ(judge_run(interrupted).status, exit_status::untrustworthy);
    EXPECT_EQ(judge_run(run_result{}).status, exit_status::untrustworthy);
    EXPECT_EQ(judge_run(run_result{}).reasons, std::vector<std::string>{"no mode ran"});
}

run_result run_of(const mode_result& m) {
    run_result r;
    r.modes[m.mode] = m;
    return r;
}

mode_result measured_mode() {
    mode_result m;
    m.mode = "async";
    m.requests = 100;
    m.schedule_lag_us = {100, 10, 200, 400, 900, 1500, 2000, 300};
    return m;
}

TEST(judge_validity, a_drained_on_schedule_run_is_valid) {
    mode_result m = measured_mode();
    judge_validity(m, validity_input{});
    EXPECT_TRUE(m.valid);
    EXPECT_TRUE(m.invalid_reasons.empty());
}

TEST(judge_validity, a_drain_timeout_names_the_most_frequent_step_error) {
    mode_result m = measured_mode();
    m.reconciliation.pending = 80;
    validity_input input;
    input.drained = false;
    input.step_errors = {{"report", "insert_again", "database: UNIQUE constraint failed",
                          "database: UNIQUE constraint failed: records.business_id", 2400}};
    judge_validity(m, input);
    EXPECT_FALSE(m.valid);
    ASSERT_EQ(m.invalid_reasons.size(), 1u);
    EXPECT_EQ(m.invalid_reasons[0],
              "the drain timed out with 80 accepted requests still pending; the most frequent "
              "step error was report/insert_again: \"database: UNIQUE constraint failed: "
              "records.business_id\" (2400 times)");
    EXPECT_EQ(judge_run(run_of(m)).status, exit_status::untrustworthy);
}

// A slow but steady pipeline (coupon-rush's seed scheduler: one user a second) times out
// under a short drain: the reason gives its pace and what the rest would need, not "stuck".
TEST(judge_validity, a_drain_timeout_without_errors_gives_the_pace_and_the_time_left) {
    mode_result m = measured_mode();
    m.reconciliation.pending = 970;
    validity_input input;
    input.drained = false;
    input.drain_finished = 30;
    input.drain_s = 30.0;
    judge_validity(m, input);
    ASSERT_EQ(m.invalid_reasons.size(), 1u);
    EXPECT_EQ(m.invalid_reasons[0],
              "the drain timed out with 970 accepted requests still pending; the drain finished "
              "30 in 30 s (1.0/s): at that pace the rest needs about 16 min; raise drain_timeout "
              "to measure it");

    mode_result stuck = measured_mode();
    stuck.reconciliation.pending = 5;
    input.drain_finished = 0;
    judge_validity(stuck, input);
    ASSERT_EQ(stuck.invalid_reasons.size(), 1u);
    EXPECT_EQ(stuck.invalid_reasons[0],
              "the drain timed out with 5 accepted requests still pending; nothing finished "
              "during the drain");
}

TEST(judge_validity, a_generator_behind_schedule_makes_the_run_untrustworthy) {
    mode_result m = measured_mode();
    m.schedule_lag_us.p90_us = 250'000;  // 10% of requests over the 100 ms bound
    m.schedule_lag_us.p99_us = 900'000;
    judge_validity(m, validity_input{});
    EXPECT_FALSE(m.valid);
    ASSERT_EQ(m.invalid_reasons.size(), 1u);
    EXPECT_NE(m.invalid_reasons[0].find("could not keep its schedule (more than 10% of requests "
                                        "were handed on over 100 ms late; p90 250.0 ms)"),
              std::string::npos)
        << m.invalid_reasons[0];
    EXPECT_EQ(judge_run(run_of(m)).status, exit_status::untrustworthy);

    mode_result closed_loop = measured_mode();
    closed_loop.schedule_lag_us = {};  // no schedule, nothing to judge
    judge_validity(closed_loop, validity_input{});
    EXPECT_TRUE(closed_loop.valid);
}

// A busy machine (a JVM starting beside the run; three brokers, PostgreSQL and 96 consumer
// clients on two cores, as in CI, where p90 was 22 ms) delays some requests: a warning, not an
// untrustworthy run.
TEST(judge_validity, a_held_up_generator_that_keeps_its_schedule_is_a_warning) {
    mode_result m = measured_mode();
    m.schedule_lag_us.p90_us = 22'000;
    m.schedule_lag_us.p99_us = 46'100;
    judge_validity(m, validity_input{});
    EXPECT_TRUE(m.valid);
    ASSERT_EQ(m.warnings.size(), 1u);
    EXPECT_NE(m.warnings[0].find("held up at times (1% of requests were handed on over 20 ms "
                                 "late; p99 46.1 ms, p90 22.0 ms)"),
              std::string::npos)
        << m.warnings[0];
    EXPECT_EQ(judge_run(run_of(m)).status, exit_status::held);
}

// The drain stopped because only provably lost work was left, but the final check could not
// prove it: requests left pending must not pass as a clean run.
TEST(judge_validity, requests_pending_after_an_early_drain_end_make_the_run_untrustworthy) {
    mode_result m = measured_mode();
    m.reconciliation.pending = 241;
    judge_validity(m, validity_input{});  // drained (early), not interrupted
    EXPECT_FALSE(m.valid);
    ASSERT_EQ(m.invalid_reasons.size(), 1u);
    EXPECT_EQ(m.invalid_reasons[0],
              "241 accepted requests were neither finished nor proven lost when the run ended "
              "(Kafka did not answer the final loss check)");
}

TEST(judge_validity, an_interrupted_drain_is_not_called_a_time_out) {
    mode_result m = measured_mode();
    validity_input input;
    input.drained = false;
    input.interrupted = true;
    judge_validity(m, input);
    EXPECT_EQ(m.invalid_reasons, std::vector<std::string>{"the run was interrupted"});
}

TEST(judge_validity, interruption_no_requests_and_dead_harness_parts_are_each_stated) {
    mode_result m = measured_mode();
    m.requests = 0;
    validity_input input;
    input.interrupted = true;
    input.harness_failures = {"worker process 1 ended with 'killed by signal 9'"};
    judge_validity(m, input);
    EXPECT_FALSE(m.valid);
    EXPECT_EQ(m.invalid_reasons,
              (std::vector<std::string>{"the run was interrupted",
                                        "no request was sent in the measured phase",
                                        "worker process 1 ended with 'killed by signal 9'"}));
}

}  // namespace
}  // namespace asyncbench
