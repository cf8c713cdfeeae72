#pragma once
// The to-be system's front door: a non-blocking HTTP API that validates a request, produces one
// message (key = business id; idempotent producer, acks=all) and answers 202 with the id once
// the broker acknowledged it. When the local producer queue is full or delivery fails, it
// answers 503 with Retry-After, counted as backpressure; never a silent drop. A delivery that
// failed but was possibly persisted is answered 503 too and counted as unknown: reconciliation
// finds out whether it was processed.
#include <cstdint>
#include <memory>

#include "harness/config/scenario_config.hpp"
#include "harness/http/http_server.hpp"
#include "harness/kafka/kafka_producer.hpp"
#include "harness/kafka/pipeline_tracker.hpp"
#include "harness/sync/worker_pool.hpp"
#include "harness/workflow/workflow_executor.hpp"
#include "scenarios/scenario_plugin.hpp"

namespace asyncbench {

class async_api {
  public:
    // Threads answering GET /requests/{id} from the database (each holds a connection).
    static constexpr int state_lookup_threads = 2;

    // Binds at once; throws std::runtime_error naming the port when it is taken, or listing the
    // producer settings librdkafka rejected.
    async_api(const scenario_config& scenario, const scenario_plugin& plugin, store& db,
              const std::string& bootstrap_servers, pipeline_tracker& tracker,
              std::uint16_t port = 0);
    ~async_api();

    std::uint16_t port() const { return server_->port(); }
    void start();
    // Stops accepting, then waits for outstanding deliveries; returns those left undelivered.
    int stop();

    const std::map<std::string, std::string>& producer_settings() const;

  private:
    void handle(http_request request, respond_fn respond);
    void submit(work_item item, respond_fn respond);

    const scenario_config& scenario_;
    const scenario_plugin& plugin_;
    pipeline_tracker& tracker_;
    kafka_producer producer_;
    // State lookups read the database, which must not happen on the I/O thread.
    std::vector<std::unique_ptr<workflow_executor>> lookups_;
    system_directory no_systems_;
    worker_pool lookup_pool_;
    std::unique_ptr<http_server> server_;
};

}  // namespace asyncbench
