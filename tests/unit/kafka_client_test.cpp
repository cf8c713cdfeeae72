// The configuration helpers over librdkafka: what passes through, and what librdkafka refuses.
#include "harness/kafka/kafka_client.hpp"

#include <gtest/gtest.h>

namespace asyncbench {
namespace {

TEST(connection_settings, keeps_only_what_reaching_a_secured_cluster_needs) {
    const std::map<std::string, std::string> consumer = {
        {"security.protocol", "SASL_SSL"},        {"sasl.mechanism", "PLAIN"},
        {"ssl.ca.location", "/etc/ca.pem"},       {"socket.timeout.ms", "5000"},
        {"client.dns.lookup", "use_all_dns_ips"}, {"group.id", "g"},
        {"auto.offset.reset", "latest"},          {"fetch.min.bytes", "1"}};
    const auto kept = connection_settings(consumer);
    EXPECT_EQ(kept.size(), 5u);
    EXPECT_EQ(kept.at("security.protocol"), "SASL_SSL");
    EXPECT_FALSE(kept.contains("group.id"));
    EXPECT_FALSE(kept.contains("auto.offset.reset"));
    EXPECT_TRUE(connection_settings({}).empty());
}

TEST(make_kafka_conf, names_every_setting_librdkafka_rejects) {
    std::vector<std::string> errors;
    make_kafka_conf("consumer", {{"bootstrap.servers", "127.0.0.1:1"}},
                    {{"no.such.setting", "1"}, {"session.timeout.ms", "soon"}}, errors);
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0].rfind("consumer: no.such.setting=1: ", 0), 0u) << errors[0];
    EXPECT_EQ(errors[1].rfind("consumer: session.timeout.ms=soon: ", 0), 0u) << errors[1];
}

}  // namespace
}  // namespace asyncbench
