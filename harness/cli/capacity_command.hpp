#pragma once
// `asyncbench capacity SCENARIO.yaml`: for each mode, short fixed-rate steps, growing
// exponentially then bisecting (harness/capacity/capacity_search.hpp), to the highest offered
// rate each design sustains (harness/capacity/step_judgement.hpp): the async design has two
// ceilings, accepting and completing. Writes result.json (its `capacity`), report.md and
// report.html like `run`.
#include <string>

#include "harness/cli/run_command.hpp"

namespace asyncbench {

struct capacity_options {
    run_options run;         // the scenario, modes, infrastructure, thresholds, --out
    std::string start_rate;  // --start: first step's rate; default the scenario's
    std::string max_rate;    // --max-rate: never offer more; default 8 x the start
    std::string precision = "5%";
    std::string step = "10s";   // --step: measured seconds per step
    std::string warmup = "2s";  // --step-warmup: warm-up per step
    int max_steps = 20;         // --max-steps, per mode
};

// Exit codes: 0 each mode's ceilings were found (or the max rate was sustained); 2 usage or
// configuration error, nothing started; 3 the search could not finish honestly: the load
// generator could not offer the rates it needed (the machine, not the system, was the limit)
// or the run was interrupted.
int capacity_command(const capacity_options& options);

}  // namespace asyncbench
