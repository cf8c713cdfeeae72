#pragma once
// The one HTTP front door both modes answer through. A submission runs the mode's inline
// stages on a fixed pool of blocking threads (a servlet container's maxThreads + acceptCount:
// beyond the busy threads requests queue, beyond the queue they get 503, counted), then:
//  - nothing left for Kafka: 200 "completed" (the sync baseline: the whole workflow ran);
//  - Kafka stages follow: one message (key = business id; idempotent producer, acks=all) and
//    async.answer_status (202, or 201 when the inline part is the business answer) once the
//    broker acknowledged it; 503 + Retry-After when the producer queue is full or delivery
//    failed (backpressure, counted), or when it possibly persisted (unknown: reconciliation
//    finds out);
//  - a step rejected the request (out of stock): 409 {"error": <reason>, ...}, final;
//  - a step failed: 502, the request's one attempt failed (as the seeds' systems answer).
// A mode with no inline stages produces from the I/O thread, never through the pool, so the
// async API's numbers measure the broker acknowledgement alone.
//
// It also serves the read API poll stages use (poll_spec::source_kind::api):
// GET /feeds/<table>?since=&limit= (harness/workflow/api_request.hpp) for each table a stage's
// poll_spec reads through it, on the same pool: the pollers' load competes with the API's own
// work, as it would on the operating service. 200 {"rows": [...], "next_since": N}; 404 for a
// table no poller reads this way; 503 + Retry-After when the pool is full (counted in
// refused_busy) or the database failed.
//
// And GET <api path>/<id> (scenario_config::lookups): an entity's current state from the
// mode's source (a table's row, or a Redis state), on the same pool; 404 when there is none,
// 503 when the source failed.
//
// Thread-safety: start/stop from one thread; the counters may be read from any.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/core/mode.hpp"
#include "harness/http/http_server.hpp"
#include "harness/kafka/kafka_producer.hpp"
#include "harness/kafka/pipeline_tracker.hpp"
#include "harness/store/store.hpp"
#include "harness/sync/id_claims.hpp"
#include "harness/sync/worker_pool.hpp"
#include "harness/workflow/step_errors.hpp"
#include "harness/workflow/workflow_executor.hpp"
#include "scenarios/scenario_plugin.hpp"

namespace asyncbench {

struct routed_request;  // harness/workflow/api_request.hpp

struct front_door_options {
    mode which = mode::sync;
    // Required when the mode places stages in Kafka: where to produce, and the live view that
    // counts what the broker acknowledged. Both must outlive the front door.
    std::string bootstrap_servers;
    pipeline_tracker* tracker = nullptr;
    redis_target redis;
    std::uint16_t port = 0;
};

class front_door {
  public:
    // Threads of the pool: sync.worker_threads when the mode runs stages inline; otherwise the
    // few that answer GET /requests/{id} from the database (each holds a connection).
    static int pool_threads(const scenario_config& scenario, mode which);

    // Binds at once; throws std::runtime_error naming the port when it is taken, or listing the
    // producer settings librdkafka rejected, or naming a stage that polls an undeclared table
    // (the loader rejects that first). The references must outlive the front door.
    front_door(const scenario_config& scenario, const scenario_plugin& plugin, store& db,
               const system_directory& systems, front_door_options options);
    ~front_door();

    std::uint16_t port() const { return server_->port(); }
    void start();
    // Stops accepting, lets running requests finish, then waits for outstanding deliveries;
    // returns the messages left undelivered. Idempotent.
    int stop();

    int busy_threads() const { return pool_.busy(); }
    int queued() const { return pool_.queued(); }
    int threads() const { return pool_.threads(); }
    bool runs_inline() const { return !inline_stages_.empty(); }
    bool publishes() const { return producer_ != nullptr; }
    // 503s because every thread was busy and the queue full (thread exhaustion).
    std::uint64_t refused_busy() const { return refused_busy_.load(); }
    // Connections closed unserved because the API already held scenario.api_connections (or
    // the process had no descriptor left to accept with), and that cap. Thread-safe.
    std::uint64_t refused_connections() const { return server_->refused_connections(); }
    int max_connections() const { return scenario_.api_connections; }
    const step_error_tally& step_errors() const { return step_errors_; }
    // Where the mode's pollers report failed steps, so the mode has one tally.
    step_error_sink& error_sink() { return step_errors_; }
    // Distinct business ids whose inline stages all completed, counted when the mode has poll
    // stages (0 otherwise): the rows its pollers should find. A retried request counts once.
    std::uint64_t handed_on() const;
    const std::map<std::string, std::string>& producer_settings() const;

  private:
    void handle(http_request request, respond_fn respond);
    void run_inline(int thread_index, const work_item& item, const respond_fn& respond);
    // Figures the inline steps answered, added to the 2xx answer (step_result::answer).
    using answer_figures = std::vector<std::pair<std::string, std::int64_t>>;
    void publish(const work_item& item, respond_fn respond, answer_figures figures = {});
    void serve_feed(const routed_request& routed, respond_fn respond);
    void serve_lookup(const std::string& entity, respond_fn respond);

    // A table served by GET /feeds/<table>, and the column its pages are ordered and cut by.
    struct feed_source {
        const table_spec* table = nullptr;  // in scenario_
        std::string cursor;
    };
    using feed_map = std::map<std::string, feed_source, std::less<>>;
    static feed_map feeds_of(const scenario_config& scenario);

    const scenario_config& scenario_;
    const scenario_plugin& plugin_;
    front_door_options options_;
    std::vector<const stage_spec*> inline_stages_;
    bool has_poll_stages_ = false;
    feed_map feeds_;                // by table name; read-only
    step_error_tally step_errors_;  // before the executors, which report into it
    std::vector<std::unique_ptr<workflow_executor>> executors_;  // one per pool thread
    std::unique_ptr<kafka_producer> producer_;                   // when stages follow in Kafka
    std::atomic<std::uint64_t> refused_busy_{0};
    mutable std::mutex handed_on_mutex_;
    std::unordered_set<std::string> handed_on_;  // when the mode has poll stages
    id_claims in_progress_;  // concurrent duplicates of an id run one after the other
    worker_pool pool_;
    std::unique_ptr<http_server> server_;
    std::map<std::string, std::string> no_settings_;
    bool stopped_ = false;
};

}  // namespace asyncbench
