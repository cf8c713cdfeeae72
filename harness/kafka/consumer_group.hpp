#pragma once
// The consumer groups that run a mode's Kafka stages. At-least-once in both models: a
// message's offset is stored only after its stage finished (completed, dead-lettered after the
// last attempt, or rejected), and committed from the stored offsets; a redelivery re-runs the
// stage, whose effects are idempotent by business id.
#include <atomic>
#include <latch>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/core/mode.hpp"
#include "harness/kafka/consumer_events.hpp"
#include "harness/kafka/kafka_client.hpp"
#include "harness/kafka/kafka_producer.hpp"
#include "harness/kafka/key_scheduler.hpp"
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
    // Partitions assigned by the harness, offsets committed without joining a group: exactly
    // on librdkafka's embedded mock cluster (no usable group coordinator), which also gets
    // its own fetch.wait.max.ms (consumer_defaults).
    bool static_assignment = false;
    // This process's index among `processes` running the mode's consumers: a key-ordered
    // group with static assignment reads the partitions p with p % processes == process.
    int process = 0;
    int processes = 1;
};

// Where one stage's group reads and writes (harness/workflow/stage_graph.hpp).
struct stage_wiring {
    std::string input_topic;
    std::string completion_topic;  // empty: no Kafka stage consumes this one's completions
    // Stages that will never see an id this stage dead-lettered or rejected: reported finished
    // for it then, so the live view's backlog does not wait for them.
    std::vector<std::string> triggered_stages;
};

// One consumer group running one workflow stage in this process, in one of two models
// (async.consumer_model): per_partition (partition_group.hpp: one Kafka client per worker, as
// Spring's `concurrency: N`) or key_ordered (key_ordered_group.hpp: one client feeding a pool
// of workers, order kept per business id, as Confluent's Parallel Consumer). This base holds
// what both share: the group's settings, the start offsets, and how a finished stage is
// recorded, dead-lettered or published. Thread-safe as documented per method.
class consumer_group {
  public:
    // `group_id` should be unique per run so no earlier run's offsets apply. `members` are the
    // worker indices (of 0 .. consumers_per_group - 1) this instance runs: all of them in the
    // harness process, or a share in each worker process. Throws std::runtime_error listing
    // every consumer setting librdkafka rejected. A completed id is published to the wiring's
    // completion topic (when it has one) before its offset is stored: at least once.
    consumer_group(const group_environment& environment, const stage_spec& stage,
                   stage_wiring wiring, std::string group_id, std::vector<int> members);
    virtual ~consumer_group() = default;  // implementations stop() in theirs

    // A real cluster keeps the topic across runs, and each run's group is new: with
    // auto.offset.reset=earliest it would first re-process every earlier run's messages.
    // Committing the current end of every partition for the new group, before any member
    // joins, makes the run consume exactly what it produces. Call once per group, before
    // start() anywhere (never again after a worker restart: that would skip messages). Not
    // needed with static assignment (the embedded cluster is new in every run). Throws
    // std::runtime_error.
    void start_at_end_of_topic();
    virtual void start() = 0;
    // Workers finish the message in hand (retries are cut short), commit and leave the group.
    virtual void stop() = 0;
    // The stage_down fault: paused workers start no message (the one in hand finishes); the
    // group stays in the consumer group meanwhile. Thread-safe.
    virtual void set_paused(bool paused) { work_paused_ = paused; }

    const std::map<std::string, std::string>& settings() const { return settings_; }
    const std::string& stage_name() const { return stage_.name; }

  protected:
    // A consumer configuration for this group (the defaults and the scenario's overrides).
    kafka_conf consumer_conf() const;
    // Records how `run` ended and, when it completed, publishes the completion; false when the
    // message must be delivered again (not finished: interrupted, or a write failed).
    bool finish(workflow_executor& executor, rd_kafka_message_t* message, const work_item& item,
                const stage_run& run);
    // Counts a message of `key` that finished after a later one of the same key.
    void check_order(const std::string& key, std::int64_t offset);

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
    std::atomic<bool> work_paused_{false};  // set_paused
    key_order_checker order_;

  private:
    bool dead_letter(rd_kafka_message_t* message, const std::string& error, int attempts);
    // Produces the completion event and waits for the broker's acknowledgement.
    bool publish_completion(const work_item& item);
};

// The message's business id (key), payload, kind and intended send time (headers).
work_item work_item_of(const rd_kafka_message_t* message);

// Produces `item` to `topic` as a completion of `stage` (key = business id; headers kind,
// stage, intended-us) and waits for the broker: its delivery report when stored, nullopt when
// not. For the stage that follows (consumer groups and poll stages alike).
std::optional<delivery_report> publish_completion(kafka_producer& producer,
                                                  const std::string& topic,
                                                  const std::string& stage, const work_item& item);

// Eager assignment for subscribing consumers: take what the coordinator gives and count it
// for the readiness check (`opaque` of the consumer: a rebalance_counter).
struct rebalance_counter {
    consumer_events* events;
    bool assigned = false;
};
void count_rebalance(rd_kafka_t* handle, rd_kafka_resp_err_t err,
                     rd_kafka_topic_partition_list_t* partitions, void* opaque);

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

// Kafka clients one process runs per group for `members` workers: one per worker
// (per_partition), or one (key_ordered). The readiness check counts them.
int clients_per_group(const scenario_config& scenario, std::size_t members);

// Consumer defaults every report lists next to the overrides. On librdkafka's embedded mock
// cluster (`embedded_cluster`) fetch.wait.max.ms is 10: its broker holds every fetch for the
// full wait (500 ms by default) even when messages arrive meanwhile, where a real broker
// answers as soon as there is data; left alone it added ~250 ms to every async completion
// (stats-stream: p99 506 ms, 23 ms with the setting).
std::map<std::string, std::string> consumer_defaults(const std::string& bootstrap_servers,
                                                     const std::string& group_id,
                                                     bool embedded_cluster);

}  // namespace asyncbench
