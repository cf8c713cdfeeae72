// lp-report (seed 001): an electronic report saved by POST /SAVE, then queued and run at the
// LP report system. The request names the report; the workflow steps live in lp-report.yaml.
#include "scenarios/lp-report/lp_report_plugin.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "scenarios/json_fields.hpp"

namespace asyncbench {

std::string_view lp_report_plugin::api_path() const { return "/SAVE"; }

generated_request lp_report_plugin::make_request(std::uint64_t seq) const {
    generated_request request;
    request.business_id = fmt::format("rpt-{:08d}", seq);
    boost::json::object body{{"report_id", request.business_id},
                             {"lp_code", fmt::format("LP{:03d}", seq % 17)},
                             {"period", fmt::format("2026-{:02d}", seq % 12 + 1)},
                             {"rows", static_cast<std::int64_t>(100 + seq % 900)}};
    request.body = boost::json::serialize(body);
    return request;
}

std::variant<parsed_request, std::string> lp_report_plugin::parse_request(
    std::string_view body) const {
    std::string errors;
    auto object = parse_json_object(body, errors);
    if (!object) return errors;
    auto id = required_string(*object, "report_id", 64, errors);
    auto lp_code = required_string(*object, "lp_code", 16, errors);
    auto period = required_string(*object, "period", 7, errors);
    const auto* rows = object->if_contains("rows");
    if (rows && !rows->is_int64())
        errors += std::string(errors.empty() ? "" : "; ") + "rows: must be an integer";
    if (!errors.empty()) return errors;
    parsed_request request;
    request.business_id = *id;
    request.kind = "report";
    request.payload = boost::json::serialize(
        boost::json::object{{"report_id", *id}, {"lp_code", *lp_code}, {"period", *period}});
    return request;
}

}  // namespace asyncbench
