#pragma once
// The as-is system: an HTTP API whose fixed pool of blocking threads runs the whole workflow
// inside the request (every stage, in order, one attempt, as the seeds' systems do) and answers
// 200 only when all is done, or 502 when a step failed. Requests beyond the busy threads wait in
// a bounded queue; beyond that they get 503, counted.
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/http/http_server.hpp"
#include "harness/store/store.hpp"
#include "harness/sync/id_claims.hpp"
#include "harness/sync/worker_pool.hpp"
#include "harness/workflow/workflow_executor.hpp"
#include "scenarios/scenario_plugin.hpp"

namespace asyncbench {

class sync_api {
  public:
    // Binds at once; throws std::runtime_error naming the port when it is taken.
    sync_api(const scenario_config& scenario, const scenario_plugin& plugin, store& db,
             const system_directory& systems, std::uint16_t port = 0);
    ~sync_api();

    std::uint16_t port() const { return server_->port(); }
    void start();
    void stop();  // stops accepting, lets running requests finish, joins

    int busy_threads() const { return pool_.busy(); }
    int queued() const { return pool_.queued(); }
    std::uint64_t rejected() const { return rejected_.load(); }
    const step_error_tally& step_errors() const { return step_errors_; }

  private:
    void handle(http_request request, respond_fn respond);
    void process(int thread_index, const work_item& item, const respond_fn& respond);

    const scenario_config& scenario_;
    const scenario_plugin& plugin_;
    step_error_tally step_errors_;  // before the executors, which report into it
    std::vector<std::unique_ptr<workflow_executor>> executors_;  // one per pool thread
    std::atomic<std::uint64_t> rejected_{0};
    id_claims in_progress_;  // concurrent duplicates of an id run one after the other
    worker_pool pool_;
    std::unique_ptr<http_server> server_;
};

}  // namespace asyncbench
