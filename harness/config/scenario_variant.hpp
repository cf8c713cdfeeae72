#pragma once
// Scenario variants: `extends: <file>` makes a scenario file a variant of another (the base's
// keys with the variant's laid over them). Used only by load_scenario() for files.
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "harness/config/config_error.hpp"
#include "harness/config/yaml_reader.hpp"

namespace asyncbench {

// `root` as it stands when it has no `extends` key; otherwise a copy of the base scenario
// (relative to `origin`'s folder) with `root` merged over it. The base must be valid on its
// own (else its errors land in `base_errors`) and must not extend another file. nullopt after
// recording errors in `reader` or `base_errors`.
std::optional<YAML::Node> resolve_extends(yaml_reader& reader, YAML::Node root,
                                          const std::string& origin,
                                          std::vector<config_error>& base_errors);

}  // namespace asyncbench
