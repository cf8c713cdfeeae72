#pragma once
// Request handling shared by both APIs, as pure functions: routing, validation of a submitted
// request into a work_item, the JSON that describes a request's state, and the JSON of a page
// of the read API pollers use. No I/O here.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "harness/http/http_types.hpp"
#include "harness/store/store.hpp"
#include "harness/workflow/workflow_executor.hpp"
#include "scenarios/scenario_plugin.hpp"

namespace asyncbench {

enum class api_route {
    submit,
    request_state,
    feed,
    lookup,  // GET <api path>/<id>: an entity's current state (scenario_config::lookups)
    health,
    not_found,
    method_not_allowed,
    bad_request,  // a known path with a malformed query (routed_request::problem says what)
};

// GET /feeds/<table>: `limit` when the query does not set it, and the range it must be in.
inline constexpr int feed_default_limit = 500;
inline constexpr int feed_max_limit = 10000;

struct routed_request {
    api_route route = api_route::not_found;
    std::string business_id;  // api_route::request_state; api_route::lookup: the entity
    // api_route::feed: the table as written in the path (non-empty; whether it is served is the
    // caller's business), and the page asked for.
    std::string table;
    std::int64_t since = 0;          // cursor value, inclusive (the column's unit)
    int limit = feed_default_limit;  // rows, in [1, feed_max_limit]
    std::string problem;             // api_route::bad_request: the message of the 400
};

// POST <api_path> submits; GET /requests/<id> asks for state; GET <api_path>/<id> looks an
// entity up (one path segment, not percent-decoded); GET /health;
// GET /feeds/<table>?since=<int64>&limit=<int> reads a page of a table (both parameters
// optional, in any order; since defaults to 0, limit to feed_default_limit). A feed query with
// a non-integer value, a limit outside [1, feed_max_limit], a parameter given twice or without
// `=`, or any other parameter routes to bad_request. Values are not percent-decoded (no valid
// one needs it). Another method on a known path is method_not_allowed, whatever its query.
routed_request route_api_request(const http_request& request, std::string_view api_path);

// The answer for routes that need no work (health, 400, 404, 405); nullopt for submit, state
// and feed.
std::optional<http_response> fixed_route_response(const routed_request& routed);

// The 200 body of GET /feeds/<table>: {"rows": [...], "next_since": N}. Each row is an object
// with the key column and the table's declared columns in declaration order: integer and
// written_at columns as JSON numbers, text columns as strings (bytes that are not UTF-8
// replaced by U+FFFD), a column missing from the row left out. next_since is the largest value
// of the `cursor` column in `rows` (`since` when there are none, or when no row has it).
// Throws std::invalid_argument when a number column holds text that is not a decimal int64:
// the store promised otherwise (store.hpp, row_values).
std::string feed_response_body(const table_spec& table, const std::string& cursor,
                               std::int64_t since, const std::vector<row_values>& rows);

// Validates a submission: the plugin's checks, plus the intended send time from the
// X-Intended-Send-Us header (absent or malformed: now). Errors come back as a 400 response.
std::variant<work_item, http_response> parse_submission(const http_request& request,
                                                        const scenario_plugin& plugin);

// 200 {"id": ..., "state": "completed" | "dead_lettered" | "in_progress", "stages": [...]}, or
// a 404 JSON error for an id nobody knows. `accepted` says whether this API acknowledged the id
// (accepted but not yet started is "in_progress", not unknown).
http_response request_state_response(const std::string& business_id,
                                     const std::vector<stage_record>& stages,
                                     std::size_t stage_count, bool accepted);

// {"id": ..., "state": ...} plus the figures the inline steps answered (e.g. queue_position).
http_response submission_response(
    int status, const std::string& business_id, std::string_view state,
    const std::vector<std::pair<std::string, std::int64_t>>& answer = {});

}  // namespace asyncbench
