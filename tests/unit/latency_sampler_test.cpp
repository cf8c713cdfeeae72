#include "mocks/latency_sampler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace asyncbench {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

std::vector<std::int64_t> draw(const latency_spec& spec, std::size_t count, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<std::int64_t> values(count);
    for (auto& value : values) value = sample_latency(spec, rng).count();
    return values;
}

// Nearest-rank percentile (p in [0, 1]).
double percentile(std::vector<std::int64_t> values, double p) {
    const auto rank = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank),
                     values.end());
    return static_cast<double>(values[rank]);
}

TEST(latency_sampler, fixed_is_exact) {
    latency_spec spec;
    spec.kind = latency_spec::distribution::fixed;
    spec.fixed = milliseconds(7);
    for (auto value : draw(spec, 1000, 1)) EXPECT_EQ(value, 7000);
}

TEST(latency_sampler, uniform_stays_within_inclusive_bounds_and_reaches_both) {
    latency_spec spec;
    spec.kind = latency_spec::distribution::uniform;
    spec.min = microseconds(100);
    spec.max = microseconds(103);
    auto values = draw(spec, 10'000, 2);
    EXPECT_EQ(*std::min_element(values.begin(), values.end()), 100);
    EXPECT_EQ(*std::max_element(values.begin(), values.end()), 103);
}

TEST(latency_sampler, uniform_with_equal_bounds_is_constant) {
    latency_spec spec;
    spec.kind = latency_spec::distribution::uniform;
    spec.min = spec.max = milliseconds(3);
    for (auto value : draw(spec, 100, 3)) EXPECT_EQ(value, 3000);
}

TEST(latency_sampler, lognormal_reproduces_configured_median_and_p99) {
    latency_spec spec;
    spec.kind = latency_spec::distribution::lognormal;
    spec.p50 = milliseconds(300);
    spec.p99 = milliseconds(900);
    const auto values = draw(spec, 200'000, 4);
    EXPECT_NEAR(percentile(values, 0.50), 300'000.0, 300'000.0 * 0.03);
    EXPECT_NEAR(percentile(values, 0.99), 900'000.0, 900'000.0 * 0.03);
    EXPECT_GE(*std::min_element(values.begin(), values.end()), 0);
}

TEST(latency_sampler, lognormal_with_narrow_spread_is_accurate_too) {
    latency_spec spec;
    spec.kind = latency_spec::distribution::lognormal;
    spec.p50 = milliseconds(20);
    spec.p99 = milliseconds(22);
    const auto values = draw(spec, 200'000, 5);
    EXPECT_NEAR(percentile(values, 0.50), 20'000.0, 20'000.0 * 0.03);
    EXPECT_NEAR(percentile(values, 0.99), 22'000.0, 22'000.0 * 0.03);
}

TEST(latency_sampler, lognormal_with_p99_equal_to_p50_is_constant) {
    latency_spec spec;
    spec.kind = latency_spec::distribution::lognormal;
    spec.p50 = spec.p99 = milliseconds(5);
    for (auto value : draw(spec, 1000, 6)) EXPECT_EQ(value, 5000);
}

TEST(latency_sampler, lognormal_with_zero_median_answers_at_once) {
    latency_spec spec;
    spec.kind = latency_spec::distribution::lognormal;
    spec.p50 = microseconds(0);
    spec.p99 = milliseconds(5);
    for (auto value : draw(spec, 100, 7)) EXPECT_EQ(value, 0);
}

TEST(latency_sampler, same_seed_gives_same_sequence) {
    latency_spec spec;
    spec.kind = latency_spec::distribution::lognormal;
    spec.p50 = milliseconds(10);
    spec.p99 = milliseconds(50);
    EXPECT_EQ(draw(spec, 100, 8), draw(spec, 100, 8));
}

}  // namespace
}  // namespace asyncbench
