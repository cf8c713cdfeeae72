#include "harness/kafka/kafka_broker.hpp"

#include <librdkafka/rdkafka.h>
// rdkafka_mock.h requires rdkafka.h first.
#include <librdkafka/rdkafka_mock.h>

#include <fmt/format.h>
#include <stdexcept>

#include "harness/kafka/kafka_client.hpp"

namespace asyncbench {
namespace {

kafka_handle make_admin_client(const std::string& bootstrap_servers) {
    std::vector<std::string> errors;
    auto conf = make_kafka_conf("admin", {{"bootstrap.servers", bootstrap_servers}}, {}, errors);
    if (!errors.empty()) throw std::runtime_error(errors.front());
    return make_kafka_client(RD_KAFKA_PRODUCER, std::move(conf));
}

class embedded_broker final : public kafka_broker {
public:
    explicit embedded_broker(int brokers) : brokers_(brokers) {
        std::vector<std::string> errors;
        // The mock cluster lives inside a client handle; this one exists only to host it.
        host_ = make_kafka_client(RD_KAFKA_PRODUCER,
                                  make_kafka_conf("mock host", {{"log_level", "3"}}, {}, errors));
        cluster_ = rd_kafka_mock_cluster_new(host_.get(), brokers);
        if (!cluster_) throw std::runtime_error("cannot start librdkafka's mock cluster");
        bootstrap_ = rd_kafka_mock_cluster_bootstraps(cluster_);
    }
    ~embedded_broker() override {
        rd_kafka_mock_cluster_destroy(cluster_);
    }

    std::string bootstrap_servers() const override { return bootstrap_; }
    std::string kind() const override { return "embedded-mock"; }
    bool supports_consumer_groups() const override { return false; }
    std::string description() const override {
        return fmt::format(
            "librdkafka {} mock cluster, {} brokers, in memory inside the harness process",
            rd_kafka_version_str(), brokers_);
    }
    void create_topic(const std::string& topic, int partitions) override {
        auto err = rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions,
                                              std::min(brokers_, 3));
        if (err) {
            throw std::runtime_error(fmt::format("cannot create topic {} on the mock cluster: {}",
                                                 topic, rd_kafka_err2str(err)));
        }
    }

private:
    int brokers_;
    kafka_handle host_;
    rd_kafka_mock_cluster_t* cluster_ = nullptr;
    std::string bootstrap_;
};

class external_broker final : public kafka_broker {
public:
    external_broker(std::string bootstrap, std::chrono::milliseconds timeout)
        : bootstrap_(std::move(bootstrap)), admin_(make_admin_client(bootstrap_)) {
        const rd_kafka_metadata_t* metadata = nullptr;
        auto err = rd_kafka_metadata(admin_.get(), 0, nullptr, &metadata,
                                     static_cast<int>(timeout.count()));
        if (err) {
            throw std::runtime_error(fmt::format(
                "Kafka at {} did not answer a metadata request within {} ms: {}", bootstrap_,
                timeout.count(), rd_kafka_err2str(err)));
        }
        broker_count_ = metadata->broker_cnt;
        rd_kafka_metadata_destroy(metadata);
    }

    std::string bootstrap_servers() const override { return bootstrap_; }
    std::string kind() const override { return "external"; }
    std::string description() const override {
        return fmt::format("Kafka cluster at {} ({} brokers answered metadata)", bootstrap_,
                           broker_count_);
    }

    void create_topic(const std::string& topic, int partitions) override {
        char reason[512];
        rd_kafka_NewTopic_t* new_topic =
            rd_kafka_NewTopic_new(topic.c_str(), partitions, -1, reason, sizeof reason);
        if (!new_topic) throw std::runtime_error(fmt::format("topic {}: {}", topic, reason));
        rd_kafka_queue_t* queue = rd_kafka_queue_new(admin_.get());
        rd_kafka_CreateTopics(admin_.get(), &new_topic, 1, nullptr, queue);
        rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 30000);
        std::string failure;
        if (!event) {
            failure = "no answer within 30 s";
        } else if (rd_kafka_event_error(event)) {
            failure = rd_kafka_event_error_string(event);
        } else {
            const auto* result = rd_kafka_event_CreateTopics_result(event);
            size_t count = 0;
            const auto** topics = rd_kafka_CreateTopics_result_topics(result, &count);
            for (size_t i = 0; i < count; ++i) {
                auto err = rd_kafka_topic_result_error(topics[i]);
                if (err && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
                    failure = rd_kafka_topic_result_error_string(topics[i]);
                }
            }
        }
        if (event) rd_kafka_event_destroy(event);
        rd_kafka_queue_destroy(queue);
        rd_kafka_NewTopic_destroy(new_topic);
        if (!failure.empty()) {
            throw std::runtime_error(
                fmt::format("cannot create topic {} at {}: {}", topic, bootstrap_, failure));
        }
    }

private:
    std::string bootstrap_;
    kafka_handle admin_;
    int broker_count_ = 0;
};

}  // namespace

std::unique_ptr<kafka_broker> start_embedded_broker(int brokers) {
    return std::make_unique<embedded_broker>(brokers);
}

std::unique_ptr<kafka_broker> connect_external_broker(const std::string& bootstrap_servers,
                                                      std::chrono::milliseconds timeout) {
    return std::make_unique<external_broker>(bootstrap_servers, timeout);
}

}  // namespace asyncbench
