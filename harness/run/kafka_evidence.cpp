#include "harness/run/kafka_evidence.hpp"

#include "harness/kafka/consumer_group.hpp"
#include "harness/kafka/kafka_client.hpp"
#include "harness/kafka/topic_offsets.hpp"

namespace asyncbench {

kafka_evidence query_kafka_evidence(const scenario_config& scenario,
                                    const std::string& bootstrap_servers, const std::string& run_id,
                                    std::chrono::milliseconds timeout) {
    const auto& async = scenario.async;
    // A secured cluster answers these clients only with the consumers' connection settings.
    const auto connection = connection_settings(async.consumer);
    kafka_evidence kafka;
    auto marks =
        query_watermarks(bootstrap_servers, async.topic, async.partitions, timeout, connection);
    kafka.log_start = std::move(marks.log_start);
    kafka.end = std::move(marks.end);
    for (const auto& stage : scenario.workflow) {
        kafka.committed[stage.name] =
            query_committed(bootstrap_servers, consumer_group_id(scenario, stage, run_id),
                            async.topic, async.partitions, timeout, connection);
    }
    return kafka;
}

}  // namespace asyncbench
