#include "harness/cli/metrics_command.hpp"

#include <fmt/format.h>

#include <iostream>

#include "harness/config/scenario_loader.hpp"
#include "harness/config/threshold_reader.hpp"
#include "harness/result/metric_catalog.hpp"

namespace asyncbench {
namespace {

std::string_view unit_name(metric_unit unit) {
    switch (unit) {
        case metric_unit::microseconds:
            return "latency (write 500ms, 10s)";
        case metric_unit::seconds:
            return "seconds (write 90s, 2m)";
        case metric_unit::share:
            return "share (write 0.999 or 99.9%)";
        case metric_unit::per_second:
            return "per second";
        case metric_unit::count:
            return "count";
        case metric_unit::number:
            break;
    }
    return "number";
}

}  // namespace

int metrics_command(const std::string& scenario_path) {
    std::cout << "Built-in metrics, per mode (prefix sync. or async. for one mode):\n";
    for (const auto& metric : builtin_metrics()) {
        std::cout << fmt::format("  {:<27} {:<30} {}{}{}\n", metric.name, unit_name(metric.unit),
                                 metric.direction == metric_direction::lower_is_better
                                     ? "lower is better"
                                     : "higher is better",
                                 metric.per_window ? ", per fault window" : "",
                                 metric.correctness ? ", correctness (always checked)" : "");
        std::cout << fmt::format("  {:<27} {}\n", "", metric.meaning);
    }
    std::cout << "\nWrite a threshold as \"[during 'FAULT':] [sync.|async.]METRIC OP VALUE\", OP "
                 "one of < <= > >=.\n";
    if (scenario_path.empty()) {
        std::cout << "Give a scenario file to list its own metrics and faults.\n";
        return 0;
    }
    auto loaded = load_scenario(scenario_path);
    if (auto* errors = std::get_if<std::vector<config_error>>(&loaded)) {
        for (const auto& error : *errors) std::cerr << format_config_error(error) << "\n";
        return 2;
    }
    const auto names = threshold_names_of(std::get<scenario_config>(loaded));
    std::cout << "\nMetrics of " << scenario_path
              << " (numbers, their unit in their name; `compare --metric NAME:lower|higher` "
                 "needs their direction):\n";
    if (names.scenario_metrics.empty()) std::cout << "  none\n";
    for (const auto& name : names.scenario_metrics) std::cout << "  " << name << "\n";
    std::cout << "Faults a `during` window can name:\n";
    if (names.faults.empty()) std::cout << "  none\n";
    for (const auto& fault : names.faults) std::cout << "  '" << fault << "'\n";
    return 0;
}

}  // namespace asyncbench
