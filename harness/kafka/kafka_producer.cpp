#include "harness/kafka/kafka_producer.hpp"

#include <fmt/format.h>

#include <memory>
#include <stdexcept>

#include "harness/core/thread_name.hpp"

namespace asyncbench {
namespace {

void on_delivery_report(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
    std::unique_ptr<kafka_producer::delivery_fn> callback(
        static_cast<kafka_producer::delivery_fn*>(message->_private));
    if (!callback) return;
    delivery_report report;
    report.error = message->err;
    report.status = rd_kafka_message_status(message);
    report.partition = message->partition;
    report.offset = message->offset;
    report.bytes = message->len + message->key_len;
    (*callback)(report);
}

std::string join(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& line : lines) text += (text.empty() ? "" : "\n") + line;
    return text;
}

}  // namespace

std::map<std::string, std::string> producer_defaults(const std::string& bootstrap_servers) {
    return {{"bootstrap.servers", bootstrap_servers},
            {"enable.idempotence", "true"},
            {"acks", "all"},
            {"linger.ms", "5"},
            {"message.timeout.ms", "30000"}};
}

kafka_producer::kafka_producer(const std::string& role, const std::string& bootstrap_servers,
                               const std::map<std::string, std::string>& overrides)
    : settings_(effective_settings(producer_defaults(bootstrap_servers), overrides)) {
    std::vector<std::string> errors;
    auto conf = make_kafka_conf(role, producer_defaults(bootstrap_servers), overrides, errors);
    if (!errors.empty()) throw std::runtime_error(join(errors));
    rd_kafka_conf_set_dr_msg_cb(conf.get(), on_delivery_report);
    handle_ = make_kafka_client(RD_KAFKA_PRODUCER, std::move(conf));
    poller_ = std::thread([this] {
        name_this_thread(kafka_poll_thread);
        while (!stopping_.load()) rd_kafka_poll(handle_.get(), 50);
    });
}

kafka_producer::~kafka_producer() { stop(); }

rd_kafka_resp_err_t kafka_producer::produce(
    const std::string& topic, const std::string& key, const std::string& value,
    const std::vector<std::pair<std::string, std::string>>& headers, delivery_fn on_delivery) {
    rd_kafka_headers_t* message_headers = rd_kafka_headers_new(headers.size());
    for (const auto& [name, text] : headers) {
        rd_kafka_header_add(message_headers, name.data(), static_cast<ssize_t>(name.size()),
                            text.data(), static_cast<ssize_t>(text.size()));
    }
    auto* callback = new delivery_fn(std::move(on_delivery));
    auto err = rd_kafka_producev(
        handle_.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(message_headers),
        RD_KAFKA_V_OPAQUE(callback), RD_KAFKA_V_END);
    if (err) {
        // On failure librdkafka keeps neither the headers nor the opaque.
        rd_kafka_headers_destroy(message_headers);
        delete callback;
    }
    return err;
}

int kafka_producer::stop(int timeout_ms) {
    if (!handle_) return 0;
    if (!stopping_.exchange(true)) {
        if (poller_.joinable()) poller_.join();
        rd_kafka_flush(handle_.get(), timeout_ms);  // serves the remaining delivery reports
    }
    return rd_kafka_outq_len(handle_.get());
}

}  // namespace asyncbench
