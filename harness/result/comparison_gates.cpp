#include "harness/result/comparison_gates.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "harness/core/mode.hpp"

namespace asyncbench {
namespace {

constexpr auto lower = metric_direction::lower_is_better;
constexpr auto higher = metric_direction::higher_is_better;

bool is_correctness(std::string_view metric) {
    const auto* builtin = find_builtin_metric(metric);
    return builtin != nullptr && builtin->correctness;
}

std::optional<metric_direction> direction_of_op(std::string_view op) {
    if (op == "<" || op == "<=") return lower;
    if (op == ">" || op == ">=") return higher;
    return std::nullopt;  // a v1-v5 `slo` check: text only
}

// Scenario metrics either run knows: measured in a repetition or reported by the plugin.
std::set<std::string> scenario_metric_names(const run_result& baseline,
                                            const run_result& candidate) {
    std::set<std::string> names;
    for (const auto* run : {&baseline, &candidate}) {
        for (const auto& [mode, m] : run->modes) {
            for (const auto& rep : m.repetitions) {
                for (const auto& [name, value] : rep.metrics) names.insert(name);
            }
            for (const auto& metric : m.metrics) names.insert(metric.name);
        }
    }
    std::erase_if(names, [](const std::string& n) { return find_builtin_metric(n) != nullptr; });
    return names;
}

std::string unknown_metric_error(const metric_request& request,
                                 const std::set<std::string>& scenario_names) {
    std::string builtins;
    for (const auto& m : builtin_metrics()) {
        builtins += (builtins.empty() ? "" : ", ") + std::string(m.name);
    }
    std::string scenario;
    for (const auto& n : scenario_names) scenario += (scenario.empty() ? "" : ", ") + n;
    return fmt::format(
        "--metric {}: unknown metric \"{}\": neither built in nor measured by either run. "
        "Built-in: {}. This scenario's: {}.",
        request.text, request.metric, builtins, scenario.empty() ? "none" : scenario);
}

// A scenario metric's direction as stated by thresholds (any mode) and --metric suffixes.
struct direction_evidence {
    std::vector<std::pair<metric_direction, std::string>> thresholds;  // direction, text
    std::optional<metric_direction> all_modes;                         // --metric M:dir
    std::map<std::string, metric_direction> per_mode;                  // --metric mode.M:dir
};

// `written` is the --metric text when a --metric declared the gate, empty for a threshold.
std::variant<metric_direction, std::string> resolve_direction(
    const std::string& mode, const std::string& metric, const std::string& written,
    const std::map<std::string, direction_evidence>& evidence) {
    if (const auto* builtin = find_builtin_metric(metric)) return builtin->direction;
    const std::string fix = fmt::format("write --metric {0}:lower or --metric {0}:higher",
                                        written.empty() ? metric : written);
    if (const auto found = evidence.find(metric); found != evidence.end()) {
        const auto& e = found->second;
        if (const auto it = e.per_mode.find(mode); it != e.per_mode.end()) return it->second;
        if (e.all_modes) return *e.all_modes;
        if (!e.thresholds.empty()) {
            const auto& first = e.thresholds.front();
            for (const auto& [direction, text] : e.thresholds) {
                if (direction == first.first) continue;
                return fmt::format(
                    "\"{}\": its thresholds bound it from both sides (\"{}\", \"{}\"), so "
                    "which way is worse is not clear: {}",
                    metric, first.second, text, fix);
            }
            return first.first;
        }
    }
    return fmt::format(
        "--metric {}: \"{}\" is a scenario metric and no threshold says which way is worse: {}",
        written, metric, fix);
}

// The thresholds compare can judge (declared, with a bound, over the measured phase), candidate's
// first, and the direction each states for its metric; notes for the ones it cannot.
std::vector<const threshold_check*> usable_thresholds(
    const run_result& baseline, const run_result& candidate,
    std::map<std::string, direction_evidence>& evidence, std::vector<std::string>& notes) {
    std::vector<const threshold_check*> usable;
    std::set<std::string> during_texts;
    std::set<std::string> textless;
    for (const auto* run : {&candidate, &baseline}) {
        for (const auto& check : run->thresholds) {
            if (check.implicit || is_correctness(check.metric)) continue;
            const auto direction = direction_of_op(check.op);
            if (!direction) {
                textless.insert(check.threshold);
            } else if (!check.during.empty()) {
                during_texts.insert(check.threshold);
            } else {
                evidence[check.metric].thresholds.emplace_back(*direction, check.threshold);
                usable.push_back(&check);
            }
        }
    }
    for (const auto& text : during_texts) {
        notes.push_back(fmt::format(
            "Threshold \"{}\" is not compared: values per fault window are not kept per "
            "repetition (the threshold itself is checked in each run).",
            text));
    }
    for (const auto& text : textless) {
        notes.push_back(fmt::format(
            "Threshold \"{}\" is not compared: it comes from a result.json older than version 6, "
            "which kept no bound to read a direction from.",
            text));
    }
    return usable;
}

// The --metric requests that add gates, after checking each names a known metric in a
// direction it can have; their suffixes join `evidence`. Notes for the ones that add none.
std::variant<std::vector<const metric_request*>, std::string> usable_requests(
    const run_result& baseline, const run_result& candidate,
    const std::vector<metric_request>& requests, const std::vector<std::string>& modes,
    std::map<std::string, direction_evidence>& evidence, std::vector<std::string>& notes) {
    const auto scenario_names = scenario_metric_names(baseline, candidate);
    std::vector<const metric_request*> usable;
    for (const auto& request : requests) {
        const auto* builtin = find_builtin_metric(request.metric);
        if (builtin == nullptr && !scenario_names.contains(request.metric) &&
            !evidence.contains(request.metric)) {
            return unknown_metric_error(request, scenario_names);
        }
        if (builtin != nullptr && request.direction && *request.direction != builtin->direction) {
            return fmt::format("--metric {}: {} is built in and {}: drop the suffix", request.text,
                               request.metric, direction_text(builtin->direction));
        }
        if (builtin != nullptr && builtin->correctness) {
            notes.push_back(fmt::format(
                "--metric {}: {} is a correctness check: compared by any amount, without "
                "statistics, in every mode.",
                request.text, request.metric));
            continue;
        }
        if (!request.mode.empty() &&
            std::find(modes.begin(), modes.end(), request.mode) == modes.end()) {
            notes.push_back(fmt::format("--metric {}: not compared: {} was not run by both sides.",
                                        request.text, request.mode));
            continue;
        }
        if (builtin == nullptr && request.direction) {
            auto& e = evidence[request.metric];
            if (request.mode.empty()) {
                e.all_modes = request.direction;
            } else {
                e.per_mode[request.mode] = *request.direction;
            }
        }
        usable.push_back(&request);
    }
    return usable;
}

}  // namespace

std::string_view direction_text(metric_direction direction) {
    return direction == lower ? "lower is better" : "higher is better";
}

std::variant<metric_request, std::string> parse_metric_request(std::string_view text) {
    metric_request request;
    request.text = std::string(text);
    std::string_view rest = text;
    if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
        const auto suffix = rest.substr(colon + 1);
        if (suffix == "lower") {
            request.direction = lower;
        } else if (suffix == "higher") {
            request.direction = higher;
        } else {
            return fmt::format("--metric {}: the suffix \":{}\" must be :lower or :higher", text,
                               suffix);
        }
        rest = rest.substr(0, colon);
    }
    if (const auto dot = rest.find('.'); dot != std::string_view::npos) {
        const auto prefix = rest.substr(0, dot);
        if (!mode_from_name(prefix)) {
            return fmt::format("--metric {}: \"{}\" is not a mode: write [sync.|async.]METRIC",
                               text, prefix);
        }
        request.mode = std::string(prefix);
        rest = rest.substr(dot + 1);
    }
    if (rest.empty()) {
        return fmt::format(
            "--metric {}: no metric name: write [sync.|async.]METRIC[:lower|:higher]", text);
    }
    request.metric = std::string(rest);
    return request;
}

