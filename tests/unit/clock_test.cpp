// The intended-send timestamp is read one way, whether it came as an HTTP or a Kafka header.
#include "harness/core/clock.hpp"

#include <gtest/gtest.h>

namespace asyncbench {
namespace {

TEST(parse_epoch_us, accepts_positive_decimal_microseconds_only) {
    EXPECT_EQ(parse_epoch_us("1764512345678901"), 1764512345678901);
    EXPECT_EQ(parse_epoch_us("1"), 1);
    EXPECT_EQ(parse_epoch_us(""), std::nullopt);
    EXPECT_EQ(parse_epoch_us("0"), std::nullopt);
    EXPECT_EQ(parse_epoch_us("-5"), std::nullopt);
    EXPECT_EQ(parse_epoch_us("12ab"), std::nullopt);
    EXPECT_EQ(parse_epoch_us(" 12"), std::nullopt);
    EXPECT_EQ(parse_epoch_us("99999999999999999999999"), std::nullopt);  // out of range
}

}  // namespace
}  // namespace asyncbench
