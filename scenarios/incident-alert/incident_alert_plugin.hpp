#pragma once
// incident-alert (seed 004): monitoring reports incidents and their state changes, POST
// /incidents:
//   {"change_id": "chg-00000042", "incident_id": "inc-000042", "version": 1,
//    "state": "open", "severity": "sev2"}
// Each incident goes through the four states in order, one change per state, its changes
// spread over the load (incident_alert::stride requests apart), so a watcher polling every few
// seconds sees some changes and merges others. As-is the API keeps each incident's current row
// in the database and 50 dashboards poll it; to-be a consumer keeps it in Redis and publishes
// each change on Pub/Sub (incident-alert.yaml). The watchers and their judgement are the
// harness's (harness/watch); this plugin makes and validates the changes.
#include <array>
#include <cstdint>
#include <string_view>

#include "scenarios/scenario_plugin.hpp"

namespace asyncbench {

namespace incident_alert {

// An incident's states, in the order its changes (versions 1, 2, ...) move it through.
inline constexpr std::array<std::string_view, 4> states{"open", "acknowledged", "mitigated",
                                                        "resolved"};
inline constexpr std::array<std::string_view, 4> severities{"sev1", "sev2", "sev3", "sev4"};
// Incidents open at once: change v of an incident comes `stride` requests after change v - 1
// (2.5 s at 200 requests/s).
inline constexpr std::uint64_t stride = 500;

}  // namespace incident_alert

class incident_alert_plugin final : public scenario_plugin {
  public:
    std::string_view api_path() const override;
    generated_request make_request(std::uint64_t seq) const override;
    std::variant<parsed_request, std::string> parse_request(std::string_view body) const override;
};

}  // namespace asyncbench
