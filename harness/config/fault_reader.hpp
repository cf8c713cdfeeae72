#pragma once
// Reading of the `faults:` timeline of a scenario. Each entry names a kind and only the keys
// that kind uses; cross-checks against the rest of the scenario (the system exists, the worker
// process exists, the fault starts inside the measure phase) are done here too, so a bad
// timeline stops the run before any load is sent.
#include <set>
#include <string>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/config/yaml_reader.hpp"

namespace asyncbench {

// `config` must already hold the load, async and systems sections (read before the faults).
// Returns the faults sorted by `at`; errors go to `reader`.
std::vector<fault_spec> read_faults(yaml_reader& reader, const YAML::Node& node,
                                    const std::string& path, const scenario_config& config);

}  // namespace asyncbench
