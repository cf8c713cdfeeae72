// The measuring instrument is tested against answers known in advance (HdrHistogram's way):
// exact distributions, its "stall" fixture, and the precision bound.
#include "harness/stats/histogram.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>

namespace asyncbench {
namespace {

constexpr double default_relative_error = 1.0 / 128.0;  // 2^-7

TEST(histogram, empty_returns_zeros) {
    histogram h;
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.clamped(), 0u);
    EXPECT_EQ(h.min(), 0u);
    EXPECT_EQ(h.max(), 0u);
    EXPECT_EQ(h.mean(), 0.0);
    EXPECT_EQ(h.value_at_percentile(0), 0u);
    EXPECT_EQ(h.value_at_percentile(50), 0u);
    EXPECT_EQ(h.value_at_percentile(100), 0u);
}

TEST(histogram, small_values_are_exact) {
    histogram h;
    for (std::uint64_t v = 0; v < 128; ++v) {
        h.record(v);
    }
    EXPECT_EQ(h.min(), 0u);
    EXPECT_EQ(h.max(), 127u);
    EXPECT_EQ(h.value_at_percentile(50), 63u);  // the 64th of 128 samples
    EXPECT_EQ(h.value_at_percentile(100), 127u);
}

TEST(histogram, uniform_percentiles_within_relative_error) {
    histogram h;
    for (std::uint64_t v = 1; v <= 100'000; ++v) {
        h.record(v);
    }
    EXPECT_EQ(h.count(), 100'000u);
    EXPECT_EQ(h.min(), 1u);
    EXPECT_EQ(h.max(), 100'000u);
    EXPECT_DOUBLE_EQ(h.mean(), 50'000.5);
    for (double p : {1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 99.0, 99.9, 99.99}) {
        const double exact = p * 1000.0;  // p% of 1..100000
        const auto got = static_cast<double>(h.value_at_percentile(p));
        // The highest equivalent value is never below the exact answer, and above it by less
        // than one bucket width.
        EXPECT_GE(got, exact) << "p" << p;
        EXPECT_LE(got, exact * (1.0 + default_relative_error)) << "p" << p;
    }
    EXPECT_EQ(h.value_at_percentile(100), 100'000u);  // capped at max(), not the bucket top
}

// HdrHistogram's fixture: 10,000 responses of 1 ms and one 100 s stall.
TEST(histogram, stall_fixture) {
    histogram h;
    h.record(1000, 10'000);
    h.record(100'000'000);
    EXPECT_EQ(h.count(), 10'001u);
    EXPECT_EQ(h.max(), 100'000'000u);
    EXPECT_EQ(h.min(), 1000u);
    EXPECT_DOUBLE_EQ(h.mean(), (1000.0 * 10'000 + 100'000'000.0) / 10'001.0);
    for (double p : {0.0, 50.0, 90.0, 99.0, 99.99}) {
        const auto got = h.value_at_percentile(p);
        EXPECT_GE(got, 1000u) << "p" << p;
        EXPECT_LE(static_cast<double>(got), 1000.0 * (1.0 + default_relative_error)) << "p" << p;
    }
    // 10,000 / 10,001 = 99.990001%: anything above needs the stall.
    EXPECT_EQ(h.value_at_percentile(99.999), 100'000'000u);
    EXPECT_EQ(h.value_at_percentile(100), 100'000'000u);
}

TEST(histogram, highest_equivalent_value_is_bucket_top) {
    histogram h;  // 7 bits: 1000 sits in [512, 1024) with buckets of width 4
    h.record(1000);
    h.record(2000);
    EXPECT_EQ(h.value_at_percentile(50), 1003u);
    EXPECT_EQ(h.value_at_percentile(100), 2000u);  // bucket top is 2007, capped at max()
}

TEST(histogram, relative_error_bound_holds_for_random_values) {
    for (int bits : {3, 7, 10}) {
        std::mt19937_64 rng(42);
        std::uniform_int_distribution<std::uint64_t> dist(0, 3'600'000'000ULL);
        for (int i = 0; i < 3000; ++i) {
            const std::uint64_t v = dist(rng) >> (i % 30);  // spread over all magnitudes
            histogram h(3'600'000'000ULL, bits);
            h.record(0);
            h.record(3'600'000'000ULL);
            h.record(v);
            const auto got = h.value_at_percentile(50);  // the middle of three: v's bucket
            ASSERT_GE(got, v);
            ASSERT_LT(static_cast<double>(got - v),
                      std::max(1.0, static_cast<double>(v) * std::ldexp(1.0, -bits)))
                << "bits " << bits << " value " << v;
        }
    }
}

TEST(histogram, merge_equals_recording_into_one) {
    histogram a, b, both;
    std::mt19937_64 rng(7);
    std::lognormal_distribution<double> dist(8.0, 1.5);
    for (int i = 0; i < 50'000; ++i) {
        const auto v = static_cast<std::uint64_t>(dist(rng));
        (i % 3 == 0 ? a : b).record(v);
        both.record(v);
    }
    a.merge(b);
    EXPECT_EQ(a.count(), both.count());
    EXPECT_EQ(a.min(), both.min());
    EXPECT_EQ(a.max(), both.max());
    EXPECT_DOUBLE_EQ(a.mean(), both.mean());
    for (double p = 0; p <= 100.0; p += 0.5) {
        EXPECT_EQ(a.value_at_percentile(p), both.value_at_percentile(p)) << "p" << p;
    }
}

TEST(histogram, merge_of_different_shapes_is_refused) {
    histogram a(1000, 7), b(2000, 7), c(1000, 5);
    EXPECT_THROW(a.merge(b), std::invalid_argument);
    EXPECT_THROW(a.merge(c), std::invalid_argument);
}

TEST(histogram, clamping_is_counted) {
    histogram h(10'000, 7);
    h.record(5);
    h.record(20'000, 3);
    h.record(10'000);  // at the limit: not clamped
    EXPECT_EQ(h.count(), 5u);
    EXPECT_EQ(h.clamped(), 3u);
    EXPECT_EQ(h.max(), 10'000u);
    EXPECT_EQ(h.value_at_percentile(100), 10'000u);
    EXPECT_DOUBLE_EQ(h.mean(), (5.0 + 4 * 10'000.0) / 5.0);
}

TEST(histogram, extreme_values_do_not_overflow) {
    histogram h(UINT64_MAX, 7);
    h.record(UINT64_MAX);
    h.record(0);
    EXPECT_EQ(h.max(), UINT64_MAX);
    EXPECT_EQ(h.value_at_percentile(100), UINT64_MAX);
    EXPECT_EQ(h.value_at_percentile(50), 0u);
}

TEST(histogram, percentile_outside_range_is_clamped) {
    histogram h;
    h.record(10);
    h.record(20);
    EXPECT_EQ(h.value_at_percentile(-5), 10u);
    EXPECT_EQ(h.value_at_percentile(250), 20u);
    EXPECT_EQ(h.value_at_percentile(std::nan("")), 10u);
}

TEST(histogram, reset_empties) {
    histogram h;
    h.record(100, 5);
    h.record(UINT64_MAX);
    h.reset();
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.clamped(), 0u);
    EXPECT_EQ(h.max(), 0u);
    EXPECT_EQ(h.value_at_percentile(99), 0u);
    h.record(7);
    EXPECT_EQ(h.min(), 7u);
    EXPECT_EQ(h.max(), 7u);
}

TEST(histogram, invalid_construction_is_refused) {
    EXPECT_THROW(histogram(1000, 0), std::invalid_argument);
    EXPECT_THROW(histogram(1000, 17), std::invalid_argument);
    EXPECT_THROW(histogram(0, 7), std::invalid_argument);
}

}  // namespace
}  // namespace asyncbench
