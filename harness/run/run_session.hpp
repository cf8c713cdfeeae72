#pragma once
// What `run` and `capacity` share: the scenario loaded with the command line applied and
// checked (nothing started on an error), the infrastructure both modes use started once (the
// mock systems, a Kafka broker, Redis), each mode run as often as asked into its own folder,
// and the environment described at the end. One per command; not thread-safe; SIGINT/SIGTERM
// set the flag every mode watches.
#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "harness/cli/run_command.hpp"
#include "harness/config/scenario_config.hpp"
#include "harness/kafka/kafka_broker.hpp"
#include "harness/redis/local_redis.hpp"
#include "harness/result/run_result.hpp"
#include "harness/run/infrastructure_options.hpp"
#include "harness/run/mode_runner.hpp"
#include "harness/store/local_postgres.hpp"
#include "mocks/mock_system.hpp"

namespace asyncbench {

class run_session {
  public:
    // Loads and checks everything `options` says (the scenario file, --mode, the overrides,
    // -X, --kafka, --db, --redis, --threshold); on any error prints every message to stderr
    // and returns exit code 2. Creates `out_dir` (empty: out/<scenario>-<UTC time>).
    static std::variant<std::unique_ptr<run_session>, int> open(const run_options& options);
    ~run_session();
    run_session(const run_session&) = delete;
    run_session& operator=(const run_session&) = delete;

    // Starts the mocks, the broker (when a chosen mode uses Kafka), Redis (when the scenario
    // declares keys) and PostgreSQL (--db local). Throws std::runtime_error on failure (exit 2:
    // nothing ran).
    void start_infrastructure();

    const scenario_config& scenario() const { return scenario_; }
    const std::vector<mode>& modes() const { return modes_; }
    const std::vector<threshold_spec>& thresholds() const { return thresholds_; }
    const std::filesystem::path& out_dir() const { return out_dir_; }
    const std::atomic<bool>& interrupted() const;

    // A result with the scenario, environment and settings filled in, no mode yet; after
    // start_infrastructure(), so the environment names the broker and Redis that ran.
    run_result new_result() const;

    // Runs one mode of `scenario` (the session's, or a copy with a different rate) into
    // `folder` with its own topics, groups, schemas and keys (`run_tag` added to the run id).
    // Throws what run_mode throws (the harness failed: exit 3).
    measured_mode run(mode which, const scenario_config& scenario,
                      const std::filesystem::path& folder, const std::string& run_tag,
                      run_settings& settings);

    // Stops the mocks, Redis and a local PostgreSQL, and says in `result.environment` which
    // database ran.
    void finish(run_result& result);

  private:
    run_session() = default;

    scenario_config scenario_;
    std::vector<mode> modes_;
    std::vector<threshold_spec> thresholds_;
    std::filesystem::path out_dir_;
    kafka_choice kafka_;
    std::string kafka_dir_;
    database_choice database_;
    std::string database_location_;  // for the report, never with a password
    redis_choice redis_choice_;
    std::string run_id_;
    std::vector<std::unique_ptr<mock_system>> mocks_;
    system_directory systems_;
    std::unique_ptr<kafka_broker> broker_;
    std::unique_ptr<redis_service> redis_;
    std::unique_ptr<local_postgres> local_db_;  // --db local
    environment_info environment_;
};

}  // namespace asyncbench
