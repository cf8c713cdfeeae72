#include "harness/kafka/local_kafka.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>

namespace asyncbench {
namespace {

// The report must name the version start.sh runs: kafka.env's pin, unless the environment
// overrides it, exactly as scripts/kafka/common.sh decides.
TEST(local_kafka_version, is_the_pin_unless_the_environment_overrides_it) {
    ::unsetenv("KAFKA_VERSION");
    EXPECT_TRUE(std::regex_match(local_kafka_version(), std::regex(R"(\d+\.\d+\.\d+)")))
        << local_kafka_version();
    ::setenv("KAFKA_VERSION", "3.9.2", 1);
    EXPECT_EQ(local_kafka_version(), "3.9.2");
    ::unsetenv("KAFKA_VERSION");
}

}  // namespace
}  // namespace asyncbench
