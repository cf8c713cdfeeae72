#pragma once
// Loads and validates a scenario file strictly: unknown keys, wrong types, out-of-range values
// and dangling references (a step naming an undeclared system) are all errors, and all of them
// are reported at once with file, line and key. Nothing partial is ever returned.
#include <string>
#include <variant>
#include <vector>

#include "harness/config/config_error.hpp"
#include "harness/config/scenario_config.hpp"

namespace asyncbench {

using load_result_t = std::variant<scenario_config, std::vector<config_error>>;

// Scenario files are a few KiB; anything past this is refused unread.
inline constexpr std::size_t max_scenario_file_bytes = 16 * 1024 * 1024;

// Reads `path`. A missing or unreadable file is a config_error too (line 0).
load_result_t load_scenario(const std::string& path);

// Same, from text already in memory; `origin` names it in errors. Used by tests and fuzzers.
load_result_t load_scenario_text(const std::string& text, const std::string& origin);

// Parses one operation's behaviour from YAML text with the same rules as a scenario's
// `systems.<name>.operations.<op>` entry; used by the standalone mock's --config.
std::variant<system_spec, std::vector<config_error>> load_system_text(const std::string& text,
                                                                      const std::string& origin,
                                                                      const std::string& name);

}  // namespace asyncbench