std::variant<gate_selection, std::string> select_gates(const run_result& baseline,
                                                       const run_result& candidate,
                                                       const std::vector<metric_request>& requests,
                                                       const std::vector<std::string>& modes) {
    gate_selection selection;
    std::map<std::string, direction_evidence> evidence;
    const auto thresholds = usable_thresholds(baseline, candidate, evidence, selection.notes);
    auto checked = usable_requests(baseline, candidate, requests, modes, evidence, selection.notes);
    if (auto* error = std::get_if<std::string>(&checked)) return *error;
    const auto& compared_requests = std::get<std::vector<const metric_request*>>(checked);

    std::set<std::pair<std::string, std::string>> seen;
    const auto add = [&](const std::string& mode, const std::string& metric,
                         const std::string& written,
                         std::string declared_by) -> std::optional<std::string> {
        if (!seen.emplace(mode, metric).second) return std::nullopt;
        auto direction = resolve_direction(mode, metric, written, evidence);
        if (auto* error = std::get_if<std::string>(&direction)) return *error;
        selection.gates.push_back(
            {mode, metric, std::get<metric_direction>(direction), std::move(declared_by)});
        return std::nullopt;
    };
    for (const auto& mode : modes) {
        for (const auto* check : thresholds) {
            if (check->mode != mode) continue;
            if (auto error = add(mode, check->metric, "", "threshold " + check->threshold)) {
                return *error;
            }
        }
        for (const auto* request : compared_requests) {
            if (!request->mode.empty() && request->mode != mode) continue;
            if (auto error =
                    add(mode, request->metric, request->text, "--metric " + request->text)) {
                return *error;
            }
        }
    }
    return selection;
}

}  // namespace asyncbench
