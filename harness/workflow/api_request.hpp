#pragma once
// Request handling shared by both APIs, as pure functions: routing, validation of a submitted
// request into a work_item, and the JSON that describes a request's state. No I/O here.
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

enum class api_route { submit, request_state, health, not_found, method_not_allowed };

struct routed_request {
    api_route route = api_route::not_found;
    std::string business_id;  // api_route::request_state
};

// POST <api_path> submits; GET /requests/<id> asks for state; GET /health.
routed_request route_api_request(const http_request& request, std::string_view api_path);

// The answer for routes that need no work (health, 404, 405); nullopt for submit and state.
std::optional<http_response> fixed_route_response(const routed_request& routed);

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

http_response submission_response(int status, const std::string& business_id,
                                  std::string_view state);

}  // namespace asyncbench
