#include "harness/config/threshold.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "harness/config/units.hpp"
#include "harness/result/metric_catalog.hpp"

namespace asyncbench {
namespace {

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

std::optional<double> parse_number(std::string_view text) {
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

// The operator and where it is; the two-character ones first so "<=" is not read as "<".
struct found_operator {
    comparison op;
    std::size_t at;
    std::size_t length;
};
std::optional<found_operator> find_operator(std::string_view text) {
    for (const auto& [symbol, op] :
         {std::pair<std::string_view, comparison>{"<=", comparison::less_equal},
          {">=", comparison::greater_equal},
          {"<", comparison::less},
          {">", comparison::greater}}) {
        if (const auto at = text.find(symbol); at != std::string_view::npos) {
            return found_operator{op, at, symbol.size()};
        }
    }
    return std::nullopt;
}

std::string valid_names(const threshold_names& names) {
    std::string text;
    for (const auto& metric : builtin_metrics()) {
        if (!text.empty()) text += ", ";
        text += metric.name;
    }
    for (const auto& name : names.scenario_metrics) text += ", " + name;
    return text;
}

// VALUE in the metric's unit: a duration for latencies (microseconds) and seconds, a share as
// 0.999 or 99.9%, a plain number otherwise.
std::variant<double, std::string> parse_value(std::string_view text, metric_unit unit) {
    switch (unit) {
        case metric_unit::microseconds:
        case metric_unit::seconds: {
            const auto duration = parse_duration(text);
            if (!duration) {
                return fmt::format("'{}' is not a duration (write it with its unit: 500ms, 10s)",
                                   text);
            }
            const double seconds = std::chrono::duration<double>(*duration).count();
            return unit == metric_unit::seconds ? seconds : seconds * 1e6;
        }
        case metric_unit::share: {
            // "99.9 %" as well as "99.9%": the space is trimmed, then the one parser reads it.
            const auto number =
                text.ends_with('%')
                    ? parse_percent(std::string(trim(text.substr(0, text.size() - 1))) + "%")
                    : parse_number(text);
            if (!number || *number < 0 || *number > 1) {
                return fmt::format("'{}' is not a share (0 to 1, or 0% to 100%)", text);
            }
            return *number;
        }
        case metric_unit::per_second:
        case metric_unit::count:
        case metric_unit::number:
            break;
    }
    const auto number = parse_number(text);
    if (!number) return fmt::format("'{}' is not a number", text);
    return *number;
}

}  // namespace

std::variant<threshold_spec, std::string> parse_threshold(std::string_view text,
                                                          const threshold_names& names) {
    constexpr std::string_view form =
        "write [during 'FAULT':] [sync.|async.]METRIC OP VALUE, e.g. \"async.completion_p99 < "
        "10s\"";
    threshold_spec spec;
    std::string_view rest = trim(text);
    if (rest.starts_with("during")) {
        rest = trim(rest.substr(6));
        const auto colon = rest.find(':');
        const auto name =
            colon == std::string_view::npos ? std::string_view() : trim(rest.substr(0, colon));
        if (name.size() < 2 || name.front() != '\'' || name.back() != '\'') {
            return fmt::format("'{}': a window is written during 'FAULT NAME': ...; {}", text,
                               form);
        }
        spec.during = std::string(name.substr(1, name.size() - 2));
        if (std::find(names.faults.begin(), names.faults.end(), spec.during) ==
            names.faults.end()) {
            std::string known;
            for (const auto& fault : names.faults)
                known += (known.empty() ? "'" : ", '") + fault + "'";
            return fmt::format("'{}': no fault is named '{}' (faults: {})", text, spec.during,
                               known.empty() ? "none declared" : known);
        }
        rest = trim(rest.substr(colon + 1));
    }
    const auto op = find_operator(rest);
    if (!op) return fmt::format("'{}': no comparison (<, <=, >, >=); {}", text, form);
    spec.op = op->op;
    std::string_view subject = trim(rest.substr(0, op->at));
    const std::string_view value_text = trim(rest.substr(op->at + op->length));
    if (const auto dot = subject.find('.'); dot != std::string_view::npos) {
        spec.only = mode_from_name(subject.substr(0, dot));
        if (!spec.only) {
            return fmt::format("'{}': '{}' is not a mode (sync or async)", text,
                               subject.substr(0, dot));
        }
        subject = subject.substr(dot + 1);
    }
    if (subject.empty()) return fmt::format("'{}': no metric named; {}", text, form);
    spec.metric = std::string(subject);
    const auto* builtin = find_builtin_metric(subject);
    const bool scenario_metric =
        std::find(names.scenario_metrics.begin(), names.scenario_metrics.end(), spec.metric) !=
        names.scenario_metrics.end();
    if (builtin == nullptr && !scenario_metric) {
        return fmt::format("'{}': unknown metric '{}' (valid: {})", text, subject,
                           valid_names(names));
    }
    if (!spec.during.empty() && (builtin == nullptr || !builtin->per_window)) {
        std::string windowed;
        for (const auto& metric : builtin_metrics()) {
            if (!metric.per_window) continue;
            windowed += (windowed.empty() ? "" : ", ") + std::string(metric.name);
        }
        return fmt::format("'{}': '{}' is not measured per fault window (these are: {})", text,
                           subject, windowed);
    }
    if (value_text.empty())
        return fmt::format("'{}': no value after the comparison; {}", text, form);
    auto value = parse_value(value_text, builtin ? builtin->unit : metric_unit::number);
    if (auto* error = std::get_if<std::string>(&value)) {
        return fmt::format("'{}': {}", text, *error);
    }
    spec.value = std::get<double>(value);
    spec.text = fmt::format("{}{}{} {} {}",
                            spec.during.empty() ? "" : fmt::format("during '{}': ", spec.during),
                            spec.only ? mode_name(*spec.only) + "." : "", spec.metric,
                            comparison_symbol(spec.op), value_text);
    return spec;
}

bool holds(comparison op, double observed, double bound) {
    switch (op) {
        case comparison::less:
            return observed < bound;
        case comparison::less_equal:
            return observed <= bound;
        case comparison::greater:
            return observed > bound;
        case comparison::greater_equal:
            return observed >= bound;
    }
    return false;
}

std::string_view comparison_symbol(comparison op) {
    switch (op) {
        case comparison::less:
            return "<";
        case comparison::less_equal:
            return "<=";
        case comparison::greater:
            return ">";
        case comparison::greater_equal:
            return ">=";
    }
    return "?";
}

}  // namespace asyncbench
