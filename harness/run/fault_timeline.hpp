#pragma once
// Carries out a scenario's fault timeline during one mode's measured phase: each fault is
// applied `at` after the measure phase starts and reverted `duration` later, each on a thread
// of its own, and recorded as it actually happened (times, what was done, or why it could not be).
// Faults that need Kafka (worker, broker, leader) are recorded as not applied in the sync mode.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/core/mode.hpp"
#include "harness/kafka/kafka_broker.hpp"
#include "harness/redis/local_redis.hpp"
#include "harness/result/run_result.hpp"
#include "harness/run/system_under_test.hpp"
#include "harness/store/local_postgres.hpp"
#include "harness/store/store.hpp"
#include "harness/watch/watcher_group.hpp"
#include "mocks/mock_system.hpp"

namespace asyncbench {

struct fault_context {
    const scenario_config& scenario;
    mode mode_id;  // the mode whose measured phase this timeline runs in
    const std::vector<std::unique_ptr<mock_system>>& mocks;
    system_under_test& system;
    kafka_broker* broker = nullptr;  // async only
    store& db;
    std::string run_id;                   // names the run's consumer groups
    redis_service* redis = nullptr;       // redis_down: the run's Redis server
    watcher_group* watchers = nullptr;    // watcher_disconnect: the mode's watchers
    local_postgres* db_server = nullptr;  // database_down how: kill|stop: the run's PostgreSQL
};

// One fault's apply and revert; implementations in fault_actions.cpp.
class fault_action {
  public:
    virtual ~fault_action() = default;
    // Returns what was done; throws std::runtime_error when it cannot be done.
    virtual std::string apply() = 0;
    virtual std::string revert() = 0;
    // Calls each affected mock operation received so far ("lp.LPRUN" -> count).
    virtual std::map<std::string, std::uint64_t> call_counts() const { return {}; }
    // Target as shown in reports, e.g. "lp.LPRUN", "worker 1", "broker 2".
    virtual std::string target() const = 0;
    // After revert(): what a fault that destroys data destroyed (fault_record's ground truth).
    virtual void record_ground_truth(fault_record& /*record*/) const {}
};

// redis_down and watcher_disconnect (observer_faults.cpp); nullptr with `why` set when there
// is no Redis the run may restart, or no watchers.
std::unique_ptr<fault_action> make_redis_down_action(const fault_spec& fault, redis_service* redis,
                                                     std::string& why);
std::unique_ptr<fault_action> make_watcher_disconnect_action(const fault_spec& fault,
                                                             watcher_group* watchers,
                                                             std::string& why);

// nullptr with `why` set when the fault does not apply to this mode.
std::unique_ptr<fault_action> make_fault_action(const fault_spec& fault,
                                                const fault_context& context, std::string& why);

class fault_timeline {
  public:
    // `t0` is the start of warm-up (the series' second 0). Starts the thread at once; a
    // scenario without faults starts nothing.
    fault_timeline(fault_context context, std::chrono::steady_clock::time_point t0);
    ~fault_timeline();  // finish()

    // Reverts every fault still active, stops the thread and returns one record per scenario
    // fault, in scenario order. Call after the drain; idempotent.
    std::vector<fault_record> finish();

  private:
    void run(std::size_t index);
    void revert(std::size_t index, const std::string& joiner);
    double seconds_since_t0() const;

    fault_context context_;
    std::chrono::steady_clock::time_point t0_;
    std::vector<std::unique_ptr<fault_action>> actions_;  // parallel to scenario.faults
    std::vector<fault_record> records_;
    std::vector<bool> active_;  // guarded by mutex_
    std::vector<std::map<std::string, std::uint64_t>> calls_at_start_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool finishing_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace asyncbench
