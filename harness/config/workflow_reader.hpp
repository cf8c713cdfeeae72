#pragma once
// Reading of a scenario's `workflow`: stages, steps and their references to `systems`.
#include <set>
#include <string>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/config/yaml_reader.hpp"

namespace asyncbench {

// Where a step's `call` may point; `known` is false when `systems` itself was unreadable, in
// which case dangling references are not reported (they would only repeat that error).
struct system_names {
    std::set<std::string> declared;
    bool known = true;
};

// The `workflow` list. Errors go to `reader`; on errors the result must be discarded.
std::vector<stage_spec> read_workflow(yaml_reader& reader, const YAML::Node& node,
                                      const std::string& path, const system_names& systems);

}  // namespace asyncbench
