#pragma once
#include <string>

#include "harness/run/run_overrides.hpp"

namespace asyncbench {

struct run_options {
    std::string scenario_path;
    std::string mode = "both";            // sync | async | both
    scenario_overrides overrides;
    std::string out_dir;                  // default: out/<scenario>-<UTC timestamp>
    std::string bootstrap_servers;        // empty: the embedded mock cluster
};

// Exit codes: 0 valid run and every SLO met; 1 run invalid or an SLO failed; 2 usage or
// configuration error (nothing was started).
int run_command(const run_options& options);

}  // namespace asyncbench
