#include "harness/config/units.hpp"

#include <gtest/gtest.h>

namespace asyncbench {
namespace {

using namespace std::chrono_literals;

TEST(parse_duration, accepts_every_documented_unit) {
    EXPECT_EQ(parse_duration("250ms"), 250ms);
    EXPECT_EQ(parse_duration("30s"), 30s);
    EXPECT_EQ(parse_duration("2m"), 2min);
    EXPECT_EQ(parse_duration("1h"), 1h);
    EXPECT_EQ(parse_duration("1.5s"), 1500ms);
    EXPECT_EQ(parse_duration("500us"), 500us);
    EXPECT_EQ(parse_duration("7ns"), 7ns);
    EXPECT_EQ(parse_duration("0.25ms"), 250us);
    EXPECT_EQ(parse_duration(".5s"), 500ms);
}

TEST(parse_duration, zero_needs_no_unit) {
    EXPECT_EQ(parse_duration("0"), 0ns);
    EXPECT_EQ(parse_duration("0.0"), 0ns);
    EXPECT_EQ(parse_duration("0s"), 0ns);
}

TEST(parse_duration, tolerates_surrounding_and_inner_blanks) {
    EXPECT_EQ(parse_duration(" 30s "), 30s);
    EXPECT_EQ(parse_duration("30 s"), 30s);
}

TEST(parse_duration, rejects_bare_non_zero_numbers) {
    EXPECT_EQ(parse_duration("30"), std::nullopt);
    EXPECT_EQ(parse_duration("1.5"), std::nullopt);
}

TEST(parse_duration, rejects_negative_and_malformed_text) {
    for (const char* text :
         {"-1s", "-0",  "+1s",  "",       " ",     "s",  "ms",  "1 sec", "1S",   "1e3ms",
          "inf", "nan", "infs", "1.2.3s", "1..2s", "1d", "10x", "0x10s", "1,5s", "30s30"}) {
        EXPECT_EQ(parse_duration(text), std::nullopt) << "'" << text << "'";
    }
}

TEST(parse_duration, rejects_values_beyond_the_nanosecond_range) {
    // About 292 years fit in int64 nanoseconds; anything near that is refused, not wrapped.
    EXPECT_EQ(parse_duration("9999999999999999999999h"), std::nullopt);
    EXPECT_EQ(parse_duration(std::string(400, '9') + "s"), std::nullopt);
    EXPECT_EQ(parse_duration("5000000000s"), std::nullopt);
    EXPECT_EQ(parse_duration("1000000000s"), std::chrono::seconds(1'000'000'000));
}

TEST(parse_size, accepts_binary_units_and_plain_bytes) {
    EXPECT_EQ(parse_size("512B"), 512u);
    EXPECT_EQ(parse_size("64KiB"), 64u * 1024);
    EXPECT_EQ(parse_size("1MiB"), 1024u * 1024);
    EXPECT_EQ(parse_size("2GiB"), 2ull * 1024 * 1024 * 1024);
    EXPECT_EQ(parse_size("4096"), 4096u);
    EXPECT_EQ(parse_size("0"), 0u);
    EXPECT_EQ(parse_size("1.5KiB"), 1536u);
}

TEST(parse_size, rejects_fractions_of_a_byte_negative_and_ambiguous_units) {
    for (const char* text : {"1.5B", "0.3KiB", "1.5", "-1", "-1KiB", "64KB", "64kb", "1MB",
                             "1 MiBs", "KiB", "", "abc", "1e6"}) {
        EXPECT_EQ(parse_size(text), std::nullopt) << "'" << text << "'";
    }
    EXPECT_EQ(parse_size("99999999999999999999GiB"), std::nullopt);
}

TEST(parse_rate, accepts_plain_per_second_and_k_suffix) {
    EXPECT_EQ(parse_rate("500"), 500.0);
    EXPECT_EQ(parse_rate("500/s"), 500.0);
    EXPECT_EQ(parse_rate("1.5k/s"), 1500.0);
    EXPECT_EQ(parse_rate("1.5k"), 1500.0);
    EXPECT_EQ(parse_rate("2M/s"), 2e6);
    EXPECT_EQ(parse_rate("0"), 0.0);
    EXPECT_EQ(parse_rate("0.5/s"), 0.5);
}

TEST(parse_rate, rejects_negative_and_malformed_text) {
    for (const char* text :
         {"-1", "-1/s", "/s", "", "1/m", "1/ss", "1K/s", "inf", "nan/s", "1e3", "abc", "1.5kk/s"}) {
        EXPECT_EQ(parse_rate(text), std::nullopt) << "'" << text << "'";
    }
}

TEST(format_duration, picks_the_largest_unit_and_renders_exactly) {
    EXPECT_EQ(format_duration(1500ms), "1.5s");
    EXPECT_EQ(format_duration(250ms), "250ms");
    EXPECT_EQ(format_duration(90s), "90s");
    EXPECT_EQ(format_duration(0ns), "0s");
    EXPECT_EQ(format_duration(1us), "1us");
    EXPECT_EQ(format_duration(1234567ns), "1.234567ms");
    EXPECT_EQ(format_duration(999ns), "999ns");
    EXPECT_EQ(format_duration(-250ms), "-250ms");
}

TEST(format_duration, round_trips_through_parse_duration) {
    const std::chrono::nanoseconds values[] = {1ns, 999us, 1001ms, 3600s, 1500ms};
    for (const auto value : values) {
        const auto back = parse_duration(format_duration(value));
        ASSERT_TRUE(back.has_value()) << format_duration(value);
        EXPECT_EQ(*back, value);
    }
    // The extremes must not overflow in the magnitude computation.
    EXPECT_FALSE(format_duration(std::chrono::nanoseconds::min()).empty());
    EXPECT_FALSE(format_duration(std::chrono::nanoseconds::max()).empty());
}

TEST(parse_percent, reads_a_percentage_as_a_share) {
    EXPECT_DOUBLE_EQ(*parse_percent("5%"), 0.05);
    EXPECT_DOUBLE_EQ(*parse_percent("99.9%"), 0.999);
    EXPECT_DOUBLE_EQ(*parse_percent("0%"), 0.0);
    for (const char* bad : {"5", "0.05", "%", "-1%", "5 %", "inf%", "nan%", "5%%", ""}) {
        EXPECT_FALSE(parse_percent(bad).has_value()) << bad;
    }
}

}  // namespace
}  // namespace asyncbench
