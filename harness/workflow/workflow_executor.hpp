#pragma once
// Executes the scenario's workflow steps for one business id. This is the only place business
// steps run, whichever mode calls it: the sync baseline's worker threads and the Kafka
// pipeline's consumer workers both hold one executor each, so the two modes cannot differ in
// what they do, only in where and when. Each step is idempotent by (business id, step): an
// applied effect is never applied again, whether the message was redelivered or retried.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "harness/config/scenario_config.hpp"
#include "harness/http/blocking_http_client.hpp"
#include "harness/redis/redis_client.hpp"
#include "harness/store/store.hpp"
#include "harness/workflow/step_errors.hpp"
#include "harness/workflow/steps/step_functions.hpp"

namespace asyncbench {

struct work_item {
    std::string business_id;
    std::string kind;
    std::string payload;                 // JSON, sent as the body of each downstream call
    std::int64_t intended_epoch_us = 0;  // when the client meant to send the request
};

struct network_endpoint {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
};
using system_directory = std::map<std::string, network_endpoint>;  // system name -> address

// One attempt at a stage: done when every step was; otherwise the first step that was not,
// with its result (a rejection's reason, or a failure's error such as "lp.LPRUN answered 503").
struct stage_attempt {
    step_result result;
    std::string stopped_at;  // the step that rejected or failed
    bool ok() const { return result.is_done(); }
};

struct stage_run {
    step_result result;  // of the last attempt
    int attempts = 0;
    bool ok() const { return result.is_done(); }
    bool rejected() const { return result.outcome == step_result::status::rejected; }
};

// Where a workflow's Redis steps write: the server and the prefix that keeps each run's and
// each mode's keys apart ("ab:<run id>:<mode>:").
struct redis_target {
    std::string url;  // empty: the scenario declares no Redis keys
    std::string prefix;
};

// Delay before attempt `next_attempt` (2, 3, ...): initial * 2^(next_attempt - 2), capped.
std::chrono::milliseconds retry_backoff(int next_attempt, std::chrono::milliseconds initial,
                                        std::chrono::milliseconds max);

// One per worker thread; not thread-safe. The scenario, store, directory and error sink must
// outlive it. Every failed step attempt is reported to `errors` (when given) with its message;
// rejections are business answers, not errors, and are not reported there.
class workflow_executor {
  public:
    workflow_executor(const scenario_config& scenario, store& db, const system_directory& systems,
                      step_error_sink* errors = nullptr, redis_target redis = {});

    // One attempt at every step of `stage` not yet applied for this item, in order, stopping
    // at the first that is not done. Never throws.
    stage_attempt attempt_stage(const stage_spec& stage, const work_item& item);

    // Up to `max_attempts` attempts with exponential backoff between them; a rejection ends it
    // at once (final, never retried). Gives up early when `stop` becomes true (the attempt
    // count then says how far it got).
    stage_run run_stage(const stage_spec& stage, const work_item& item, int max_attempts,
                        std::chrono::milliseconds backoff_initial,
                        std::chrono::milliseconds backoff_max, const std::atomic<bool>& stop);

    // Records the stage's final outcome; first outcome wins. Returns false on a DB failure.
    bool record_outcome(const stage_spec& stage, const work_item& item, stage_outcome outcome,
                        int attempts);

    // State of a business id as the store knows it, for GET /requests/{id}.
    std::vector<stage_record> stages(const std::string& business_id);

    // A page of a declared table for the front door's read API (GET /feeds/<table>): the
    // store's rows_since (store.hpp) on this executor's session. Unlike stages(), a database
    // failure is not hidden, since an empty page would read as "nothing new": the session is
    // dropped (reopened on next use) and the store_error rethrown.
    std::vector<row_values> rows_since(const table_spec& table, const std::string& cursor,
                                       std::int64_t since, int limit);

    // An entity's current state as GET <api path>/<id> answers it (lookup_spec): the table's
    // row with that key as JSON, or the Redis state's entry (the last change's request).
    // nullopt when there is none. A failure is rethrown (store_error, redis_error) after
    // dropping the connection, which is reopened on next use.
    std::optional<std::string> look_up(const lookup_source& source, const std::string& entity);

  private:
    step_result apply_step(const step_spec& step, const work_item& item);
    store_session& session();
    redis_client& redis();

    const scenario_config& scenario_;
    store& store_;
    const system_directory& systems_;
    step_error_sink* errors_;
    redis_target redis_target_;
    std::unique_ptr<store_session> session_;
    std::optional<redis_client> redis_;
    blocking_http_client http_;
    step_context context_;
};

}  // namespace asyncbench
