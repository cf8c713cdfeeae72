// Whether a capacity step was sustainable (harness/capacity/step_judgement.hpp), on made-up step
// results: a healthy step passes, then each rule is broken on its own and must fail the step
// for the right ceiling, with its figures in the reason and the bottleneck it points at.
#include "harness/capacity/step_judgement.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace asyncbench {
namespace {

constexpr double warmup_s = 5;
constexpr double duration_s = 20;

latency_summary latency(std::uint64_t count, double p99_us) {
    latency_summary l;
    l.count = count;
    l.min_us = p99_us / 10;
    l.p50_us = p99_us / 4;
    l.p90_us = p99_us / 2;
    l.p99_us = p99_us;
    l.p999_us = p99_us * 1.5;
    l.max_us = p99_us * 2;
    l.mean_us = p99_us / 3;
    return l;
}

// A step that kept up at `offered` per second: every request answered 2xx within 20 ms and
// completed within 200 ms, the generator 0.8 ms late at worst (p99), and a backlog of about 40
// in flight that does not grow. Series: 5 s of warm-up, 20 measured seconds, 3 of drain.
mode_result healthy(mode which, double offered = 200) {
    mode_result m;
    m.mode = mode_name(which);
    const auto requests = static_cast<std::uint64_t>(offered * duration_s);
    m.offered_per_s = offered;
    m.achieved_per_s = offered;
    m.requests = requests;
    m.requests_all_phases = requests + static_cast<std::uint64_t>(offered * warmup_s);
    m.availability = 1;
    m.api_latency_all_us = latency(requests, 20'000);
    m.api_latency_2xx_us = latency(requests, 20'000);
    m.completion_latency_us = latency(requests, 200'000);
    m.send_delay_us = latency(requests, 900);
    m.schedule_lag_us = latency(requests, 800);
    m.reconciliation.accepted = requests;
    m.reconciliation.completed = requests;
    m.drain_s = 0.4;
    m.time_to_full_completion_s = warmup_s + duration_s + 0.4;
    for (std::int64_t t = 0; t < 28; ++t) {
        second_sample s;
        s.t_s = t;
        s.sent = t < 25 ? static_cast<std::uint64_t>(offered) : 0;
        s.ok = s.sent;
        s.backlog = t < 25 ? 40 + (t % 3) - 1 : 0;  // 39, 40, 41, ...; empty after the drain
        m.series.push_back(s);
    }
    m.stages = {stage_tally{"lp", requests, requests, 0, 0, 0},
                stage_tally{"report", requests, requests, 0, 0, 0}};
    return m;
}

// The measured seconds' backlog set to `values`, one a second from t = warmup_s.
void set_measured_backlog(mode_result& m, const std::vector<std::int64_t>& values) {
    for (auto& s : m.series) {
        const auto i = s.t_s - static_cast<std::int64_t>(warmup_s);
        if (i >= 0 && i < static_cast<std::int64_t>(values.size())) {
            s.backlog = values[static_cast<std::size_t>(i)];
        }
    }
}

threshold_spec parsed(std::string_view text) {
    auto result = parse_threshold(text, threshold_names{});
    if (auto* error = std::get_if<std::string>(&result)) {
        ADD_FAILURE() << text << ": " << *error;
        return {};
    }
    return std::get<threshold_spec>(result);
}

step_judgement judge(mode which, const mode_result& step, double offered = 200,
                     const std::vector<threshold_spec>& thresholds = {},
                     const step_limits& limits = {}) {
    return judge_step(which, offered, step, thresholds, limits, warmup_s, duration_s);
}

std::string all_reasons(const step_judgement& j) {
    std::string text;
    for (const auto& r : j.reasons) text += r + " | ";
    return text;
}

TEST(judge_step, a_healthy_step_is_sustainable_in_both_modes) {
    for (const mode which : all_modes) {
        const auto j = judge(which, healthy(which));
        EXPECT_TRUE(j.accepting) << mode_name(which) << ": " << all_reasons(j);
        EXPECT_TRUE(j.completing) << mode_name(which);
        EXPECT_FALSE(j.generator_limited);
        EXPECT_TRUE(j.reasons.empty()) << all_reasons(j);
        EXPECT_EQ(j.bottleneck, "");
    }
}

TEST(judge_step, achieved_below_95_percent_of_offered_fails_the_api) {
    auto step = healthy(mode::async);
    step.achieved_per_s = 171.2;
    const auto j = judge(mode::async, step);
    EXPECT_FALSE(j.accepting);
    EXPECT_FALSE(j.completing);
    EXPECT_FALSE(j.generator_limited);
    ASSERT_EQ(j.reasons.size(), 1u) << all_reasons(j);
    EXPECT_EQ(j.reasons[0], "achieved 171.2/s of 200/s (85.6%)");
    // Nothing in the result says why: the API's failure is not blamed on the consumers.
    EXPECT_EQ(j.bottleneck, "unknown: see the step's report");

    step.achieved_per_s = 190;  // exactly 95%
    EXPECT_TRUE(judge(mode::async, step).completing);
    step.achieved_per_s = 189.9;
    EXPECT_FALSE(judge(mode::async, step).accepting);
}

TEST(judge_step, business_rejections_count_as_achieved) {
    // 409 answers (out of stock) are the workflow's correct answers, not missing throughput.
    auto step = healthy(mode::sync);
    step.achieved_per_s = 150;
    step.rejected = step.requests / 4;  // 50/s
    const auto j = judge(mode::sync, step);
    EXPECT_TRUE(j.completing) << all_reasons(j);

    step.achieved_per_s = 120;  // 120 + 50 = 170/s
    const auto short_of = judge(mode::sync, step);
    ASSERT_EQ(short_of.reasons.size(), 1u) << all_reasons(short_of);
    EXPECT_EQ(short_of.reasons[0], "achieved 170.0/s of 200/s (85.0%, 409 answers included)");
}

TEST(judge_step, errors_over_one_percent_of_answers_fail_the_api) {
    auto step = healthy(mode::sync);
    step.errors.status_5xx = 40;  // exactly 1% of 4,000
    EXPECT_TRUE(judge(mode::sync, step).accepting);

    step.errors.status_5xx = 80;
    step.step_errors = {step_error_count{"lp", "call_lp", "lp.LPRUN answered 503",
                                         "lp.LPRUN answered 503 for lp-000042", 80}};
    const auto j = judge(mode::sync, step);
    EXPECT_FALSE(j.accepting);
    EXPECT_FALSE(j.completing);
    ASSERT_EQ(j.reasons.size(), 1u) << all_reasons(j);
    EXPECT_EQ(j.reasons[0], "errors 2.00% of answers (80 of 4000), over 1%");
    EXPECT_EQ(j.bottleneck,
              "a dependency failing: 'lp.LPRUN answered 503' x80 (stage 'lp', step 'call_lp')");
}

TEST(judge_step, a_threshold_on_error_rate_replaces_the_one_percent_rule) {
    auto step = healthy(mode::sync);
    step.errors.timeout = 80;  // 2%
    EXPECT_TRUE(judge(mode::sync, step, 200, {parsed("error_rate < 5%")}).accepting);
    const auto strict = judge(mode::sync, step, 200, {parsed("error_rate < 1.5%")});
    EXPECT_FALSE(strict.accepting);
    ASSERT_EQ(strict.reasons.size(), 1u) << all_reasons(strict);
    EXPECT_EQ(strict.reasons[0], "threshold 'error_rate < 1.5%' missed: 2.00%");
    EXPECT_EQ(strict.bottleneck, "the API: 80 requests timed out (2.0%)");
    // A threshold for the other mode neither replaces the rule nor applies.
    const auto other = judge(mode::sync, step, 200, {parsed("async.error_rate < 5%")});
    EXPECT_FALSE(other.accepting);
    ASSERT_EQ(other.reasons.size(), 1u) << all_reasons(other);
    EXPECT_EQ(other.reasons[0], "errors 2.00% of answers (80 of 4000), over 1%");
}

TEST(judge_step, an_api_threshold_missed_fails_accepting) {
    const auto step = healthy(mode::async);
    const auto j = judge(mode::async, step, 200, {parsed("api_all_p99 < 10ms")});
    EXPECT_FALSE(j.accepting);
    EXPECT_FALSE(j.completing);
    ASSERT_EQ(j.reasons.size(), 1u) << all_reasons(j);
    EXPECT_EQ(j.reasons[0], "threshold 'api_all_p99 < 10ms' missed: 20.00 ms");
    // One for the other mode is not this mode's.
    EXPECT_TRUE(judge(mode::async, step, 200, {parsed("sync.api_all_p99 < 10ms")}).completing);
}

TEST(judge_step, a_completion_threshold_missed_fails_completing_only_in_async) {
    const auto threshold = parsed("completion_p99 < 100ms");
    const auto async = judge(mode::async, healthy(mode::async), 200, {threshold});
    EXPECT_TRUE(async.accepting);
    EXPECT_FALSE(async.completing);
    ASSERT_EQ(async.reasons.size(), 1u) << all_reasons(async);
    EXPECT_EQ(async.reasons[0], "threshold 'completion_p99 < 100ms' missed: 200.0 ms");
    EXPECT_EQ(async.bottleneck, "unknown: see the step's report");

    // Sync does the work inside the request: one judgement, the completion thresholds too.
    const auto sync = judge(mode::sync, healthy(mode::sync), 200, {threshold});
    EXPECT_FALSE(sync.accepting);
    EXPECT_FALSE(sync.completing);

    for (const char* completing :
         {"drain_s < 0.2s", "time_to_full_completion_s < 20s", "peak_backlog < 30"}) {
        const auto j = judge(mode::async, healthy(mode::async), 200, {parsed(completing)});
        EXPECT_TRUE(j.accepting) << completing;
        EXPECT_FALSE(j.completing) << completing;
    }
}

TEST(judge_step, the_generator_behind_says_nothing_about_the_system) {
    // At 200/s sends are 5 ms apart; 10% of that is 0.5 ms, so the 5 ms floor is the bound.
    auto step = healthy(mode::async);
    step.schedule_lag_us.p99_us = 4'900;
    EXPECT_FALSE(judge(mode::async, step).generator_limited);
    step.schedule_lag_us.p99_us = 5'100;
    const auto j = judge(mode::async, step);
    EXPECT_TRUE(j.generator_limited);
    EXPECT_FALSE(j.accepting);
    EXPECT_FALSE(j.completing);
    ASSERT_EQ(j.reasons.size(), 1u) << all_reasons(j);
    EXPECT_EQ(j.reasons[0],
              "the generator fell behind: schedule lag p99 5.10 ms, over its bound of 5.00 ms (the "
              "larger of 5.00 ms and 10% of the 5.00 ms between sends at 200/s)");
    EXPECT_EQ(j.bottleneck, "the generator: schedule lag p99 5.10 ms over 5.00 ms");

    // At 10/s sends are 100 ms apart: the bound is 10 ms, from the inter-arrival time.
    auto slow = healthy(mode::sync, 10);
    slow.schedule_lag_us.p99_us = 9'000;
    EXPECT_FALSE(judge(mode::sync, slow, 10).generator_limited);
    slow.schedule_lag_us.p99_us = 10'500;
    const auto behind = judge(mode::sync, slow, 10);
    EXPECT_TRUE(behind.generator_limited);
    EXPECT_EQ(behind.bottleneck, "the generator: schedule lag p99 10.50 ms over 10.00 ms");

    // No lag samples (a closed loop has no schedule): nothing to judge.
    slow.schedule_lag_us = {};
    EXPECT_FALSE(judge(mode::sync, slow, 10).generator_limited);
}

TEST(judge_step, a_generator_that_fell_behind_is_not_blamed_twice_for_an_invalid_run) {
    auto step = healthy(mode::async);
    step.schedule_lag_us.p99_us = 150'000;
    step.valid = false;
    step.invalid_reasons = {"the load generator could not keep its schedule"};
    const auto j = judge(mode::async, step);
    EXPECT_TRUE(j.generator_limited);
    EXPECT_EQ(j.reasons.size(), 1u) << all_reasons(j);
}

TEST(judge_step, a_growing_backlog_fails_completing_in_async) {
    auto step = healthy(mode::async);
    std::vector<std::int64_t> growing;
    for (int i = 0; i < 20; ++i) growing.push_back(65 + 5 * i);  // 5/s, over 1% of 200/s
    set_measured_backlog(step, growing);
    const auto j = judge(mode::async, step);
    EXPECT_TRUE(j.accepting);
    EXPECT_FALSE(j.completing);
    ASSERT_EQ(j.reasons.size(), 1u) << all_reasons(j);
    EXPECT_EQ(j.reasons[0],
              "the backlog grew 5.0/s through 20 measured seconds (65 to 160), over 2.0/s (1% of "
              "200/s)");
    EXPECT_EQ(j.bottleneck, "the consumers: the backlog grew 5.0/s");
    EXPECT_NEAR(backlog_growth_per_s(step.series, warmup_s, duration_s), 5.0, 1e-9);

    // Growing by 1.5/s is within 2/s.
    std::vector<std::int64_t> slow;
    for (int i = 0; i < 20; ++i) slow.push_back(40 + 3 * i / 2);
    set_measured_backlog(step, slow);
    EXPECT_TRUE(judge(mode::async, step).completing);
}

TEST(judge_step, a_backlog_that_grows_then_drains_within_the_step_kept_up) {
    auto step = healthy(mode::async);
    std::vector<std::int64_t> burst;
    for (int i = 0; i < 10; ++i) burst.push_back(10 * i);       // 0 .. 90
    for (int i = 0; i < 10; ++i) burst.push_back(90 - 10 * i);  // 90 .. 0
    set_measured_backlog(step, burst);
    const auto j = judge(mode::async, step);
    EXPECT_TRUE(j.completing) << all_reasons(j);
    EXPECT_NEAR(backlog_growth_per_s(step.series, warmup_s, duration_s), 0.0, 1e-9);
}

TEST(judge_step, only_the_measured_seconds_count_for_the_backlog) {
    // Filling up during the warm-up and emptying in the drain is not growth.
    auto step = healthy(mode::async);
    for (auto& s : step.series) {
        if (s.t_s < warmup_s) s.backlog = 100 * s.t_s;
        if (s.t_s >= warmup_s + duration_s) s.backlog = 1000 * (28 - s.t_s);
    }
    EXPECT_TRUE(judge(mode::async, step).completing);
}

TEST(judge_step, a_backlog_that_only_fluctuates_at_a_low_rate_is_noise) {
    // At 10/s the bound is 0.1/s. A handful in flight, fitted slope 0.11/s with a standard
    // error of 0.047/s: not evidence of growth, unless the noise allowance is turned off.
    auto step = healthy(mode::async, 10);
    set_measured_backlog(step, {1, 3, 0, 2, 4, 1, 0, 3, 2, 4, 2, 4, 1, 3, 4, 2, 3, 4, 3, 4});
    EXPECT_TRUE(judge(mode::async, step, 10).completing);
    step_limits bare;
    bare.backlog_noise_sigmas = 0;
    EXPECT_FALSE(judge(mode::async, step, 10, {}, bare).completing);
}

TEST(judge_step, fewer_than_three_measured_seconds_do_not_judge_the_backlog) {
    auto step = healthy(mode::async);
    set_measured_backlog(step, {0, 250, 500});
    EXPECT_TRUE(judge_step(mode::async, 200, step, {}, {}, warmup_s, 2).completing);
    EXPECT_FALSE(judge_step(mode::async, 200, step, {}, {}, warmup_s, 3).completing);
}

TEST(judge_step, a_growing_backlog_in_sync_fails_its_one_judgement) {
    // Sync's backlog is busy threads, the queue and work left to pollers.
    auto step = healthy(mode::sync);
    std::vector<std::int64_t> growing;
    for (int i = 0; i < 20; ++i) growing.push_back(8 + 4 * i);
    set_measured_backlog(step, growing);
    const auto j = judge(mode::sync, step);
    EXPECT_FALSE(j.accepting);
    EXPECT_FALSE(j.completing);
    EXPECT_EQ(j.bottleneck, "the API's threads or its pollers: the backlog grew 4.0/s");
}

TEST(judge_step, lost_requests_make_a_step_unsustainable) {
    auto step = healthy(mode::async);
    step.reconciliation.lost = 3;
    step.reconciliation.lost_by_reason = {{"deleted before it was consumed", 3}};
    const auto j = judge(mode::async, step);
    EXPECT_FALSE(j.accepting);
    EXPECT_FALSE(j.completing);
    ASSERT_EQ(j.reasons.size(), 1u) << all_reasons(j);
    EXPECT_EQ(j.reasons[0], "lost 3 accepted requests");
    EXPECT_EQ(j.bottleneck, "lost requests: 3 (3 deleted before it was consumed)");
}

TEST(judge_step, the_other_implicit_checks_are_not_sustainability_rules) {
    auto step = healthy(mode::async);
    step.reconciliation.duplicate_effects = 2;
    step.invariants = {invariant_result{"ranking_matches_orders", "", "", false, true}};
    EXPECT_TRUE(judge(mode::async, step).completing);
}

TEST(judge_step, an_invalid_run_has_not_shown_its_work_completed) {
    auto step = healthy(mode::async);
    step.valid = false;
    step.invalid_reasons = {"the drain timed out with 120 requests pending"};
    const auto j = judge(mode::async, step);
    EXPECT_TRUE(j.accepting);
    EXPECT_FALSE(j.completing);
    ASSERT_EQ(j.reasons.size(), 1u) << all_reasons(j);
    EXPECT_EQ(j.reasons[0], "not a valid run: the drain timed out with 120 requests pending");
}

TEST(judge_step, no_measured_requests_is_not_sustainable) {
    mode_result nothing;
    const auto j = judge(mode::sync, nothing);
    EXPECT_FALSE(j.accepting);
    EXPECT_FALSE(j.completing);
    EXPECT_EQ(j.reasons.at(0), "no measured requests were sent");
}

TEST(judge_step, thread_exhaustion_points_at_the_worker_pool) {
    auto step = healthy(mode::sync);
    step.achieved_per_s = 180;
    step.errors.status_5xx = 400;
    step.errors.status_503 = 400;
    step.warnings = {
        "1200 requests were rejected with 503 because all 8 worker threads were busy and the "
        "accept queue was full (thread exhaustion)"};
    const auto j = judge(mode::sync, step);
    EXPECT_FALSE(j.accepting);
    EXPECT_EQ(j.reasons.size(), 2u) << all_reasons(j);  // achieved and errors
    EXPECT_EQ(j.bottleneck, "the API's worker pool: all threads busy, 400 answers 503 (10.0%)");
}

TEST(judge_step, answers_503_without_thread_exhaustion_point_at_backpressure) {
    for (const mode which : all_modes) {
        auto step = healthy(which);
        step.achieved_per_s = 180;
        step.errors.status_5xx = 400;
        step.errors.status_503 = 400;
        const auto j = judge(which, step);
        EXPECT_FALSE(j.accepting);
        EXPECT_EQ(j.bottleneck,
                  which == mode::sync
                      ? "the API's accept queue (backpressure): 400 answers 503 (10.0%)"
                      : "the API's producer or the broker (backpressure): 400 "
                        "answers 503 (10.0%)");
    }
}

TEST(judge_step, a_growing_backlog_points_at_the_stage_that_dead_letters_or_retries) {
    auto step = healthy(mode::async);
    std::vector<std::int64_t> growing;
    for (int i = 0; i < 20; ++i) growing.push_back(40 + 10 * i);
    set_measured_backlog(step, growing);
    step.stages[0].attempts = 6000;  // "lp" retried 2,000 times
    step.stages[0].retried = 1500;
    EXPECT_EQ(judge(mode::async, step).bottleneck,
              "the consumers of stage 'lp': 6000 attempts for 4000 finished");
    step.stages[1].dead_lettered = 12;  // dead letters say more than retries
    EXPECT_EQ(judge(mode::async, step).bottleneck,
              "the consumers of stage 'report': 12 dead letters");
    // A step error in 1% of the requests or more names the dependency itself.
    step.step_errors = {step_error_count{"lp", "call_lp", "lp.LPRUN timed out after Nms",
                                         "lp.LPRUN timed out after 2000ms", 40}};
    EXPECT_EQ(judge(mode::async, step).bottleneck,
              "a dependency failing: 'lp.LPRUN timed out after Nms' x40 (stage 'lp', step "
              "'call_lp')");
    // A few stray ones do not.
    step.step_errors[0].count = 3;
    EXPECT_EQ(judge(mode::async, step).bottleneck,
              "the consumers of stage 'report': 12 dead letters");
}

TEST(step_rate_text, whole_numbers_from_100_and_three_digits_below) {
    EXPECT_EQ(step_rate_text(200), "200/s");
    EXPECT_EQ(step_rate_text(1240), "1240/s");
    EXPECT_EQ(step_rate_text(17.5), "17.5/s");
    EXPECT_EQ(step_rate_text(20), "20/s");
    EXPECT_EQ(step_rate_text(0.25), "0.25/s");
}

}  // namespace
}  // namespace asyncbench
