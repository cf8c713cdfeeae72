#pragma once
// Pure helpers for the mock's admin endpoints (see mock_system.hpp): JSON rendering of the call
// log and parsing of a PUT /_mock/operations/<op> body. No I/O, no state.
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "harness/config/config_error.hpp"
#include "harness/config/scenario_config.hpp"
#include "mocks/mock_system.hpp"

namespace asyncbench {

// {"<operation>": {"<business id>": count, ...}, ...}
std::string calls_to_json(const call_log& calls);

// Operation names an admin PUT accepts: non-empty, letters, digits and "_.-" only, the rule the
// loader applies too (an operation is one URL path segment); such a name needs no YAML escaping.
bool is_valid_operation_name(std::string_view operation);

// Parses a YAML or JSON operation spec, e.g. {"latency": {"distribution": "fixed",
// "fixed": "5ms"}, "outage": "unavailable"}, with exactly the rules of a scenario's
// systems.<name>.operations.<op> entry (load_system_text). Errors name `origin`, with lines
// and columns relative to `body`. `operation` must satisfy is_valid_operation_name.
std::variant<operation_spec, std::vector<config_error>> parse_operation_body(
    std::string_view body, const std::string& operation, const std::string& system_name,
    const std::string& origin);

}  // namespace asyncbench
