#pragma once
// One consumer group running one workflow stage: N worker threads, each with its own consumer
// in the group, each running the shared workflow executor on the messages it is assigned.
// At-least-once: a message's offset is stored only after its stage finished (completed, or
// dead-lettered after the last attempt), and committed from the stored offsets; a redelivery
// re-runs the stage, whose effects are idempotent by business id.
#include <atomic>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/kafka/kafka_producer.hpp"
#include "harness/kafka/pipeline_tracker.hpp"
#include "harness/store/store.hpp"
#include "harness/workflow/workflow_executor.hpp"

namespace asyncbench {

class consumer_group {
public:
    // `group_id` should be unique per run so no earlier run's offsets apply. With
    // `static_assignment`, worker i reads partitions p with p % workers == i and commits its
    // offsets to the group without joining it (no rebalancing); otherwise workers subscribe
    // and the group coordinator assigns partitions. Throws std::runtime_error listing every
    // consumer setting librdkafka rejected.
    consumer_group(const scenario_config& scenario, const stage_spec& stage,
                   std::string group_id, store& db, const system_directory& systems,
                   const std::string& bootstrap_servers, kafka_producer& dead_letters,
                   pipeline_tracker& tracker, bool static_assignment);
    ~consumer_group();  // stop()

    void start();
    // Workers finish the message in hand (retries are cut short), commit and leave the group.
    void stop();

    const std::map<std::string, std::string>& settings() const { return settings_; }

private:
    void work(int index);
    bool join(rd_kafka_t* consumer, int index);
    void start_at_end_of_topic();
    bool dead_letter(rd_kafka_message_t* message, const std::string& error, int attempts);

    const scenario_config& scenario_;
    const stage_spec& stage_;
    std::string group_id_;
    store& db_;
    const system_directory& systems_;
    std::string bootstrap_;
    kafka_producer& dead_letters_;
    pipeline_tracker& tracker_;
    std::map<std::string, std::string> settings_;
    bool static_assignment_;
    std::atomic<bool> stopping_{false};
    // Workers commit, then wait for each other before leaving the group: a member leaving
    // starts a rebalance, during which the others' final commits would fail.
    std::unique_ptr<std::latch> committed_;
    std::vector<std::thread> workers_;
};

// Consumer defaults every report lists next to the overrides.
std::map<std::string, std::string> consumer_defaults(const std::string& bootstrap_servers,
                                                     const std::string& group_id);

}  // namespace asyncbench
