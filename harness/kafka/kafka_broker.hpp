#pragma once
// Where the pipeline's Kafka is: librdkafka's in-memory mock cluster inside this process (the
// embedded default, no services needed), or any real cluster given by bootstrap servers.
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace asyncbench {

class kafka_broker {
  public:
    virtual ~kafka_broker() = default;
    virtual std::string bootstrap_servers() const = 0;
    virtual std::string kind() const = 0;         // "embedded-mock" or "external"
    virtual std::string description() const = 0;  // for reports
    // Creates the topic (or accepts that it exists with at least `partitions`). Throws
    // std::runtime_error with the broker's reason.
    virtual void create_topic(const std::string& topic, int partitions) = 0;
    // false: consumers must be given partitions statically instead of joining a group.
    // librdkafka 2.0.2's mock group coordinator intermittently never completes a join with two
    // or more members (seen here: 2 of 8 two-member groups and 3 of 5 sixteen-member groups
    // never settled; a stuck one did not recover within a minute), so the embedded broker
    // cannot run real group rebalancing.
    virtual bool supports_consumer_groups() const { return true; }

    // Broker faults. stop_broker takes broker `id` (1-based) away as a crash would; start_broker
    // brings it back. Each returns what was done, for the report, and throws
    // std::runtime_error when it cannot (an unknown id, a cluster asyncbench cannot control).
    virtual std::string stop_broker(int id);
    virtual std::string start_broker(int id);
    // The broker id leading `partition` of `topic`, from a metadata request. Throws
    // std::runtime_error when the metadata does not say.
    virtual int leader_of(const std::string& topic, int partition);

    // Broker processes on this machine that the harness started, as (part name, pid), e.g.
    // ("broker 1", 4242), for the cost sampler; pid 0 while one is down. Empty when the
    // brokers are not separate processes of ours (the embedded cluster runs inside the harness;
    // an external cluster is not ours to measure). Thread-safe.
    virtual std::vector<std::pair<std::string, int>> processes() const { return {}; }
};

// librdkafka's mock cluster with `brokers` brokers on loopback sockets, in memory. It keeps only
// about 5 MiB or 100,000 message sets per partition; reports say so.
std::unique_ptr<kafka_broker> start_embedded_broker(int brokers = 3);

// The leader of `topic`/`partition` as the cluster at `bootstrap_servers` reports it. Throws.
int query_partition_leader(const std::string& bootstrap_servers, const std::string& topic,
                           int partition);

// An existing cluster. Checks it answers a metadata request within `timeout`; throws naming the
// bootstrap servers and librdkafka's reason when it does not.
std::unique_ptr<kafka_broker> connect_external_broker(const std::string& bootstrap_servers,
                                                      std::chrono::milliseconds timeout);

// Per-partition retention of librdkafka's mock cluster (rdkafka_mock.c).
inline constexpr std::size_t embedded_retention_bytes = 5 * 1024 * 1024;
inline constexpr std::size_t embedded_retention_message_sets = 100000;

}  // namespace asyncbench
