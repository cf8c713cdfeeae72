#pragma once
// JSON text in and out, working around two gaps in Boost.JSON 1.81: it has no pretty printer and
// writes doubles as "1.5E0", and its parser rounds some doubles off by one ulp. Knows nothing of
// any schema; result_json.cpp maps run_result onto it. Both functions are pure and keep no
// state, so they are safe to call from any number of threads at once.
#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <variant>

namespace asyncbench {

// Prints value as indented JSON: 2 spaces per level, object keys in their stored order, one key
// a line; arrays of scalars or flat objects (no nested object or array) one element a line.
// Doubles are written in their shortest form that reads back to the same double, always with a
// '.' or exponent so they stay floats ("2.0", not "2"). Invalid UTF-8 bytes in keys and strings
// become U+FFFD. No trailing newline. Precondition: no double in value is NaN or infinite (JSON
// has no spelling for them; map them to null first). Throws only std::bad_alloc.
std::string to_pretty_json(const boost::json::value& value);

// Parses one JSON document (trailing whitespace allowed, no comments). Doubles are converted
// from their text with std::from_chars, so to_pretty_json output reads back bit-exact; integers
// become int64 when they fit, else uint64. Returns the value, or a message beginning
// "not valid JSON: " with the byte offset of the error. Does not catch exceptions: allocation
// failure or a Boost container limit throws (a std::exception).
std::variant<boost::json::value, std::string> parse_json_exact(std::string_view text);

}  // namespace asyncbench
