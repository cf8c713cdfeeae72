#include "harness/kafka/kafka_client.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <stdexcept>
#include <string_view>

namespace asyncbench {

std::map<std::string, std::string> effective_settings(
    const std::map<std::string, std::string>& defaults,
    const std::map<std::string, std::string>& overrides) {
    auto merged = defaults;
    for (const auto& [name, value] : overrides) merged[name] = value;
    return merged;
}

namespace {

// librdkafka logs to stderr by default, which would tear the progress line apart; route its
// messages through spdlog, keeping warnings and errors visible.
void forward_log(const rd_kafka_t* handle, int level, const char* facility, const char* text) {
    if (level <= 3) {
        spdlog::error("kafka {} {}: {}", rd_kafka_name(handle), facility, text);
    } else if (level == 4) {
        spdlog::warn("kafka {} {}: {}", rd_kafka_name(handle), facility, text);
    } else {
        spdlog::debug("kafka {} {}: {}", rd_kafka_name(handle), facility, text);
    }
}

}  // namespace

kafka_conf make_kafka_conf(const std::string& role,
                           const std::map<std::string, std::string>& defaults,
                           const std::map<std::string, std::string>& overrides,
                           std::vector<std::string>& errors) {
    kafka_conf conf(rd_kafka_conf_new());
    rd_kafka_conf_set_log_cb(conf.get(), forward_log);
    char reason[512];
    for (const auto& [name, value] : effective_settings(defaults, overrides)) {
        if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), reason, sizeof reason) !=
            RD_KAFKA_CONF_OK) {
            errors.push_back(fmt::format("{}: {}={}: {}", role, name, value, reason));
        }
    }
    return conf;
}

kafka_handle make_kafka_client(rd_kafka_type_t type, kafka_conf conf) {
    char reason[512];
    // rd_kafka_new takes ownership of the configuration only on success.
    rd_kafka_t* handle = rd_kafka_new(type, conf.get(), reason, sizeof reason);
    if (!handle) throw std::runtime_error(fmt::format("cannot create Kafka client: {}", reason));
    conf.release();
    return kafka_handle(handle);
}

std::map<std::string, std::string> connection_settings(
    const std::map<std::string, std::string>& client_settings) {
    static constexpr std::string_view prefixes[] = {"security.", "sasl.", "ssl.", "socket.",
                                                    "client.dns.lookup"};
    std::map<std::string, std::string> out;
    for (const auto& [name, value] : client_settings) {
        for (const auto prefix : prefixes) {
            if (std::string_view(name).substr(0, prefix.size()) == prefix) out[name] = value;
        }
    }
    return out;
}

}  // namespace asyncbench
