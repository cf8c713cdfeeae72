#pragma once
// After the drain: did every request the API acknowledged take effect exactly once? Pure: it
// reads what the load generator saw, what the database holds and what each mock received.
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "harness/load/load_generator.hpp"
#include "harness/result/run_result.hpp"
#include "harness/run/loss_check.hpp"
#include "harness/stats/histogram.hpp"
#include "harness/store/store.hpp"
#include "mocks/mock_system.hpp"

namespace asyncbench {

struct expected_call {
    std::string system;
    std::string operation;
};

struct reconciliation_input {
    std::vector<accepted_request> accepted;
    store_snapshot database;
    // Per stage (workflow order): the stage whose completion triggers it, or -1 for the front
    // door (harness/workflow/stage_graph.hpp). A stage whose trigger ended other than completed
    // is not expected to run. Empty: one stage.
    std::vector<int> stage_triggers;
    std::vector<expected_call> calls_per_id;   // one call per id for each, on success
    std::map<std::string, call_log> received;  // system -> its call log
    bool pipeline_idle = true;                 // nothing was left to process when the drain ended
    // Async: where each acknowledged message was stored, the workflow's stage names, and what
    // Kafka said after the consumers stopped. With them an unfinished id is lost when Kafka
    // proves no consumer can finish it (loss_check.hpp), even if the drain timed out.
    std::unordered_map<std::string, message_position> positions;
    std::vector<std::string> stage_names;  // workflow order
    std::optional<kafka_evidence> evidence;
};

struct reconciliation_output {
    reconciliation_result result;
    histogram completion_us;  // measured accepted ids that completed
    std::int64_t last_finished_epoch_us = 0;
    std::vector<stage_tally> stages;  // per stage of stage_names, over every recorded outcome
};

// Each accepted id (counted once) is completed, rejected, dead-lettered, lost (with a reason) or
// pending.
// An unfinished id is lost when the evidence proves it (deleted unread, skipped by its group),
// else when the pipeline was idle (nothing left to process it), else pending.
reconciliation_output reconcile(const reconciliation_input& input);

}  // namespace asyncbench
