// The mode table: names round-trip, traits say what the code used to compare strings for, and
// every listing of modes has one order.
#include "harness/core/mode.hpp"

#include <gtest/gtest.h>

namespace asyncbench {
namespace {

TEST(mode, names_round_trip_and_unknown_names_are_refused) {
    for (const mode m : all_modes) EXPECT_EQ(mode_from_name(mode_name(m)), m);
    EXPECT_EQ(mode_name(mode::sync), "sync");
    EXPECT_EQ(mode_name(mode::async), "async");
    EXPECT_EQ(mode_from_name("both"), std::nullopt);
    EXPECT_EQ(mode_from_name("Sync"), std::nullopt);
    EXPECT_EQ(mode_from_name(""), std::nullopt);
}

TEST(mode, traits_separate_the_designs) {
    EXPECT_TRUE(traits_of(mode::sync).answers_when_done);
    EXPECT_FALSE(traits_of(mode::sync).uses_kafka);
    EXPECT_FALSE(traits_of(mode::async).answers_when_done);
    EXPECT_TRUE(traits_of(mode::async).uses_kafka);
    EXPECT_NE(traits_of(mode::sync).chart_color, traits_of(mode::async).chart_color);
    for (const mode m : all_modes) EXPECT_EQ(traits_of(m).id, m);
}

TEST(mode, report_order_puts_the_baseline_first_and_keeps_unknown_names) {
    EXPECT_EQ(in_report_order({"async", "sync"}), (std::vector<std::string>{"sync", "async"}));
    EXPECT_EQ(in_report_order({"async"}), (std::vector<std::string>{"async"}));
    EXPECT_EQ(in_report_order({"zeta", "async", "alpha", "sync"}),
              (std::vector<std::string>{"sync", "async", "zeta", "alpha"}));
    EXPECT_TRUE(in_report_order({}).empty());
}

}  // namespace
}  // namespace asyncbench
