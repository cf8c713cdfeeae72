#include "harness/config/threshold_reader.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "harness/result/pipeline_metric_names.hpp"
#include "scenarios/scenario_plugin.hpp"

namespace asyncbench {
namespace {

bool some_stage_placed(const scenario_config& scenario, placement where) {
    return std::any_of(
        scenario.workflow.begin(), scenario.workflow.end(), [&](const stage_spec& stage) {
            return std::find(stage.placements.begin(), stage.placements.end(), where) !=
                   stage.placements.end();
        });
}

// A threshold built from parts the loader already checked (slo:), so it cannot fail to parse.
threshold_spec make_threshold(std::string text, std::string metric, comparison op, double value) {
    threshold_spec spec;
    spec.text = std::move(text);
    spec.metric = std::move(metric);
    spec.op = op;
    spec.value = value;
    return spec;
}

}  // namespace

threshold_names threshold_names_of(const scenario_config& scenario) {
    threshold_names names;
    if (const auto* plugin = find_plugin(scenario.plugin))
        names.scenario_metrics = plugin->metric_names();
    if (some_stage_placed(scenario, placement::kafka)) {
        names.scenario_metrics.emplace_back(key_order_violations_metric);
    }
    if (some_stage_placed(scenario, placement::poll)) {
        for (auto name : poll_metric_names) names.scenario_metrics.emplace_back(name);
    }
    if (scenario.watchers.count > 0) {
        for (auto name : watch_metric_names) names.scenario_metrics.emplace_back(name);
    }
    if (scenario.lookups.rate_per_s > 0) {
        for (auto name : lookup_metric_names) names.scenario_metrics.emplace_back(name);
    }
    for (const auto& fault : scenario.faults) names.faults.push_back(fault.name);
    return names;
}

std::vector<threshold_spec> read_thresholds(yaml_reader& reader, const YAML::Node& node,
                                            const std::string& path,
                                            const scenario_config& scenario) {
    std::vector<threshold_spec> thresholds;
    const auto items = reader.read_sequence(node, path);
    if (!items) return thresholds;
    const auto names = threshold_names_of(scenario);
    for (std::size_t i = 0; i < items->size(); ++i) {
        const auto item_path = fmt::format("{}[{}]", path, i);
        const auto text = reader.read_scalar((*items)[i], item_path, "a threshold");
        if (!text) continue;
        auto parsed = parse_threshold(*text, names);
        if (auto* error = std::get_if<std::string>(&parsed)) {
            reader.add_error((*items)[i], item_path, *error);
            continue;
        }
        thresholds.push_back(std::get<threshold_spec>(std::move(parsed)));
    }
    return thresholds;
}

std::vector<threshold_spec> slo_thresholds(const slo_spec& slo) {
    std::vector<threshold_spec> thresholds;
    if (slo.api_p99) {
        // The all-answers view: a request that timed out or failed slowly must count against
        // a latency objective, as it does for wrk2 and vegeta.
        thresholds.push_back(make_threshold(
            fmt::format("api_all_p99 <= {}ms", slo.api_p99->count()), "api_all_p99",
            comparison::less_equal, static_cast<double>(slo.api_p99->count()) * 1000.0));
    }
    if (slo.min_availability) {
        thresholds.push_back(
            make_threshold(fmt::format("availability >= {}", *slo.min_availability), "availability",
                           comparison::greater_equal, *slo.min_availability));
    }
    return thresholds;
}

std::vector<threshold_spec> run_thresholds(const scenario_config& scenario,
                                           const std::vector<std::string>& extra,
                                           std::vector<std::string>& errors) {
    auto thresholds = slo_thresholds(scenario.slo);
    thresholds.insert(thresholds.end(), scenario.thresholds.begin(), scenario.thresholds.end());
    const auto names = threshold_names_of(scenario);
    for (const auto& text : extra) {
        auto parsed = parse_threshold(text, names);
        if (auto* error = std::get_if<std::string>(&parsed)) {
            errors.push_back("--threshold " + *error);
            continue;
        }
        thresholds.push_back(std::get<threshold_spec>(std::move(parsed)));
    }
    return thresholds;
}

}  // namespace asyncbench
