#pragma once
// result.json: the one file a run leaves behind, from which every report can be regenerated.
// The layout is documented field by field in docs/result-schema.md.
#include <string>
#include <string_view>
#include <variant>

#include "harness/result/run_result.hpp"

namespace asyncbench {

// Pretty-printed JSON (2-space indent, keys in the order of the struct, units in key names).
// Doubles are written in their shortest exact form, so result_from_json(result_to_json(r))
// equals r; a non-finite double (NaN, infinity) is written as null and read back as NaN.
// Strings that are not valid UTF-8 have their invalid bytes replaced by U+FFFD so the file
// always parses. Pure; never throws except std::bad_alloc.
std::string result_to_json(const run_result& result);

// Parses result.json text. Returns the result, or a message naming the offending field (e.g.
// "modes.sync.errors.timeout: missing field") when the text is not JSON, a field is missing or
// has the wrong type, or schema_version is not result_schema_version. Keys it does not know are
// ignored (see the schema_version policy in docs/result-schema.md). Never throws.
std::variant<run_result, std::string> result_from_json(std::string_view text);

}  // namespace asyncbench
