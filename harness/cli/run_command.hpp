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
    std::vector<std::string> client_settings;  // -X [producer:|consumer:]NAME=VALUE
};

// Exit codes: 0 valid run and every SLO met; 1 run invalid or an SLO failed; 2 usage or
// configuration error (nothing was started).
int run_command(const run_options& options);

}  // namespace asyncbench
