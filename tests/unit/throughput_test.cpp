#include "harness/stats/throughput.hpp"

#include <gtest/gtest.h>

namespace asyncbench {
namespace {

std::vector<second_sample> series_of(const std::vector<std::uint64_t>& ok_per_second) {
    std::vector<second_sample> series;
    for (std::size_t i = 0; i < ok_per_second.size(); ++i) {
        second_sample sample;
        sample.t_s = static_cast<std::int64_t>(i);
        sample.ok = ok_per_second[i];
        series.push_back(sample);
    }
    return series;
}

TEST(completed_per_second, counts_only_whole_seconds_of_the_measured_window) {
    // Two warm-up seconds at 50/s, then 100/s for 4 s, then a tail of late answers.
    auto series = series_of({50, 50, 100, 100, 100, 100, 30, 5});
    EXPECT_DOUBLE_EQ(completed_per_second(series, 2.0, 4.0, -1), 100.0);
    // A window starting mid-second skips the partial second at each edge.
    EXPECT_DOUBLE_EQ(completed_per_second(series, 1.5, 4.0, -1), 100.0);
}

TEST(completed_per_second, a_system_falling_behind_shows_less_than_offered) {
    auto series = series_of({0, 60, 60, 60, 60, 60, 60});  // 100/s offered for 4 s from t=1
    EXPECT_DOUBLE_EQ(completed_per_second(series, 1.0, 4.0, -1), 60.0);
}

TEST(completed_per_second, too_short_a_window_uses_the_fallback) {
    auto series = series_of({10, 10});
    EXPECT_DOUBLE_EQ(completed_per_second(series, 0.5, 1.2, 42.0), 42.0);
    EXPECT_DOUBLE_EQ(completed_per_second({}, 0, 10, 7.0), 0.0);
}

}  // namespace
}  // namespace asyncbench
