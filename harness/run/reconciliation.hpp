#pragma once
// After the drain: did every request the API acknowledged take effect exactly once? Pure: it
// reads what the load generator saw, what the database holds and what each mock received.
#include <map>
#include <string>
#include <vector>

#include "harness/load/load_generator.hpp"
#include "harness/result/run_result.hpp"
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
    std::size_t stage_count = 1;
    std::vector<expected_call> calls_per_id;   // one call per id for each, on success
    std::map<std::string, call_log> received;  // system -> its call log
    bool pipeline_idle = true;                 // nothing was left to process when the drain ended
};

struct reconciliation_output {
    reconciliation_result result;
    histogram completion_us;  // measured accepted ids that completed
    std::int64_t last_finished_epoch_us = 0;
};

reconciliation_output reconcile(const reconciliation_input& input);

}  // namespace asyncbench
