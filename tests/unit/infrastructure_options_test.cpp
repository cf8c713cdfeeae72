#include "harness/run/infrastructure_options.hpp"

#include <gtest/gtest.h>

namespace asyncbench {
namespace {

TEST(parse_kafka_option, names_and_bootstrap_lists) {
    auto embedded = std::get<kafka_choice>(parse_kafka_option("embedded"));
    EXPECT_EQ(embedded.type, kafka_choice::kind::embedded);
    auto local = std::get<kafka_choice>(parse_kafka_option("local"));
    EXPECT_EQ(local.type, kafka_choice::kind::local);
    EXPECT_EQ(local.brokers, 1);
    EXPECT_EQ(std::get<kafka_choice>(parse_kafka_option("local-3")).brokers, 3);
    auto external = std::get<kafka_choice>(parse_kafka_option("10.0.0.5:9092,kafka-2:9093"));
    EXPECT_EQ(external.type, kafka_choice::kind::external);
    EXPECT_EQ(external.bootstrap_servers, "10.0.0.5:9092,kafka-2:9093");
}

TEST(parse_kafka_option, rejects_what_is_not_a_bootstrap_list) {
    for (const char* bad : {"", "local-2", "kafka", "host:", ":9092", "host:90a2", "a:1,,b:2"}) {
        EXPECT_TRUE(std::holds_alternative<std::string>(parse_kafka_option(bad))) << bad;
    }
}

TEST(parse_database_option, sqlite_local_or_a_postgres_url) {
    EXPECT_EQ(std::get<database_choice>(parse_database_option("sqlite")).type,
              database_choice::kind::sqlite);
    EXPECT_EQ(std::get<database_choice>(parse_database_option("local")).type,
              database_choice::kind::local);
    auto pg = std::get<database_choice>(parse_database_option("postgres://u@127.0.0.1:5432/d"));
    EXPECT_EQ(pg.type, database_choice::kind::postgres);
    EXPECT_EQ(pg.url, "postgres://u@127.0.0.1:5432/d");
    EXPECT_TRUE(
        std::holds_alternative<database_choice>(parse_database_option("postgresql://u@h/d")));
    const auto wrong = parse_database_option("mysql://x");
    ASSERT_TRUE(std::holds_alternative<std::string>(wrong));
    EXPECT_NE(std::get<std::string>(wrong).find("sqlite, local or a postgres://"),
              std::string::npos);
}

TEST(apply_client_settings, targets_one_client_or_both_and_overrides_the_file) {
    async_spec async;
    async.producer["linger.ms"] = "5";
    auto errors =
        apply_client_settings(async, {"producer:linger.ms=1", "consumer:fetch.wait.max.ms=10",
                                      "client.id=ab", "consumer:group.instance.id=x=y"});
    EXPECT_TRUE(errors.empty());
    EXPECT_EQ(async.producer.at("linger.ms"), "1");
    EXPECT_FALSE(async.producer.contains("fetch.wait.max.ms"));
    EXPECT_EQ(async.consumer.at("fetch.wait.max.ms"), "10");
    EXPECT_EQ(async.producer.at("client.id"), "ab");
    EXPECT_EQ(async.consumer.at("client.id"), "ab");
    EXPECT_EQ(async.consumer.at("group.instance.id"), "x=y");
}

TEST(apply_client_settings, malformed_settings_are_each_reported) {
    async_spec async;
    auto errors = apply_client_settings(async, {"linger.ms", "producer:=3", "ok=1"});
    EXPECT_EQ(errors.size(), 2u);
    EXPECT_EQ(async.producer.at("ok"), "1");
}

TEST(validate_client_settings, librdkafka_judges_names_and_values) {
    async_spec async;
    EXPECT_TRUE(validate_client_settings(async).empty());
    async.producer["linger.ms"] = "soon";
    async.consumer["no.such.property"] = "1";
    auto errors = validate_client_settings(async);
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_NE(errors[0].find("linger.ms"), std::string::npos);
    EXPECT_NE(errors[1].find("no.such.property"), std::string::npos);
}

}  // namespace
}  // namespace asyncbench
