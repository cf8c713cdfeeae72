// hr-fanout (seed 002): HR master data pushed to payroll, org chart and ERP. The request is one
// employee or team record; the per-system steps live in hr-fanout.yaml.
#include "scenarios/hr-fanout/hr_fanout_plugin.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "scenarios/json_fields.hpp"

namespace asyncbench {

std::string_view hr_fanout_plugin::api_path() const { return "/records"; }

generated_request hr_fanout_plugin::make_request(std::uint64_t seq) const {
    generated_request request;
    const bool employee = seq % 2 == 0;
    request.business_id = fmt::format("{}-{:08d}", employee ? "emp" : "team", seq);
    boost::json::object body{{"record_id", request.business_id},
                             {"type", employee ? "employee" : "team"},
                             {"name", fmt::format("{} {}", employee ? "Employee" : "Team", seq)}};
    if (employee) {
        body["team_id"] = fmt::format("team-{:08d}", (seq / 20) * 2 + 1);
    } else {
        body["parent_id"] = fmt::format("team-{:08d}", 1);
    }
    request.body = boost::json::serialize(body);
    return request;
}

std::variant<parsed_request, std::string> hr_fanout_plugin::parse_request(
    std::string_view body) const {
    std::string errors;
    auto object = parse_json_object(body, errors);
    if (!object) return errors;
    auto id = required_string(*object, "record_id", 64, errors);
    auto type = required_string(*object, "type", 16, errors);
    required_string(*object, "name", 200, errors);
    if (type && *type != "employee" && *type != "team") {
        errors += std::string(errors.empty() ? "" : "; ") + "type: must be employee or team";
    }
    if (!errors.empty()) return errors;
    parsed_request request;
    request.business_id = *id;
    request.kind = *type;
    request.payload = boost::json::serialize(*object);
    return request;
}

}  // namespace asyncbench
