#pragma once
// What the runner needs from a mode, so the run's phases are written once for both: the sync
// baseline and the Kafka pipeline differ only behind this interface.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/kafka/kafka_broker.hpp"
#include "harness/kafka/pipeline_tracker.hpp"
#include "harness/run/loss_check.hpp"
#include "harness/run/worker_process.hpp"
#include "harness/store/store_factory.hpp"
#include "harness/workflow/workflow_executor.hpp"
#include "scenarios/scenario_plugin.hpp"

namespace asyncbench {

class system_under_test {
  public:
    virtual ~system_under_test() = default;
    virtual std::uint16_t port() const = 0;
    // Returns once the system can take load; throws std::runtime_error after `timeout`.
    virtual void wait_ready(std::chrono::seconds timeout) = 0;
    // Work accepted but not finished: sync = busy threads + queued; async = slowest group's lag.
    virtual std::int64_t backlog() const = 0;
    // One short phrase for the progress line, e.g. "threads 200/200, queue 87".
    virtual std::string status() const = 0;
    // Stops taking requests and stops processing; idempotent.
    virtual void stop() = 0;
    // Things the report must say about this run of the mode (after stop()).
    virtual std::vector<std::string> warnings() const = 0;
    // Parts of the harness that died on their own during the run (after stop()): each makes
    // the measurement untrustworthy (exit 3). Faults the timeline injected are not failures.
    virtual std::vector<std::string> harness_failures() const { return {}; }
    // Async only: where each acknowledged message was stored and what Kafka says now (log
    // start offsets, each stage's committed offsets), asked of Kafka first. nullopt without
    // Kafka, or when Kafka did not answer (the checker then falls back to "idle or pending").
    virtual std::optional<delivery_evidence> evidence() const { return std::nullopt; }
    // Async only, during the drain: true when some acknowledged requests are unfinished, Kafka
    // proves that no consumer can finish any of them (deleted unread, skipped), and every
    // stage's group has read the topic to its end, so waiting longer cannot help.
    virtual bool only_lost_work_left() const { return false; }
    // Async only: acknowledged ids that some stage has not finished yet, with where their
    // message is (the records_deleted fault's ground truth).
    virtual std::vector<pipeline_tracker::unfinished_message> unfinished() const { return {}; }
    // The most frequent step failures of the mode so far, most frequent first.
    virtual std::vector<step_error_count> step_errors(std::size_t limit) const = 0;
    // Figures of the pipeline itself for the result's metrics (after stop()), e.g. per-key
    // order violations.
    virtual std::vector<scenario_metric> pipeline_metrics() const { return {}; }
    virtual std::map<std::string, std::string> producer_settings() const { return {}; }
    virtual std::map<std::string, std::string> consumer_settings() const { return {}; }
    // Consumer worker process `index` (async.worker_processes), for worker faults; nullptr when
    // consumers run inside the harness or the mode has none.
    virtual worker_process* worker(int /*index*/) { return nullptr; }
    // The stage_down fault: stops (true) or resumes (false) the pollers or in-process consumers
    // of `stage`. False when this mode has none for it.
    virtual bool set_stage_paused(const std::string& /*stage*/, bool /*paused*/) { return false; }
    // Processes of the mode besides the harness, as (part name, pid), e.g. ("worker 0", 4242),
    // for the cost sampler; pid 0 while one is not running. Asked again every second from
    // another thread (a fault restarts a worker with a new pid), so it must be thread-safe.
    virtual std::vector<std::pair<std::string, int>> processes() const { return {}; }
};

struct system_context {
    const scenario_config& scenario;
    const scenario_plugin& plugin;
    store& db;
    const system_directory& systems;
    std::string run_id;             // makes consumer group ids unique per run
    store_address db_address;       // where worker processes attach
    std::filesystem::path out_dir;  // worker process logs go here
    redis_target redis;             // where Redis steps write, with this mode's key prefix
};

class front_door;
// The report's line when the front door closed connections unserved at its cap; the
// descriptor limit is `soft`, the process's (harness/core/descriptor_limit.hpp).
std::optional<std::string> connection_cap_note(std::uint64_t refused, int max_connections,
                                               std::uint64_t descriptor_soft_limit);
// What each mode adds to its warnings about its front door: requests refused because the pool
// was exhausted (thread exhaustion), then connections closed at the cap.
std::vector<std::string> front_door_notes(const front_door& api);

std::unique_ptr<system_under_test> start_sync_system(const system_context& context);
std::unique_ptr<system_under_test> start_async_system(const system_context& context,
                                                      kafka_broker& broker);

}  // namespace asyncbench
