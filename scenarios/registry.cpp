// The one table of scenario plugins. Adding a scenario: its folder, one line here, nothing else
// (CMake picks up its sources). An explicit table, because static self-registration objects in
// a static library are silently dropped by the linker.
#include <array>
#include <utility>

#include "scenarios/coupon-rush/coupon_rush_plugin.hpp"
#include "scenarios/hr-fanout/hr_fanout_plugin.hpp"
#include "scenarios/incident-alert/incident_alert_plugin.hpp"
#include "scenarios/lp-report/lp_report_plugin.hpp"
#include "scenarios/order-events/order_events_plugin.hpp"
#include "scenarios/scenario_plugin.hpp"
#include "scenarios/stats-stream/stats_stream_plugin.hpp"

namespace asyncbench {
namespace {

const lp_report_plugin lp_report;
const hr_fanout_plugin hr_fanout;
const order_events_plugin order_events_scenario;
const stats_stream_plugin stats_stream_scenario;
const coupon_rush_plugin coupon_rush_scenario;
const incident_alert_plugin incident_alert_scenario;

// Sized by its lines, so adding a scenario is one line here (and its include and object).
const auto registry = std::to_array<std::pair<std::string_view, const scenario_plugin*>>({
    {"lp-report", &lp_report},
    {"hr-fanout", &hr_fanout},
    {"order-events", &order_events_scenario},
    {"stats-stream", &stats_stream_scenario},
    {"coupon-rush", &coupon_rush_scenario},
    {"incident-alert", &incident_alert_scenario},
});

}  // namespace

const scenario_plugin* find_plugin(std::string_view name) {
    for (const auto& [key, plugin] : registry) {
        if (key == name) return plugin;
    }
    return nullptr;
}

std::vector<std::string> plugin_names() {
    std::vector<std::string> names;
    for (const auto& [key, plugin] : registry) names.emplace_back(key);
    return names;
}

}  // namespace asyncbench
