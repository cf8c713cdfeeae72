#pragma once
#include <string>
#include <vector>

#include "harness/run/run_overrides.hpp"

namespace asyncbench {

struct run_options {
    std::string scenario_path;
    std::string mode = "both";  // sync | async | both
    scenario_overrides overrides;
    std::string out_dir;                       // default: out/<scenario>-<UTC timestamp>
    std::string kafka = "embedded";            // embedded | local | local-3 | HOST:PORT,...
    std::string kafka_dir;                     // with HOST:PORT: scripts/kafka/start.sh's --dir
    std::string database = "sqlite";           // sqlite | postgres://...
    std::string redis = "embedded";            // embedded | HOST:PORT | redis://HOST:PORT/DB
    std::vector<std::string> client_settings;  // -X [producer:|consumer:]NAME=VALUE
    std::vector<std::string> thresholds;       // --threshold, beside the scenario's
    int repeat = 1;                            // --repeat: runs of each mode, alternating
};

// Returns the exit code (harness/result/exit_status.hpp): 0 valid run, everything held; 1 valid
// run with a finding (failed threshold, lost request, duplicate effect); 2 usage or configuration
// error, nothing started (bad file or flags, unreachable broker, taken port); 3 the measurement
// is not trustworthy (drain timed out, interrupted, generator behind schedule, a part of the
// harness died or failed to start).
int run_command(const run_options& options);

}  // namespace asyncbench
