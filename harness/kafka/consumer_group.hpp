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
#include "harness/core/mode.hpp"
#include "harness/kafka/consumer_events.hpp"
#include "harness/kafka/kafka_producer.hpp"
#include "harness/store/store.hpp"
#include "harness/workflow/workflow_executor.hpp"

namespace asyncbench {

// What every stage group of a mode shares. The references must outlive the groups.
struct group_environment {
    const scenario_config& scenario;
    mode which;
    store& db;
    const system_directory& systems;
    redis_target redis;
    std::string bootstrap_servers;
    kafka_producer& producer;  // dead letters and completion events
    consumer_events& events;
    bool static_assignment = false;
};

// Where one stage's group reads and writes (harness/workflow/stage_graph.hpp).
struct stage_wiring {
    std::string input_topic;
    std::string completion_topic;  // empty: no Kafka stage consumes this one's completions
    // Stages that will never see an id this stage dead-lettered or rejected: reported finished
    // for it then, so the live view's backlog does not wait for them.
    std::vector<std::string> triggered_stages;
};

class consumer_group {
  public:
    // `group_id` should be unique per run so no earlier run's offsets apply. `members` are the
    // indices (of 0 .. consumers_per_group - 1) this instance runs, one thread each: all of
    // them in the harness process, or a share in each worker process. With
    // `static_assignment`, member i reads partitions p with p % consumers_per_group == i and
    // commits its offsets to the group without joining it (no rebalancing); otherwise members
    // subscribe and the group coordinator assigns partitions. Throws std::runtime_error listing
    // every consumer setting librdkafka rejected. A completed id is published to the wiring's
    // completion topic (when it has one) before its offset is stored: at least once.
    consumer_group(const group_environment& environment, const stage_spec& stage,
                   stage_wiring wiring, std::string group_id, std::vector<int> members);
    ~consumer_group();  // stop()

    // A real cluster keeps the topic across runs, and each run's group is new: with
    // auto.offset.reset=earliest it would first re-process every earlier run's messages.
    // Committing the current end of every partition for the new group, before any member
    // joins, makes the run consume exactly what it produces. Call once per group, before
    // start() anywhere (never again after a worker restart: that would skip messages). Not
    // needed with static assignment (the embedded cluster is new in every run). Throws
    // std::runtime_error.
    void start_at_end_of_topic();
    void start();
    // Workers finish the message in hand (retries are cut short), commit and leave the group.
    void stop();

    const std::map<std::string, std::string>& settings() const { return settings_; }

  private:
    void work(int index);
    bool join(rd_kafka_t* consumer, int index);
    bool dead_letter(rd_kafka_message_t* message, const std::string& error, int attempts);
    // Produces the completion event and waits for the broker's acknowledgement.
    bool publish_completion(const work_item& item);
    // Records how `run` ended; false when it must be delivered again (not finished).
    bool finish(workflow_executor& executor, rd_kafka_message_t* message, const work_item& item,
                const stage_run& run);

    group_environment environment_;
    const scenario_config& scenario_;
    const stage_spec& stage_;
    stage_wiring wiring_;
    std::string group_id_;
    kafka_producer& producer_;
    consumer_events& events_;
    std::map<std::string, std::string> settings_;
    bool static_assignment_;
    std::vector<int> members_;
    std::atomic<bool> stopping_{false};
    // Workers commit, then wait for each other before leaving the group: a member leaving
    // starts a rebalance, during which the others' final commits would fail.
    std::unique_ptr<std::latch> committed_;
    std::vector<std::thread> workers_;
};

// asyncbench.<scenario>.<stage>.<run_id>: unique per run, so no earlier run's offsets apply,
// and the same in the harness and in every worker process of the run.
std::string consumer_group_id(const scenario_config& scenario, const stage_spec& stage,
                              const std::string& run_id);

// One group per stage the mode places in Kafka, each running `members` of
// consumers_per_group in this process: the harness runs all of them, a worker process its
// share. The one place a mode's consumers are built. Throws as consumer_group's constructor.
std::vector<std::unique_ptr<consumer_group>> make_stage_groups(const group_environment& environment,
                                                               const std::string& run_id,
                                                               const std::vector<int>& members);

// Database connections those groups hold at once: one per member thread of every Kafka stage.
int stage_group_connections(const scenario_config& scenario, mode which, std::size_t members);

// Consumer defaults every report lists next to the overrides.
std::map<std::string, std::string> consumer_defaults(const std::string& bootstrap_servers,
                                                     const std::string& group_id);

}  // namespace asyncbench
