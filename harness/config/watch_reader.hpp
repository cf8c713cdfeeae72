#pragma once
// Reads `watchers:` and `lookups:` (scenario_config.hpp, watcher_spec and lookup_spec): the
// observers beside the workflow and the read load beside the writes, each per mode. Checks
// their tables, columns, channels and states against the declarations.
#include <string>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/config/step_kinds.hpp"
#include "harness/config/yaml_reader.hpp"

namespace asyncbench {

// Errors go to `reader`; what could be read is returned. `workflow` (read before) is checked
// against the polling plans: the API pages a table by one cursor.
watcher_spec read_watchers(yaml_reader& reader, const YAML::Node& node, const std::string& path,
                           const step_declarations& declared,
                           const std::vector<stage_spec>& workflow);
lookup_spec read_lookups(yaml_reader& reader, const YAML::Node& node, const std::string& path,
                         const step_declarations& declared);

}  // namespace asyncbench
