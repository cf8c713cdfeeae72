#pragma once
// result.json: the one file a run leaves behind, from which every report can be regenerated.
// The layout is documented field by field in docs/result-schema.md.
#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "harness/result/run_result.hpp"

namespace asyncbench {

// The oldest result.json layout result_from_json still reads (see docs/result-schema.md).
inline constexpr int oldest_readable_schema_version = 1;

// Pretty-printed JSON (2-space indent, keys in the order of the struct, units in key names).
// Doubles are written in their shortest exact form, so result_from_json(result_to_json(r))
// equals r; a non-finite double (NaN, infinity) is written as null and read back as NaN.
// Strings that are not valid UTF-8 have their invalid bytes replaced by U+FFFD so the file
// always parses. Pure; never throws except std::bad_alloc.
std::string result_to_json(const run_result& result);

// The pieces of it other files reuse (asyncbench load's load.json): a latency summary as
// {count, min, p50, p90, p99, p999, max, mean} in microseconds (percentiles null without
// samples), and the errors by kind.
boost::json::object latency_to_json(const latency_summary& l);
boost::json::object errors_to_json(const error_counts& e);

// Parses result.json text. Returns the result, or a message naming the offending field (e.g.
// "modes.sync.errors.timeout: missing field") when the text is not JSON, a field is missing or
// has the wrong type, or schema_version is outside [oldest_readable_schema_version,
// result_schema_version]. An older file is read with the fields it lacks at their defaults
// (version 1: no faults, status_503, redeliveries_absorbed and async_worker_processes 0), and
// the result says result_schema_version, so writing it again gives a current file. Keys it
// does not know are ignored (see the schema_version policy in docs/result-schema.md). An
// optional number (e.g. fault_impact::backlog_recovered_s) is written as null when empty or
// not finite, and null reads back as empty. Never throws.
std::variant<run_result, std::string> result_from_json(std::string_view text);

}  // namespace asyncbench
