#include "harness/run/infrastructure_options.hpp"

#include <fmt/format.h>

#include "harness/kafka/consumer_group.hpp"
#include "harness/kafka/kafka_client.hpp"
#include "harness/kafka/kafka_producer.hpp"

namespace asyncbench {

std::variant<kafka_choice, std::string> parse_kafka_option(std::string_view text) {
    kafka_choice choice;
    if (text == "embedded") return choice;
    if (text == "local" || text == "local-1" || text == "local-3") {
        choice.type = kafka_choice::kind::local;
        choice.brokers = text == "local-3" ? 3 : 1;
        return choice;
    }
    // Every comma-separated entry must look like HOST:PORT with a numeric port.
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find(',', start);
        auto entry = text.substr(start, end == std::string_view::npos ? text.npos : end - start);
        auto colon = entry.rfind(':');
        const bool valid =
            colon != std::string_view::npos && colon > 0 && colon + 1 < entry.size() &&
            entry.find_first_not_of("0123456789", colon + 1) == std::string_view::npos;
        if (!valid) {
            return fmt::format(
                "--kafka: '{}' is not embedded, local, local-3 or a list of "
                "HOST:PORT (bad entry '{}')",
                text, entry);
        }
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    choice.type = kafka_choice::kind::external;
    choice.bootstrap_servers = std::string(text);
    return choice;
}

std::variant<database_choice, std::string> parse_database_option(std::string_view text) {
    database_choice choice;
    if (text == "sqlite") return choice;
    if (text == "local") {
        choice.type = database_choice::kind::local;
        return choice;
    }
    if (text.starts_with("postgres://") || text.starts_with("postgresql://")) {
        choice.type = database_choice::kind::postgres;
        choice.url = std::string(text);
        return choice;
    }
    return fmt::format("--db: '{}' is not sqlite, local or a postgres://USER@HOST:PORT/DB URL",
                       text);
}

std::vector<std::string> apply_client_settings(async_spec& async,
                                               const std::vector<std::string>& settings) {
    std::vector<std::string> errors;
    for (const auto& setting : settings) {
        std::string_view text = setting;
        bool producer = true;
        bool consumer = true;
        if (text.starts_with("producer:")) {
            consumer = false;
            text.remove_prefix(9);
        } else if (text.starts_with("consumer:")) {
            producer = false;
            text.remove_prefix(9);
        }
        auto equals = text.find('=');
        if (equals == std::string_view::npos || equals == 0) {
            errors.push_back(fmt::format(
                "-X '{}': expected NAME=VALUE, producer:NAME=VALUE or consumer:NAME=VALUE",
                setting));
            continue;
        }
        std::string name(text.substr(0, equals));
        std::string value(text.substr(equals + 1));
        if (producer) async.producer[name] = value;
        if (consumer) async.consumer[name] = value;
    }
    return errors;
}

std::vector<std::string> validate_client_settings(const async_spec& async) {
    std::vector<std::string> errors;
    // The bootstrap address is a placeholder: only the settings' names and values are checked.
    make_kafka_conf("producer", producer_defaults("127.0.0.1:9092"), async.producer, errors);
    make_kafka_conf("consumer", consumer_defaults("127.0.0.1:9092", "validation", false),
                    async.consumer, errors);
    return errors;
}

}  // namespace asyncbench
