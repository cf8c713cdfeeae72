// The capacity search (harness/capacity/capacity_search.hpp) driven by made-up systems whose
// ceilings are known in advance: it must bracket each true ceiling within the precision, in
// the order the rules say, and stop for the stated reason (precision, max rate, min rate, the
// generator, the step cap) without ever proposing a rate twice or outside its bounds.
#include "harness/capacity/capacity_search.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <vector>

namespace asyncbench {
namespace {

// A system that accepts up to `accepting` per second and completes the work up to `completing`
// per second, on a machine whose generator can offer at most `generator` per second.
struct fake_system {
    double accepting = 0;
    double completing = 0;
    double generator = std::numeric_limits<double>::infinity();

    step_judgement judge(double rate) const {
        step_judgement j;
        if (rate > generator) {
            j.generator_limited = true;
            return j;
        }
        j.accepting = rate <= accepting;
        j.completing = j.accepting && rate <= completing;
        return j;
    }
};

search_settings settings(double start, double max) {
    search_settings s;
    s.start_per_s = start;
    s.max_per_s = max;
    return s;
}

// Runs the search to its end against `system` and returns the rates it ran, in order.
std::vector<double> run(capacity_search& search, const fake_system& system) {
    std::vector<double> rates;
    while (const auto rate = search.next_rate()) {
        rates.push_back(*rate);
        search.record(*rate, system.judge(*rate));
        if (rates.size() > 200) {
            ADD_FAILURE() << "the search does not stop";
            break;
        }
    }
    return rates;
}

// What every search must keep, whatever the system: distinct rates on the 3-digit grid,
// within [min, max], and none at or above a rate the generator could not offer before.
void expect_well_formed(const std::vector<double>& rates, const search_settings& s,
                        const fake_system& system) {
    double generator_cap = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < rates.size(); ++i) {
        const double r = rates[i];
        EXPECT_EQ(round_rate(r), r) << "step " << i;
        EXPECT_LE(r, s.max_per_s) << "step " << i;
        EXPECT_GE(r, s.min_per_s) << "step " << i;
        EXPECT_LT(r, generator_cap) << "step " << i;
        for (std::size_t j = 0; j < i; ++j) EXPECT_NE(rates[j], r) << "steps " << j << ", " << i;
        if (system.judge(r).generator_limited) generator_cap = std::min(generator_cap, r);
    }
}

// The ceiling `truth` lies in [highest_good, lowest_bad), and the interval is within precision.
void expect_bracketed(const ceiling_bounds& bounds, double truth, double precision,
                      const char* which) {
    ASSERT_TRUE(bounds.highest_good.has_value()) << which;
    ASSERT_TRUE(bounds.lowest_bad.has_value()) << which;
    EXPECT_LE(*bounds.highest_good, truth) << which;
    EXPECT_GT(*bounds.lowest_bad, truth) << which;
    EXPECT_LE(*bounds.lowest_bad - *bounds.highest_good,
              precision * *bounds.highest_good * 1.000001)
        << which;
}

TEST(capacity_search, finds_both_async_ceilings_completing_first) {
    const fake_system system{300, 180};
    const auto s = settings(50, 10'000);
    capacity_search search(s, true);
    const auto rates = run(search, system);
    // Doubling until the API fails at 400; then the completing ceiling between 100 and 200,
    // then the accepting one between 200 and 400.
    EXPECT_EQ(rates,
              (std::vector<double>{50, 100, 200, 400, 150, 175, 188, 182, 300, 350, 325, 313}));
    expect_well_formed(rates, s, system);
    expect_bracketed(search.completing(), 180, 0.05, "completing");
    expect_bracketed(search.accepting(), 300, 0.05, "accepting");
    EXPECT_EQ(*search.completing().highest_good, 175);
    EXPECT_EQ(*search.accepting().highest_good, 300);
    EXPECT_EQ(search.stop_reason(), "precision reached (5%)");
    EXPECT_FALSE(search.stopped_by_generator());
    EXPECT_EQ(search.steps(), 12);
}

TEST(capacity_search, converges_for_any_ceiling_within_a_bounded_number_of_steps) {
    for (const double accepting : {7.0, 20.0, 95.0, 100.0, 333.0, 999.0, 1'234.0, 4'800.0}) {
        for (const double share : {1.0, 0.6, 0.2}) {
            const fake_system system{accepting, accepting * share};
            auto s = settings(100, 100'000);
            s.max_steps = 40;
            capacity_search search(s, true);
            const auto rates = run(search, system);
            SCOPED_TRACE(::testing::Message() << accepting << "/s, completing " << share);
            expect_well_formed(rates, s, system);
            expect_bracketed(search.accepting(), system.accepting, s.precision, "accepting");
            expect_bracketed(search.completing(), system.completing, s.precision, "completing");
            EXPECT_LE(rates.size(), 20u);
            EXPECT_EQ(search.stop_reason(), "precision reached (5%)");
        }
    }
}

TEST(capacity_search, a_start_above_both_ceilings_halves_down_then_bisects) {
    const fake_system system{300, 180};
    const auto s = settings(1000, 10'000);
    capacity_search search(s, true);
    const auto rates = run(search, system);
    EXPECT_EQ(rates, (std::vector<double>{1000, 500, 250, 125, 188, 157, 173, 181, 375, 313, 282,
                                          298, 306}));
    expect_well_formed(rates, s, system);
    expect_bracketed(search.completing(), 180, 0.05, "completing");
    expect_bracketed(search.accepting(), 300, 0.05, "accepting");
    EXPECT_EQ(search.stop_reason(), "precision reached (5%)");
}

TEST(capacity_search, stops_at_the_max_rate_when_it_is_still_sustainable) {
    const fake_system system{10'000, 10'000};
    const auto s = settings(100, 1000);
    capacity_search search(s, false);
    const auto rates = run(search, system);
    EXPECT_EQ(rates, (std::vector<double>{100, 200, 400, 800, 1000}));
    EXPECT_EQ(search.accepting().highest_good, 1000);
    EXPECT_FALSE(search.accepting().lowest_bad.has_value());
    EXPECT_EQ(search.stop_reason(), "max rate reached: at least 1000/s");
}

TEST(capacity_search, says_which_ceiling_stopped_for_what_when_they_differ) {
    const fake_system system{10'000, 300};
    const auto s = settings(100, 1000);
    capacity_search search(s, true);
    const auto rates = run(search, system);
    EXPECT_EQ(rates, (std::vector<double>{100, 200, 400, 800, 1000, 300, 350, 325, 313}));
    expect_bracketed(search.completing(), 300, 0.05, "completing");
    EXPECT_EQ(search.stop_reason(),
              "completing: precision reached (5%); accepting: max rate reached: at least 1000/s");
}

TEST(capacity_search, a_max_rate_off_the_grid_is_rounded_down) {
    const fake_system system{10'000, 10'000};
    const auto s = settings(100, 1237.5);
    capacity_search search(s, false);
    const auto rates = run(search, system);
    EXPECT_EQ(rates, (std::vector<double>{100, 200, 400, 800, 1230}));
    EXPECT_EQ(search.stop_reason(), "max rate reached: at least 1230/s");
}

TEST(capacity_search, a_generator_limited_step_is_neither_good_nor_bad_and_caps_the_search) {
    const fake_system system{1000, 1000, 250};
    const auto s = settings(100, 10'000);
    capacity_search search(s, true);
    const auto rates = run(search, system);
    // 400/s and 300/s could not be offered: the search bisects below them, never above.
    EXPECT_EQ(rates, (std::vector<double>{100, 200, 400, 300, 250, 275, 263, 257}));
    expect_well_formed(rates, s, system);
    EXPECT_EQ(search.accepting().highest_good, 250);
    EXPECT_FALSE(search.accepting().lowest_bad.has_value());  // never failed: not a ceiling
    EXPECT_FALSE(search.completing().lowest_bad.has_value());
    EXPECT_EQ(search.stop_reason(),
              "the generator could not offer more than 250/s (it fell behind at 257/s)");
    EXPECT_TRUE(search.stopped_by_generator());
}

TEST(capacity_search, a_generator_limited_start_goes_down_first) {
    const fake_system system{1000, 1000, 50};
    const auto s = settings(100, 10'000);
    capacity_search search(s, false);
    const auto rates = run(search, system);
    ASSERT_GE(rates.size(), 2u);
    EXPECT_EQ(rates[0], 100);
    EXPECT_EQ(rates[1], 50);
    expect_well_formed(rates, s, system);
    EXPECT_EQ(search.accepting().highest_good, 50);
    EXPECT_TRUE(search.stopped_by_generator());
    EXPECT_EQ(search.stop_reason().rfind("the generator could not offer more than 50/s", 0), 0u)
        << search.stop_reason();
}

TEST(capacity_search, below_the_min_rate_it_stops_even_that_failed) {
    const fake_system system{0.5, 0.5};
    auto s = settings(8, 100);
    capacity_search search(s, false);
    EXPECT_EQ(run(search, system), (std::vector<double>{8, 4, 2, 1}));
    EXPECT_FALSE(search.accepting().highest_good.has_value());
    EXPECT_EQ(search.accepting().lowest_bad, 1);
    EXPECT_EQ(search.stop_reason(), "even 1/s was not sustainable");

    s.min_per_s = 3;
    capacity_search floored(s, false);
    EXPECT_EQ(run(floored, system), (std::vector<double>{8, 4, 3}));
    EXPECT_EQ(floored.stop_reason(), "even 3/s was not sustainable");
}

TEST(capacity_search, rates_have_three_significant_digits) {
    EXPECT_EQ(round_rate(137.2891), 137);
    EXPECT_EQ(round_rate(1237.5), 1240);
    EXPECT_EQ(round_rate(0.04567), 0.0457);
    EXPECT_EQ(round_rate(999.6), 1000);
    EXPECT_EQ(round_rate(181.5), 182);
    EXPECT_EQ(round_rate(12'345'678), 12'300'000);

    capacity_search search(settings(137.2891, 10'000), false);
    EXPECT_EQ(search.next_rate(), 137);
}

TEST(capacity_search, a_precision_finer_than_the_grid_stops_without_repeating_a_rate) {
    const fake_system system{300, 180};
    auto s = settings(50, 10'000);
    s.precision = 0.001;
    s.max_steps = 40;
    capacity_search search(s, true);
    const auto rates = run(search, system);
    expect_well_formed(rates, s, system);
    EXPECT_EQ(search.completing().highest_good, 180);
    EXPECT_EQ(search.completing().lowest_bad, 181);
    EXPECT_EQ(search.accepting().highest_good, 300);
    EXPECT_EQ(search.accepting().lowest_bad, 301);
    EXPECT_EQ(search.stop_reason(), "precision reached (0.1%)");
}

TEST(capacity_search, the_step_cap_is_a_hard_bound) {
    const fake_system system{300, 180};
    auto s = settings(50, 10'000);
    s.max_steps = 5;
    capacity_search search(s, true);
    const auto rates = run(search, system);
    EXPECT_EQ(rates, (std::vector<double>{50, 100, 200, 400, 150}));
    EXPECT_EQ(search.steps(), 5);
    EXPECT_FALSE(search.next_rate().has_value());
    EXPECT_EQ(search.stop_reason(), "step limit (5)");
    EXPECT_FALSE(search.stopped_by_generator());
}

TEST(capacity_search, says_nothing_while_it_goes_on) {
    capacity_search search(settings(50, 10'000), true);
    EXPECT_EQ(search.next_rate(), 50);
    EXPECT_EQ(search.stop_reason(), "");
    EXPECT_EQ(search.steps(), 0);
}

TEST(capacity_search, a_failure_below_a_success_is_read_conservatively) {
    capacity_search search(settings(200, 10'000), false);
    step_judgement good;
    good.accepting = good.completing = true;
    search.record(200, good);
    search.record(100, step_judgement{});  // noise: failed below a success
    EXPECT_FALSE(search.accepting().highest_good.has_value());
    EXPECT_EQ(search.accepting().lowest_bad, 100);
    EXPECT_EQ(search.next_rate(), 50);
}

TEST(capacity_search, one_ceiling_judges_the_sustainable_rate) {
    // Sync: one ceiling, the rate that completed; completing() is the same bounds.
    capacity_search search(settings(100, 10'000), false);
    step_judgement accepted_only;
    accepted_only.accepting = true;
    search.record(100, accepted_only);
    EXPECT_EQ(search.accepting().lowest_bad, 100);
    EXPECT_EQ(&search.completing(), &search.accepting());
}

TEST(capacity_search, a_completing_ceiling_above_the_accepting_one_is_clamped_and_said) {
    auto s = settings(100, 10'000);
    s.max_steps = 2;
    capacity_search search(s, true);
    step_judgement contradictory;  // completing without accepting: cannot be, but noise can
    contradictory.completing = true;
    search.record(100, contradictory);
    step_judgement good;
    good.accepting = good.completing = true;
    search.record(50, good);
    EXPECT_EQ(search.accepting().highest_good, 50);
    EXPECT_EQ(search.accepting().lowest_bad, 100);
    EXPECT_EQ(search.completing().highest_good, 50);
    EXPECT_EQ(search.completing().lowest_bad, 100);
    EXPECT_EQ(search.stop_reason(),
              "step limit (2); the completing ceiling was clamped to the accepting one (50/s): a "
              "step passed completing but not accepting");
}

TEST(capacity_search, refuses_settings_it_cannot_search) {
    EXPECT_THROW(capacity_search(settings(0, 100), true), std::invalid_argument);
    EXPECT_THROW(capacity_search(settings(100, 0.5), true), std::invalid_argument);  // max < min
    auto s = settings(100, 1000);
    s.growth = 1;
    EXPECT_THROW(capacity_search(s, true), std::invalid_argument);
    s = settings(100, 1000);
    s.precision = 0;
    EXPECT_THROW(capacity_search(s, true), std::invalid_argument);
    capacity_search search(settings(100, 1000), true);
    EXPECT_THROW(search.record(0, step_judgement{}), std::invalid_argument);
}

}  // namespace
}  // namespace asyncbench
