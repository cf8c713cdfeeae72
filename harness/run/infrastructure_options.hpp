#pragma once
// Parsing of the command-line choices of infrastructure, as pure functions: which Kafka, which
// database, and librdkafka settings passed through untouched (validated later by librdkafka).
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "harness/config/scenario_config.hpp"

namespace asyncbench {

struct kafka_choice {
    enum class kind { embedded, local, external };
    kind type = kind::embedded;
    int brokers = 3;                // embedded and local: how many brokers to start
    std::string bootstrap_servers;  // external
};

// "embedded" | "local" (1 broker) | "local-3" | "HOST:PORT[,HOST:PORT...]"; error text otherwise.
std::variant<kafka_choice, std::string> parse_kafka_option(std::string_view text);

struct database_choice {
    // local: a PostgreSQL the run starts (and may restart) itself; once started, the run uses
    // it as `postgres` with its URL.
    enum class kind { sqlite, postgres, local };
    kind type = kind::sqlite;
    std::string url;  // postgres: a libpq URL
};

// "sqlite" | "local" | "postgres://..." | "postgresql://..."; error text otherwise.
std::variant<database_choice, std::string> parse_database_option(std::string_view text);

// kcat-style -X settings: "producer:NAME=VALUE" or "consumer:NAME=VALUE" for one client,
// "NAME=VALUE" for both. They override the scenario file's async.producer/async.consumer.
// Returns one message per malformed setting.
std::vector<std::string> apply_client_settings(async_spec& async,
                                               const std::vector<std::string>& settings);

// Every producer and consumer setting, checked by librdkafka itself before anything starts.
std::vector<std::string> validate_client_settings(const async_spec& async);

}  // namespace asyncbench
