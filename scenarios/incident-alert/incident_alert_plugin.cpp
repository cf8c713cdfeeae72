// incident-alert: the changes, deterministic by sequence number, and their validation.
#include "scenarios/incident-alert/incident_alert_plugin.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>

#include "scenarios/json_fields.hpp"
#include "scenarios/plugin_support.hpp"

namespace asyncbench {
namespace {

using incident_alert::severities;
using incident_alert::states;
using incident_alert::stride;

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& names, std::string_view value) {
    return std::find(names.begin(), names.end(), value) != names.end();
}

template <std::size_t N>
std::string listed(const std::array<std::string_view, N>& names) {
    std::string text;
    for (auto name : names) text += (text.empty() ? "" : ", ") + std::string(name);
    return text;
}

}  // namespace

std::string_view incident_alert_plugin::api_path() const { return "/incidents"; }

// Requests come in blocks of stride x states: within a block, request i is change
// i / stride + 1 of incident block * stride + i % stride.
generated_request incident_alert_plugin::make_request(std::uint64_t seq) const {
    const std::uint64_t block_size = stride * states.size();
    const std::uint64_t block = seq / block_size;
    const std::uint64_t within = seq % block_size;
    const std::uint64_t incident = block * stride + within % stride;
    const auto version = static_cast<std::int64_t>(within / stride) + 1;
    generated_request request;
    request.business_id = fmt::format("chg-{:08d}", seq);
    request.body = boost::json::serialize(
        boost::json::object{{"change_id", request.business_id},
                            {"incident_id", fmt::format("inc-{:06d}", incident)},
                            {"version", version},
                            {"state", states[static_cast<std::size_t>(version - 1)]},
                            {"severity", severities[splitmix64(incident) % severities.size()]}});
    return request;
}

std::variant<parsed_request, std::string> incident_alert_plugin::parse_request(
    std::string_view body) const {
    std::string errors;
    auto object = parse_json_object(body, errors);
    if (!object) return errors;
    auto id = required_string(*object, "change_id", 64, errors);
    auto incident = required_string(*object, "incident_id", 64, errors);
    auto state = required_string(*object, "state", 32, errors);
    auto severity = required_string(*object, "severity", 16, errors);
    auto append = [&](const std::string& why) { errors += (errors.empty() ? "" : "; ") + why; };
    if (state && !one_of(states, *state)) {
        append(fmt::format("state: must be one of {}", listed(states)));
    }
    if (severity && !one_of(severities, *severity)) {
        append(fmt::format("severity: must be one of {}", listed(severities)));
    }
    const auto* version = object->if_contains("version");
    constexpr std::int64_t max_version = 1'000'000;
    if (version == nullptr || !version->is_int64() || version->get_int64() < 1 ||
        version->get_int64() > max_version) {
        append(fmt::format("version: must be an integer from 1 to {}", max_version));
    }
    if (!errors.empty()) return errors;
    parsed_request request;
    request.business_id = *id;
    request.kind = *state;
    request.payload = boost::json::serialize(boost::json::object{{"change_id", *id},
                                                                 {"incident_id", *incident},
                                                                 {"version", version->get_int64()},
                                                                 {"state", *state},
                                                                 {"severity", *severity}});
    return request;
}

}  // namespace asyncbench
