#pragma once
// Field checks shared by the scenario plugins' request validation.
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace asyncbench {

// The string at `key`, 1..max_length bytes; otherwise appends "<key>: <why>" to `errors`.
std::optional<std::string> required_string(const boost::json::object& object, std::string_view key,
                                           std::size_t max_length, std::string& errors);

// Parses `body` as a JSON object; nullopt and a message in `error` otherwise. Never throws.
std::optional<boost::json::object> parse_json_object(std::string_view body, std::string& error);

}  // namespace asyncbench
