#include "harness/kafka/kafka_broker.hpp"

#include <librdkafka/rdkafka.h>
// rdkafka_mock.h requires rdkafka.h first.
#include <fmt/format.h>
#include <librdkafka/rdkafka_mock.h>

#include <mutex>
#include <stdexcept>
#include <vector>

#include "harness/kafka/kafka_client.hpp"

namespace asyncbench {
namespace {

kafka_handle make_admin_client(const std::string& bootstrap_servers) {
    std::vector<std::string> errors;
    auto conf = make_kafka_conf("admin", {{"bootstrap.servers", bootstrap_servers}}, {}, errors);
    if (!errors.empty()) throw std::runtime_error(errors.front());
    return make_kafka_client(RD_KAFKA_PRODUCER, std::move(conf));
}

std::vector<std::int32_t> partition_leaders(rd_kafka_t* client, const std::string& topic) {
    rd_kafka_topic_t* handle = rd_kafka_topic_new(client, topic.c_str(), nullptr);
    const rd_kafka_metadata_t* metadata = nullptr;
    auto err = rd_kafka_metadata(client, 0, handle, &metadata, 10000);
    rd_kafka_topic_destroy(handle);
    if (err) {
        throw std::runtime_error(
            fmt::format("no metadata for topic {}: {}", topic, rd_kafka_err2str(err)));
    }
    std::vector<std::int32_t> leaders;
    if (metadata->topic_cnt == 1) {
        const auto& t = metadata->topics[0];
        leaders.assign(static_cast<std::size_t>(t.partition_cnt), -1);
        for (int i = 0; i < t.partition_cnt; ++i) {
            if (t.partitions[i].id >= 0 && t.partitions[i].id < t.partition_cnt) {
                leaders[static_cast<std::size_t>(t.partitions[i].id)] = t.partitions[i].leader;
            }
        }
    }
    rd_kafka_metadata_destroy(metadata);
    return leaders;
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
    ~embedded_broker() override { rd_kafka_mock_cluster_destroy(cluster_); }

    std::string bootstrap_servers() const override { return bootstrap_; }
    std::string kind() const override { return "embedded-mock"; }
    bool supports_consumer_groups() const override { return false; }
    std::string description() const override {
        return fmt::format(
            "librdkafka {} mock cluster, {} brokers, in memory inside the harness process",
            rd_kafka_version_str(), brokers_);
    }
    void create_topic(const std::string& topic, int partitions) override {
        auto err =
            rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, std::min(brokers_, 3));
        // As on a real cluster: a later run in this process (`run --repeat`, `capacity`) finds
        // the topic its predecessor made; its groups start at the end offsets, so what is
        // already in it is never consumed again.
        if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) return;
        if (err) {
            throw std::runtime_error(fmt::format("cannot create topic {} on the mock cluster: {}",
                                                 topic, rd_kafka_err2str(err)));
        }
        std::lock_guard lock(mutex_);
        topics_.push_back(topic);
    }

    // The mock cluster only refuses the broker's connections; it elects no new leaders. A real
    // cluster's controller would move each leadership to an in-sync follower, so we do that
    // here, or producers to those partitions would just wait for the broker to return.
    std::string stop_broker(int id) override {
        check_id(id);
        if (brokers_ < 2) {
            throw std::runtime_error(
                "the embedded cluster has one broker: taking it down "
                "leaves no leader to move to (use 3 brokers)");
        }
        std::lock_guard lock(mutex_);
        // Leaders are read first: a metadata failure then leaves the cluster untouched.
        std::vector<std::pair<std::string, std::vector<std::int32_t>>> leaders;
        for (const auto& topic : topics_) {
            leaders.emplace_back(topic, partition_leaders(admin().get(), topic));
        }
        rd_kafka_mock_broker_set_down(cluster_, id);
        const int successor = id % brokers_ + 1;
        int moved = 0;
        for (const auto& [topic, partition_leader] : leaders) {
            for (std::size_t p = 0; p < partition_leader.size(); ++p) {
                if (partition_leader[p] != id) continue;
                rd_kafka_mock_partition_set_leader(cluster_, topic.c_str(),
                                                   static_cast<std::int32_t>(p), successor);
                ++moved;
            }
        }
        return fmt::format(
            "mock broker {} set down (connections refused); its {} partition "
            "leadership(s) moved to broker {}, as a controller would",
            id, moved, successor);
    }
    std::string start_broker(int id) override {
        check_id(id);
        rd_kafka_mock_broker_set_up(cluster_, id);
        return fmt::format("mock broker {} set up again (leaderships stay where they moved)", id);
    }
    int leader_of(const std::string& topic, int partition) override {
        std::lock_guard lock(mutex_);
        const auto leaders = partition_leaders(admin().get(), topic);
        if (partition < 0 || partition >= static_cast<int>(leaders.size()) ||
            leaders[static_cast<std::size_t>(partition)] < 1) {
            throw std::runtime_error(
                fmt::format("the mock cluster names no leader for {}[{}]", topic, partition));
        }
        return leaders[static_cast<std::size_t>(partition)];
    }

  private:
    void check_id(int id) const {
        if (id < 1 || id > brokers_) {
            throw std::runtime_error(
                fmt::format("no broker {}: the embedded cluster has brokers "
                            "1..{}",
                            id, brokers_));
        }
    }
    // mutex_ held.
    const kafka_handle& admin() {
        if (!admin_) admin_ = make_admin_client(bootstrap_);
        return admin_;
    }

    std::mutex mutex_;
    std::vector<std::string> topics_;
    kafka_handle admin_;
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
            throw std::runtime_error(
                fmt::format("Kafka at {} did not answer a metadata request within {} ms: {}",
                            bootstrap_, timeout.count(), rd_kafka_err2str(err)));
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

std::string kafka_broker::stop_broker(int id) {
    throw std::runtime_error(fmt::format(
        "cannot stop broker {} of {}: asyncbench controls only clusters it started (--kafka "
        "embedded, local, local-3) or that scripts/kafka/start.sh started (--kafka-dir DIR)",
        id, description()));
}

std::string kafka_broker::start_broker(int id) {
    throw std::runtime_error(fmt::format("cannot start broker {} of {}", id, description()));
}

int kafka_broker::leader_of(const std::string& topic, int partition) {
    return query_partition_leader(bootstrap_servers(), topic, partition);
}

int query_partition_leader(const std::string& bootstrap_servers, const std::string& topic,
                           int partition) {
    auto admin = make_admin_client(bootstrap_servers);
    const auto leaders = partition_leaders(admin.get(), topic);
    if (partition < 0 || partition >= static_cast<int>(leaders.size()) ||
        leaders[static_cast<std::size_t>(partition)] < 0) {
        throw std::runtime_error(fmt::format("the cluster at {} names no leader for {}[{}]",
                                             bootstrap_servers, topic, partition));
    }
    return leaders[static_cast<std::size_t>(partition)];
}

std::unique_ptr<kafka_broker> start_embedded_broker(int brokers) {
    return std::make_unique<embedded_broker>(brokers);
}

std::unique_ptr<kafka_broker> connect_external_broker(const std::string& bootstrap_servers,
                                                      std::chrono::milliseconds timeout) {
    return std::make_unique<external_broker>(bootstrap_servers, timeout);
}

}  // namespace asyncbench
