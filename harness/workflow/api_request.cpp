#include "harness/workflow/api_request.hpp"

#include <boost/json.hpp>

#include "harness/core/clock.hpp"

namespace asyncbench {

routed_request route_api_request(const http_request& request, std::string_view api_path) {
    routed_request routed;
    std::string_view target = request.target;
    if (auto query = target.find('?'); query != std::string_view::npos) {
        target = target.substr(0, query);
    }
    constexpr std::string_view requests_prefix = "/requests/";
    if (target == api_path) {
        routed.route = request.method == "POST" ? api_route::submit : api_route::method_not_allowed;
    } else if (target.starts_with(requests_prefix) && target.size() > requests_prefix.size()) {
        routed.route =
            request.method == "GET" ? api_route::request_state : api_route::method_not_allowed;
        routed.business_id = std::string(target.substr(requests_prefix.size()));
    } else if (target == "/health") {
        routed.route = request.method == "GET" ? api_route::health : api_route::method_not_allowed;
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
        case api_route::submit:
        case api_route::request_state:
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
                                  std::string_view state) {
    http_response response;
    response.status = status;
    response.body =
        boost::json::serialize(boost::json::object{{"id", business_id}, {"state", state}});
    return response;
}

}  // namespace asyncbench
