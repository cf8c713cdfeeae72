#pragma once
// What the runner needs from a mode, so the run's phases are written once for both: the sync
// baseline and the Kafka pipeline differ only behind this interface.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/kafka/kafka_broker.hpp"
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
    virtual std::map<std::string, std::string> producer_settings() const { return {}; }
    virtual std::map<std::string, std::string> consumer_settings() const { return {}; }
    // Consumer worker process `index` (async.worker_processes), for worker faults; nullptr when
    // consumers run inside the harness or the mode has none.
    virtual worker_process* worker(int /*index*/) { return nullptr; }
};

struct system_context {
    const scenario_config& scenario;
    const scenario_plugin& plugin;
    store& db;
    const system_directory& systems;
    std::string run_id;             // makes consumer group ids unique per run
    store_address db_address;       // where worker processes attach
    std::filesystem::path out_dir;  // worker process logs go here
};

std::unique_ptr<system_under_test> start_sync_system(const system_context& context);
std::unique_ptr<system_under_test> start_async_system(const system_context& context,
                                                      kafka_broker& broker);

}  // namespace asyncbench
