#pragma once
// Small RAII and configuration helpers over librdkafka's C API (the C API, because the mock
// cluster API we use for the embedded broker only exists in C).
#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace asyncbench {

struct kafka_handle_deleter {
    void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
};
using kafka_handle = std::unique_ptr<rd_kafka_t, kafka_handle_deleter>;

struct kafka_conf_deleter {
    void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using kafka_conf = std::unique_ptr<rd_kafka_conf_t, kafka_conf_deleter>;

// Builds a configuration from `defaults` overlaid with `overrides` (the scenario's or -X
// settings, passed through untouched). Every property is checked by librdkafka itself; each
// rejected one adds "<role>: <name>=<value>: <librdkafka's reason>" to `errors`.
kafka_conf make_kafka_conf(const std::string& role,
                           const std::map<std::string, std::string>& defaults,
                           const std::map<std::string, std::string>& overrides,
                           std::vector<std::string>& errors);

// The settings a role ends up with (defaults overlaid with overrides), for the report.
std::map<std::string, std::string> effective_settings(
    const std::map<std::string, std::string>& defaults,
    const std::map<std::string, std::string>& overrides);

// The settings of `client_settings` that say how to reach and authenticate to the cluster
// (security.*, sasl.*, ssl.*, socket.*, client.dns.lookup), for the short-lived clients that
// ask the cluster about offsets: on a secured cluster they need what the consumers have.
std::map<std::string, std::string> connection_settings(
    const std::map<std::string, std::string>& client_settings);

// Creates a client; throws std::runtime_error with librdkafka's reason on failure.
kafka_handle make_kafka_client(rd_kafka_type_t type, kafka_conf conf);

}  // namespace asyncbench
