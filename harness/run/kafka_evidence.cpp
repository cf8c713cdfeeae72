#include "harness/run/kafka_evidence.hpp"

#include "harness/kafka/consumer_group.hpp"
#include "harness/kafka/kafka_client.hpp"
#include "harness/kafka/topic_offsets.hpp"
#include "harness/workflow/stage_graph.hpp"

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
    // The groups that read the front door's topic: inline stages have none, and a stage that
    // follows another reads that one's events.
    for (const auto i : stages_placed(scenario, mode::async, placement::kafka)) {
        if (input_topic(scenario, mode::async, i) != async.topic) continue;
        const auto& stage = scenario.workflow[i];
        kafka.committed[stage.name] =
            query_committed(bootstrap_servers, consumer_group_id(scenario, stage, run_id),
                            async.topic, async.partitions, timeout, connection);
    }
    return kafka;
}

}  // namespace asyncbench
