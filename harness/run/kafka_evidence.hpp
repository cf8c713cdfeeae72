#pragma once
// Asks the pipeline's Kafka what the loss checker and the records_deleted fault both need: the
// topic's log start and end offsets, and each stage group's committed offsets. Blocks up to
// `timeout` per question; throws std::runtime_error with Kafka's reason. Thread-safe.
#include <chrono>
#include <string>

#include "harness/config/scenario_config.hpp"
#include "harness/run/loss_check.hpp"

namespace asyncbench {

kafka_evidence query_kafka_evidence(const scenario_config& scenario,
                                    const std::string& bootstrap_servers, const std::string& run_id,
                                    std::chrono::milliseconds timeout);

}  // namespace asyncbench
