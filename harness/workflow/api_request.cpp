#include "harness/workflow/api_request.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <stdexcept>

#include "harness/core/clock.hpp"
#include "harness/workflow/row_json.hpp"

namespace asyncbench {
namespace {

// The whole of `text` as a decimal int64 (an optional '-', digits, nothing else).
std::optional<std::int64_t> parse_int64(std::string_view text) {
    std::int64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
    return value;
}

// Fills the feed's since and limit from the query (the part after '?'); false with
// routed.problem set when it is malformed. Hand-parsed: Boost.URL is not among the build's
// libraries, and the grammar needed here is small (no percent-decoding: valid values are
// digits and '-').
bool parse_feed_query(std::string_view query, routed_request& routed) {
    bool seen_since = false;
    bool seen_limit = false;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) continue;  // "?&since=1" or a trailing '&'
        const auto eq = pair.find('=');
        const auto name = pair.substr(0, eq);
        if (eq == std::string_view::npos) {
            routed.problem = "query parameter '" + std::string(name) + "' has no value";
            return false;
        }
        const auto value = pair.substr(eq + 1);
        const auto number = parse_int64(value);
        if (name == "since") {
            if (seen_since) {
                routed.problem = "query parameter 'since' given twice";
                return false;
            }
            seen_since = true;
            if (!number) {
                routed.problem = "since must be an integer, got '" + std::string(value) + "'";
                return false;
            }
            routed.since = *number;
        } else if (name == "limit") {
            if (seen_limit) {
                routed.problem = "query parameter 'limit' given twice";
                return false;
            }
            seen_limit = true;
            if (!number || *number < 1 || *number > feed_max_limit) {
                routed.problem = "limit must be an integer from 1 to " +
                                 std::to_string(feed_max_limit) + ", got '" + std::string(value) +
                                 "'";
                return false;
            }
            routed.limit = static_cast<int>(*number);
        } else {
            // Strict, as the configuration is: a misspelt `sinse` must not silently read from 0.
            routed.problem =
                "unknown query parameter '" + std::string(name) + "' (expected since, limit)";
            return false;
        }
    }
    return true;
}

}  // namespace

routed_request route_api_request(const http_request& request, std::string_view api_path) {
    routed_request routed;
    std::string_view target = request.target;
    std::string_view query;
    if (auto mark = target.find('?'); mark != std::string_view::npos) {
        query = target.substr(mark + 1);
        target = target.substr(0, mark);
    }
    constexpr std::string_view requests_prefix = "/requests/";
    constexpr std::string_view feeds_prefix = "/feeds/";
    if (target == api_path) {
        routed.route = request.method == "POST" ? api_route::submit : api_route::method_not_allowed;
    } else if (target.starts_with(requests_prefix) && target.size() > requests_prefix.size()) {
        routed.route =
            request.method == "GET" ? api_route::request_state : api_route::method_not_allowed;
        routed.business_id = std::string(target.substr(requests_prefix.size()));
    } else if (target.starts_with(feeds_prefix) && target.size() > feeds_prefix.size()) {
        if (request.method != "GET") {
            routed.route = api_route::method_not_allowed;
        } else if (!parse_feed_query(query, routed)) {
            routed.route = api_route::bad_request;
        } else {
            routed.route = api_route::feed;
            routed.table = std::string(target.substr(feeds_prefix.size()));
        }
    } else if (target == "/health") {
        routed.route = request.method == "GET" ? api_route::health : api_route::method_not_allowed;
    } else if (target.size() > api_path.size() + 1 && target.starts_with(api_path) &&
               target[api_path.size()] == '/' &&
               target.find('/', api_path.size() + 1) == std::string_view::npos) {
        routed.route = request.method == "GET" ? api_route::lookup : api_route::method_not_allowed;
        routed.business_id = std::string(target.substr(api_path.size() + 1));
    }
    return routed;
}

std::optional<http_response> fixed_route_response(const routed_request& routed) {
    switch (routed.route) {
        case api_route::health:
            return submission_response(200, "", "up");
        case api_route::not_found:
            return json_error(404, "not_found", "no such resource");
        case api_route::method_not_allowed:
            return json_error(405, "method_not_allowed", "method not allowed here");
        case api_route::bad_request:
            return json_error(400, "invalid_query", routed.problem);
        case api_route::submit:
        case api_route::request_state:
        case api_route::feed:
        case api_route::lookup:
            break;
    }
    return std::nullopt;
}

std::variant<work_item, http_response> parse_submission(const http_request& request,
                                                        const scenario_plugin& plugin) {
    auto parsed = plugin.parse_request(request.body);
    if (auto* error = std::get_if<std::string>(&parsed)) {
        return json_error(400, "invalid_request", *error);
    }
    auto& valid = std::get<parsed_request>(parsed);
    work_item item;
    item.business_id = std::move(valid.business_id);
    item.kind = std::move(valid.kind);
    item.payload = std::move(valid.payload);
    // Without the generator's header (another client), the request was meant to go now.
    item.intended_epoch_us =
        parse_epoch_us(request.header("X-Intended-Send-Us")).value_or(epoch_us_now());
    return item;
}

http_response request_state_response(const std::string& business_id,
                                     const std::vector<stage_record>& stages,
                                     std::size_t stage_count, bool accepted) {
    boost::json::array stage_list;
    bool any_dead = false;
    bool any_rejected = false;
    for (const auto& record : stages) {
        std::string_view outcome = "completed";
        if (record.outcome == stage_outcome::dead_lettered) {
            outcome = "dead_lettered";
            any_dead = true;
        } else if (record.outcome == stage_outcome::rejected) {
            outcome = "rejected";
            any_rejected = true;
        }
        stage_list.push_back(
            {{"stage", record.stage}, {"outcome", outcome}, {"attempts", record.attempts}});
    }
    std::string_view state = "unknown";
    if (any_dead) {
        state = "dead_lettered";
    } else if (any_rejected) {
        // Final although later stages have no record: a rejection stops the workflow.
        state = "rejected";
    } else if (!stages.empty() && stages.size() >= stage_count) {
        state = "completed";
    } else if (!stages.empty() || accepted) {
        state = "in_progress";
    }
    if (state == "unknown") {
        return json_error(404, "unknown_request",
                          "no request with id '" + business_id + "' was accepted here");
    }
    http_response response;
    response.body = boost::json::serialize(
        boost::json::object{{"id", business_id}, {"state", state}, {"stages", stage_list}});
    return response;
}

http_response submission_response(int status, const std::string& business_id,
                                  std::string_view state,
                                  const std::vector<std::pair<std::string, std::int64_t>>& answer) {
    http_response response;
    response.status = status;
    boost::json::object body{{"id", business_id}, {"state", state}};
    for (const auto& [name, value] : answer) body[name] = value;
    response.body = boost::json::serialize(body);
    return response;
}

std::string feed_response_body(const table_spec& table, const std::string& cursor,
                               std::int64_t since, const std::vector<row_values>& rows) {
    boost::json::array list;
    list.reserve(rows.size());
    std::int64_t next_since = since;
    for (const auto& row : rows) {
        auto object = row_json(table, row);  // throws on text in a number column
        if (const auto* value = object.if_contains(cursor); value && value->is_int64()) {
            next_since = std::max(next_since, value->get_int64());
        }
        list.push_back(std::move(object));
    }
    return boost::json::serialize(
        boost::json::object{{"rows", std::move(list)}, {"next_since", next_since}});
}

}  // namespace asyncbench
