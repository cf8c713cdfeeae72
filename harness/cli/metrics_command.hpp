#pragma once
// `asyncbench metrics [SCENARIO.yaml]`: the names a threshold (`thresholds:`, --threshold) and
// `compare --metric` accept, with their unit and direction; with a scenario, its own metrics
// and the faults a `during` window can name.
#include <string>

namespace asyncbench {

// Returns the exit code: 0, or 2 when the scenario file does not load.
int metrics_command(const std::string& scenario_path);

}  // namespace asyncbench
