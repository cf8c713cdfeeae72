#pragma once
// Reading of mock system specs (`systems.<name>` in a scenario, or a standalone system file):
// shared by load_scenario() and load_system_text() so both apply exactly the same rules.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/config/yaml_reader.hpp"

namespace asyncbench {

// Keys of an operation spec, in the order SCHEMA.md documents them.
const std::vector<std::string_view>& operation_keys();

// [a-z0-9_-]+: system names end up in URLs, metric names and consumer group ids.
bool is_system_name(std::string_view name);
// [A-Za-z0-9_.-]+: an operation is a URL path segment (POST /LPRUN), so no '/', '?' or blanks.
bool is_operation_name(std::string_view name);

// The behaviour of an operation nobody configured: answers after a fixed 1ms, never fails.
operation_spec builtin_operation();

// One operation spec; keys absent from `node` keep their value from `base` (the system's
// `default`, or builtin_operation() for the default itself). Errors go to `reader`.
operation_spec read_operation(yaml_reader& reader, const YAML::Node& node, const std::string& path,
                              const operation_spec& base);

// A system: {default: <operation spec>, operations: {<name>: <operation spec>}}.
// Never fails: on errors (recorded in `reader`) the result is incomplete and must be discarded.
system_spec read_system(yaml_reader& reader, const YAML::Node& node, const std::string& path,
                        const std::string& name);

}  // namespace asyncbench
