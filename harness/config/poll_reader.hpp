#pragma once
// Reads a stage's `poll:` (scenario_config.hpp, poll_spec): where its pollers find work and how
// often they look. Checks the source table and its cursor column against the declared tables.
#include <optional>
#include <string>

#include "harness/config/scenario_config.hpp"
#include "harness/config/step_kinds.hpp"
#include "harness/config/yaml_reader.hpp"

namespace asyncbench {

// The keys `poll:` accepts, for SCHEMA.md and the tests.
inline constexpr std::string_view poll_keys[] = {"from",  "cursor", "every",  "jitter",
                                                 "limit", "pages",  "reread", "instances"};

// nullopt (errors in `reader`) when `node` is not a valid poll map.
std::optional<poll_spec> read_poll(yaml_reader& reader, const YAML::Node& node,
                                   const std::string& path, const step_declarations& declared);

}  // namespace asyncbench
