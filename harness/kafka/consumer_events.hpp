#pragma once
// What consumer workers report as they go. In one process the pipeline_tracker receives it
// directly; a worker process forwards it to the harness over a pipe (event_line_writer,
// harness/run/worker_protocol.hpp), so the harness's live view is the same whether consumers run as
// threads or as processes. Implementations are thread-safe: every worker thread calls them.
#include <string>

#include "harness/workflow/step_errors.hpp"

namespace asyncbench {

// Step failures travel the same way, so a worker process's errors reach the report too.
class consumer_events : public step_error_sink {
  public:
    // Idempotent per (stage, id): a redelivered message finishing again is not counted twice.
    virtual void on_stage_finished(const std::string& stage, const std::string& business_id) = 0;
    virtual void on_partitions_assigned(int delta) = 0;
    // A consumer got an assignment (delta +1, possibly of zero partitions) or lost it (-1).
    virtual void on_member_assigned(int delta) = 0;
    virtual void on_offset_reset() = 0;
    // A message of `stage` finished after a later message with the same key (per-key order
    // broken). Counted, never expected: both consumer models keep order per key.
    virtual void on_order_violation(const std::string& /*stage*/) {}
};

}  // namespace asyncbench
