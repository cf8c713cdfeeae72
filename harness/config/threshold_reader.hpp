#pragma once
// Reads a scenario's `thresholds:` (a list of threshold strings, harness/config/threshold.hpp)
// against what the scenario can measure, and gathers every threshold a run tests: the file's,
// the older `slo:` keys as thresholds, and those given with --threshold.
#include <string>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/config/yaml_reader.hpp"

namespace asyncbench {

// What the scenario's thresholds may name: its plugin's metrics, the pollers' when a stage is
// polled in some mode, key_order_violations when some stage runs in Kafka, and its faults.
// Call after the workflow, faults and plugin are read.
threshold_names threshold_names_of(const scenario_config& scenario);

// `thresholds: ["async.completion_p99 < 10s", ...]`; errors in `reader`.
std::vector<threshold_spec> read_thresholds(yaml_reader& reader, const YAML::Node& node,
                                            const std::string& path,
                                            const scenario_config& scenario);

// `slo: {api_p99: D, min_availability: A}` as the thresholds it always meant:
// "api_all_p99 <= D" and "availability >= A", for every mode.
std::vector<threshold_spec> slo_thresholds(const slo_spec& slo);

// The scenario's thresholds (slo: first), then `extra` parsed from the command line. Errors
// (one per bad --threshold) go to `errors`.
std::vector<threshold_spec> run_thresholds(const scenario_config& scenario,
                                           const std::vector<std::string>& extra,
                                           std::vector<std::string>& errors);

}  // namespace asyncbench
