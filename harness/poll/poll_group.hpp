#pragma once
// The pollers that run one poll stage in a mode (placement::poll): poll.instances threads, each
// asking the stage's source every poll.every (+- jitter) for rows at or past its cursor, page by
// page, and running the stage for each row new to it (instance i takes the rows whose key
// hashes to i, so every instance reads every row, as independent pollers of one feed do). A row
// is finished once its outcome is recorded (completed, rejected, or dead-lettered after
// async.max_attempts attempts; at once when the row cannot be encoded); one not finished
// (stopped, paused, or the record failed) ends the round and it and the rest of its page are
// read again next round. Effects stay once per (business id, step) whatever is re-read.
//
// Thread-safety: start/stop/set_paused from one thread; counters() and finished() from any.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/core/mode.hpp"
#include "harness/kafka/kafka_producer.hpp"
#include "harness/kafka/pipeline_tracker.hpp"
#include "harness/result/run_result.hpp"
#include "harness/store/store.hpp"
#include "harness/workflow/step_errors.hpp"
#include "harness/workflow/workflow_executor.hpp"

namespace asyncbench {

class poll_source;

// What the mode's pollers share. The references must outlive the groups.
struct poll_environment {
    const scenario_config& scenario;
    store& db;
    const system_directory& systems;
    redis_target redis;
    network_endpoint api;  // the front door, for poll_spec::source_kind::api
    step_error_sink* errors = nullptr;
    // When a Kafka stage follows a poll stage (async): where its completions are produced,
    // and the live view that then counts them as acknowledged. Both outlive the groups.
    kafka_producer* producer = nullptr;
    pipeline_tracker* tracker = nullptr;
};

// Totals of one stage's pollers (all instances).
struct poll_counters {
    std::uint64_t rounds = 0;           // polls: a round pages until a short page
    std::uint64_t empty_rounds = 0;     // polls that found nothing new
    std::uint64_t requests = 0;         // pages asked of the source (HTTP requests or queries)
    std::uint64_t failed_requests = 0;  // pages the source did not give
    std::uint64_t rows = 0;             // rows fetched, re-read ones included
    std::uint64_t bytes = 0;
    std::uint64_t refetched = 0;            // rows an instance had read before
    std::uint64_t peak_requests_per_s = 0;  // the busiest wall-clock second
};

class poll_group {
  public:
    // `stage` must be placed poll (stage.poll set). A non-empty `completion_topic` (a Kafka stage
    // follows) gets each completed row's request, acknowledged before the row counts as
    // finished (environment.producer and .tracker then required). Starts nothing yet.
    poll_group(const poll_environment& environment, const stage_spec& stage,
               std::string completion_topic = {});
    ~poll_group();  // stop()
    poll_group(const poll_group&) = delete;
    poll_group& operator=(const poll_group&) = delete;

    void start();
    // The pollers finish the row in hand (retries cut short) and end. Idempotent.
    void stop();
    // A paused group makes no requests and starts no row (the polling system is down); the
    // row in hand is finished. On resume each instance polls at once from where it stopped.
    void set_paused(bool paused);

    const std::string& stage_name() const { return stage_.name; }
    // Distinct rows finished (any outcome), for the live backlog.
    std::uint64_t finished() const { return finished_.load(); }
    poll_counters counters() const;

  private:
    void run(int instance);
    // Runs the stage for `row` and records its outcome; false when it did not finish (stopped,
    // or the record failed), so the row must be read again.
    bool finish_row(workflow_executor& executor, const poll_source& source, const row_values& row,
                    const std::string& key);
    // Sleeps until `until`, a stop, or a resume; false when stopping.
    bool wait_until(std::chrono::steady_clock::time_point until);
    void count_request(bool failed, std::size_t rows, std::size_t bytes);

    poll_environment environment_;
    const stage_spec& stage_;
    std::string completion_topic_;
    std::chrono::microseconds every_;
    std::atomic<bool> stopping_{false};
    std::atomic<std::uint64_t> finished_{0};
    std::atomic<bool> paused_{false};
    mutable std::mutex mutex_;  // guards counters_, per_second_; wakes the sleepers
    std::condition_variable wake_;
    poll_counters counters_;
    std::map<std::int64_t, std::uint64_t> per_second_;  // steady seconds -> requests
    std::vector<std::thread> threads_;
};

// The stages a mode places poll, one group each; empty when it places none.
std::vector<std::unique_ptr<poll_group>> make_poll_groups(const poll_environment& environment,
                                                          mode which);

// Rows the slowest group has still to finish, of the `handed_on` requests whose inline stages
// completed (the rows the pollers should find).
std::int64_t poll_backlog(const std::vector<std::unique_ptr<poll_group>>& groups,
                          std::uint64_t handed_on);

// Stops or resumes the group running `stage`; false when none does.
bool set_poll_stage_paused(const std::vector<std::unique_ptr<poll_group>>& groups,
                           const std::string& stage, bool paused);

// The figures a report shows for the groups (summed over them): poll_rounds,
// poll_rounds_empty, poll_requests, poll_requests_failed, poll_rows_fetched,
// poll_bytes_fetched, poll_rows_refetched, poll_requests_peak_per_s. None without groups.
std::vector<scenario_metric> poll_metrics(const std::vector<std::unique_ptr<poll_group>>& groups);

}  // namespace asyncbench
