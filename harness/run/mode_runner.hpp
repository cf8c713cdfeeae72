#pragma once
// One mode's run through the explicit phases: setup, readiness, warm-up and measure (the load
// generator), drain, teardown, reconcile. Each phase is logged with its duration and bounded
// by a deadline. The same code runs both modes; only the system_under_test differs.
#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/core/mode.hpp"
#include "harness/kafka/kafka_broker.hpp"
#include "harness/redis/local_redis.hpp"
#include "harness/result/run_result.hpp"
#include "harness/run/infrastructure_options.hpp"
#include "harness/run/repetitions.hpp"
#include "harness/store/local_postgres.hpp"
#include "harness/workflow/workflow_executor.hpp"
#include "mocks/mock_system.hpp"
#include "scenarios/scenario_plugin.hpp"

namespace asyncbench {

struct mode_dependencies {
    const scenario_config& scenario;
    const scenario_plugin& plugin;
    const std::vector<std::unique_ptr<mock_system>>& mocks;
    const system_directory& systems;
    kafka_broker* broker = nullptr;  // required when the mode uses Kafka
    std::string redis_url;           // redis://HOST:PORT, required when the scenario uses Redis
    const database_choice& database;
    std::filesystem::path out_dir;  // a SQLite database goes here
    std::string run_id;
    const std::atomic<bool>& cancel;        // set by SIGINT/SIGTERM
    redis_service* redis_server = nullptr;  // the run's Redis, for redis_down (may be null)
    local_postgres* db_server = nullptr;    // --db local: for database_down how: kill|stop
};

// Setup failures (a port, Kafka unreachable) throw std::runtime_error; everything after setup
// is counted in the result, never thrown. Fills the Kafka client settings into `settings` for
// a mode that uses Kafka. The result comes with the histograms behind its latency summaries,
// for merging repetitions (repetitions.hpp).
measured_mode run_mode(mode which, const mode_dependencies& deps, run_settings& settings);

}  // namespace asyncbench
