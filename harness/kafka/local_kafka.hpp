#pragma once
// Real Apache Kafka for one run: started by scripts/kafka/start.sh (KRaft, loopback ports,
// jars from Maven Central, cached) before the run and stopped by scripts/kafka/stop.sh after,
// even when the run fails.
#include <chrono>
#include <filesystem>
#include <memory>

#include "harness/kafka/kafka_broker.hpp"

namespace asyncbench {

// Starts `brokers` (1 or 3) nodes with their data and logs under `dir`. Throws
// std::runtime_error with the script's own explanation (which node failed, its log's tail)
// when the cluster does not come up.
std::unique_ptr<kafka_broker> start_local_kafka(int brokers, const std::filesystem::path& dir);

// The pinned Apache Kafka version, read from scripts/kafka/kafka.env ("unknown" if absent).
std::string local_kafka_version();

// A cluster already running that scripts/kafka/start.sh --dir `dir` started: used as it is and
// left running, but broker faults can kill and restart its nodes through the scripts. Throws
// std::runtime_error when it does not answer or `dir` holds no cluster.
std::unique_ptr<kafka_broker> connect_scripted_kafka(const std::string& bootstrap_servers,
                                                     const std::filesystem::path& dir);

}  // namespace asyncbench
