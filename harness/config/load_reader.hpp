#pragma once
// Reading of a scenario's `load:` section: the load model, its rate or ramp, the phases and the
// callers' retry policy (scenarios/SCHEMA.md documents every key). Errors go to the reader, with
// their path; a key that is absent keeps the default already in `load`.
#include <string>

#include "harness/config/scenario_config.hpp"
#include "harness/config/yaml_reader.hpp"

namespace asyncbench {

void read_load(yaml_reader& reader, const YAML::Node& node, const std::string& path,
               load_spec& load);

}  // namespace asyncbench
