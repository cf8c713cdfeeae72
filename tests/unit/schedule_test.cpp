// The arrival schedule and the open-loop plan are pure, so their answers are exact.
#include "harness/load/schedule.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "harness/load/load_plan.hpp"

namespace asyncbench {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

TEST(arrival_schedule, constant_rate_sends_rate_times_duration) {
    const arrival_schedule s({ramp_step{100, 2s}});
    EXPECT_EQ(s.total_requests(), 200u);
    EXPECT_EQ(s.total_duration(), 2s);
    EXPECT_EQ(s.intended_offset(0), nanoseconds{0});
    EXPECT_EQ(s.intended_offset(1), 10ms);
    EXPECT_EQ(s.intended_offset(2), 20ms);
    EXPECT_EQ(s.intended_offset(150), 1500ms);
    EXPECT_EQ(s.intended_offset(199), 1990ms);
    EXPECT_EQ(s.intended_offset(200), std::nullopt);
}

TEST(arrival_schedule, offsets_come_from_t0_not_from_the_previous_send) {
    // 3/s: 333.33 ms periods. Summing rounded periods would drift; from t0 it cannot.
    const arrival_schedule s({ramp_step{3, 1000s}});
    EXPECT_EQ(s.total_requests(), 3000u);
    EXPECT_EQ(s.intended_offset(1), nanoseconds{333'333'333});
    EXPECT_EQ(s.intended_offset(2), nanoseconds{666'666'667});
    EXPECT_EQ(s.intended_offset(2999), nanoseconds{999'666'666'667});
}

TEST(arrival_schedule, two_step_ramp) {
    const arrival_schedule s({ramp_step{10, 1s}, ramp_step{20, 500ms}});
    EXPECT_EQ(s.total_requests(), 20u);
    EXPECT_EQ(s.total_duration(), 1500ms);
    EXPECT_EQ(s.intended_offset(9), 900ms);
    EXPECT_EQ(s.intended_offset(10), 1000ms);  // the second step starts at its own start
    EXPECT_EQ(s.intended_offset(11), 1050ms);
    EXPECT_EQ(s.intended_offset(19), 1450ms);
    EXPECT_EQ(s.intended_offset(20), std::nullopt);
}

TEST(arrival_schedule, zero_rate_step_sends_nothing_but_takes_its_time) {
    const arrival_schedule s({ramp_step{10, 1s}, ramp_step{0, 2s}, ramp_step{5, 1s}});
    EXPECT_EQ(s.total_requests(), 15u);
    EXPECT_EQ(s.total_duration(), 4s);
    EXPECT_EQ(s.intended_offset(9), 900ms);
    EXPECT_EQ(s.intended_offset(10), 3000ms);
    EXPECT_EQ(s.intended_offset(14), 3800ms);
    EXPECT_EQ(s.intended_offset(15), std::nullopt);
}

TEST(arrival_schedule, leading_and_trailing_zero_steps) {
    const arrival_schedule s({ramp_step{0, 1s}, ramp_step{2, 1s}, ramp_step{0, 5s}});
    EXPECT_EQ(s.total_requests(), 2u);
    EXPECT_EQ(s.total_duration(), 7s);
    EXPECT_EQ(s.intended_offset(0), 1s);
    EXPECT_EQ(s.intended_offset(1), 1500ms);
    EXPECT_EQ(s.intended_offset(2), std::nullopt);
}

TEST(arrival_schedule, fractional_counts_round_up_only_past_rounding_noise) {
    // 1.5/s for 1 s: offsets 0 and 666.7 ms are both inside the second.
    EXPECT_EQ(arrival_schedule({ramp_step{1.5, 1s}}).total_requests(), 2u);
    // 0.1/s for 30 s is 3.0000000000000004 in doubles: 0, 10 and 20 s, not 30 s.
    const arrival_schedule slow({ramp_step{0.1, 30s}});
    EXPECT_EQ(slow.total_requests(), 3u);
    EXPECT_EQ(slow.intended_offset(2), 20s);
}

TEST(arrival_schedule, empty_schedule) {
    const arrival_schedule s({});
    EXPECT_EQ(s.total_requests(), 0u);
    EXPECT_EQ(s.total_duration(), nanoseconds{0});
    EXPECT_EQ(s.intended_offset(0), std::nullopt);
    const arrival_schedule zero({ramp_step{0, 10s}});
    EXPECT_EQ(zero.total_requests(), 0u);
    EXPECT_EQ(zero.intended_offset(0), std::nullopt);
}

TEST(open_load_plan, warmup_then_constant_rate) {
    load_spec spec;
    spec.rate_per_s = 50;
    spec.warmup = 200ms;
    spec.duration = 1s;
    const auto plan = make_open_load_plan(spec);
    EXPECT_EQ(plan.warmup_requests, 10u);
    EXPECT_EQ(plan.measured_requests, 50u);
    EXPECT_EQ(plan.measure_start, 200ms);
    EXPECT_EQ(plan.schedule.intended_offset(9), 180ms);
    EXPECT_EQ(plan.schedule.intended_offset(10), 200ms);  // first measured request
    EXPECT_EQ(plan.schedule.intended_offset(59), 1180ms);
    EXPECT_DOUBLE_EQ(rate_per_s(50, measured_intended_span(plan, 50)), 50.0);
}

TEST(open_load_plan, warmup_uses_the_first_ramp_rate) {
    load_spec spec;
    spec.rate_per_s = 1000;  // ignored: the ramp replaces it
    spec.ramp = {ramp_step{10, 1s}, ramp_step{40, 1s}};
    spec.warmup = 500ms;
    const auto plan = make_open_load_plan(spec);
    EXPECT_EQ(plan.warmup_requests, 5u);
    EXPECT_EQ(plan.measured_requests, 50u);
    EXPECT_EQ(plan.schedule.intended_offset(5), 500ms);
    EXPECT_EQ(plan.schedule.intended_offset(15), 1500ms);
    EXPECT_EQ(plan.schedule.intended_offset(16), 1525ms);
    EXPECT_DOUBLE_EQ(rate_per_s(50, measured_intended_span(plan, 50)), 25.0);
}

TEST(open_load_plan, requests_limit_ends_the_measured_phase_first) {
    load_spec spec;
    spec.rate_per_s = 100;
    spec.warmup = 0s;
    spec.duration = 10s;
    spec.requests = 30;
    const auto plan = make_open_load_plan(spec);
    EXPECT_EQ(plan.warmup_requests, 0u);
    EXPECT_EQ(plan.measured_requests, 30u);
    EXPECT_EQ(measured_intended_span(plan, 30), 300ms);
    EXPECT_DOUBLE_EQ(rate_per_s(30, measured_intended_span(plan, 30)), 100.0);

    spec.requests = 5000;  // duration ends first
    EXPECT_EQ(make_open_load_plan(spec).measured_requests, 1000u);
}

TEST(open_load_plan, rate_of_an_empty_span_is_zero) {
    EXPECT_EQ(rate_per_s(10, nanoseconds{0}), 0.0);
    EXPECT_DOUBLE_EQ(rate_per_s(10, 2s), 5.0);
}

}  // namespace
}  // namespace asyncbench
