#include "harness/result/comparison.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "harness/config/units.hpp"
#include "harness/core/mode.hpp"
#include "harness/result/run_match.hpp"
#include "harness/stats/mann_whitney.hpp"

namespace asyncbench {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

bool bad_direction(metric_direction direction, double baseline_median, double candidate_median) {
    return direction == metric_direction::lower_is_better ? candidate_median > baseline_median
                                                          : candidate_median < baseline_median;
}

// The metric's value in each valid repetition that measured it: an invalid repetition's numbers
// (a timed-out drain, a generator behind schedule) are not a sample of the system.
std::vector<double> valid_values(const mode_result& mode, const std::string& metric) {
    std::vector<double> values;
    for (const auto& rep : mode.repetitions) {
        if (!rep.valid) continue;
        if (const auto it = rep.metrics.find(metric); it != rep.metrics.end()) {
            values.push_back(it->second);
        }
    }
    return values;
}

double total(const mode_result& mode, const std::string& metric) {
    double sum = 0;
    for (const auto& rep : mode.repetitions) {
        if (const auto it = rep.metrics.find(metric); it != rep.metrics.end()) {
            if (std::isfinite(it->second)) sum += it->second;
        }
    }
    return sum;
}

// "candidate async: repetitions 2, 4 of 5 are not valid ..." for each side and mode.
void note_invalid_repetitions(std::vector<std::string>& notes, std::string_view side,
                              const std::string& mode, const mode_result& m) {
    std::string which;
    for (const auto& rep : m.repetitions) {
        if (!rep.valid) which += (which.empty() ? "" : ", ") + std::to_string(rep.index);
    }
    if (which.empty()) return;
    notes.push_back(fmt::format(
        "{} {}: repetition(s) {} of {} not valid: left out of the statistics (correctness "
        "counts them).",
        side, mode, which, m.repetitions.size()));
}

void note_untrustworthy(std::vector<std::string>& out, std::string_view side, const run_result& r) {
    const bool modes_valid =
        std::all_of(r.modes.begin(), r.modes.end(), [](const auto& kv) { return kv.second.valid; });
    if (r.valid && modes_valid) return;
    const auto before = out.size();
    for (const auto& [name, m] : r.modes) {
        for (const auto& reason : m.invalid_reasons) {
            out.push_back(fmt::format("{}: {}: {}", side, name, reason));
        }
    }
    if (out.size() == before) out.push_back(fmt::format("{}: the run is not valid", side));
}

std::vector<std::string> mode_names(const run_result& r) {
    std::vector<std::string> names;
    for (const auto& [name, m] : r.modes) names.push_back(name);
    return in_report_order(names);
}

// The modes both ran, in report order, into out.modes; a note for each mode only one side
// ran, and a difference (a refusal) when they have none in common.
void compared_modes(const run_result& b, const run_result& c, comparison_result& out) {
    std::vector<std::string> all_modes = mode_names(b);
    for (const auto& name : mode_names(c)) {
        if (!b.modes.contains(name)) all_modes.push_back(name);
    }
    for (const auto& name : in_report_order(all_modes)) {
        if (b.modes.contains(name) && c.modes.contains(name)) {
            out.modes.push_back(name);
        } else {
            out.notes.push_back(fmt::format("{}: only the {} ran it: not compared.", name,
                                            b.modes.contains(name) ? "baseline" : "candidate"));
        }
    }
    if (out.modes.empty()) {
        out.differences.push_back(
            fmt::format("modes: baseline ran {}, candidate ran {}: none in common",
                        fmt::join(mode_names(b), " and "), fmt::join(mode_names(c), " and ")));
    }
}

// Repetitions came in version 6: an older file reads as one repetition a mode, too few for a
// verdict, which the reader should not have to guess.
constexpr int first_version_with_repetitions = 6;

void note_schema_versions(int baseline, int candidate, std::vector<std::string>& notes) {
    if (baseline != candidate) {
        notes.push_back(fmt::format(
            "result.json versions differ: baseline {}, candidate {}; both were read as version "
            "{} (a file older than version {} holds one repetition a mode).",
            baseline, candidate, result_schema_version, first_version_with_repetitions));
    } else if (baseline < first_version_with_repetitions) {
        notes.push_back(fmt::format(
            "Both result.json files are version {}, older than {}: read as one repetition a "
            "mode.",
            baseline, first_version_with_repetitions));
    }
}

}  // namespace

std::string_view verdict_text(gate_verdict verdict) {
    switch (verdict) {
        case gate_verdict::worse:
            return "worse";
        case gate_verdict::better:
            return "better";
        case gate_verdict::unchanged:
            return "unchanged";
        case gate_verdict::not_enough_repetitions:
            return "not enough repetitions";
        case gate_verdict::not_measured:
            break;
    }
    return "not measured";
}

sample_summary summarise(std::vector<double> values) {
    std::erase_if(values, [](double v) { return !std::isfinite(v); });
    sample_summary s;
    s.values = std::move(values);
    if (s.values.empty()) {
        s.median = s.min = s.max = nan;
        return s;
    }
    s.median = median(s.values);
    const auto [low, high] = std::minmax_element(s.values.begin(), s.values.end());
    s.min = *low;
    s.max = *high;
    return s;
}

metric_comparison compare_samples(const gate& subject, std::vector<double> baseline,
                                  std::vector<double> candidate,
                                  const compare_parameters& parameters) {
    metric_comparison c;
    c.subject = subject;
    c.baseline = summarise(std::move(baseline));
    c.candidate = summarise(std::move(candidate));
    if (c.baseline.values.empty() || c.candidate.values.empty()) {
        c.verdict = gate_verdict::not_measured;
        return c;
    }
    const double b = c.baseline.median;
    const double m = c.candidate.median;
    if (b != 0) {
        c.change = (m - b) / std::fabs(b);
    } else if (m == 0) {
        c.change = 0.0;
    }
    // From 0 to anything is beyond any relative minimum effect.
    const bool beyond_min_effect = !c.change || std::fabs(*c.change) > parameters.min_effect;
    c.p_value = mann_whitney_u(c.baseline.values, c.candidate.values).p_two_sided;
    if (c.baseline.values.size() < min_repetitions_for_verdict ||
        c.candidate.values.size() < min_repetitions_for_verdict) {
        c.verdict = gate_verdict::not_enough_repetitions;
    } else if (*c.p_value < parameters.alpha && beyond_min_effect && m != b) {
        c.verdict =
            bad_direction(subject.direction, b, m) ? gate_verdict::worse : gate_verdict::better;
    } else {
        c.verdict = gate_verdict::unchanged;
    }
    return c;
}

std::variant<double, std::string> parse_min_effect(std::string_view text) {
    if (const auto share = parse_percent(text)) return *share;
    return fmt::format("--min-effect {}: write a percentage of the baseline's median, e.g. 5%",
                       text);
}

std::variant<comparison_result, std::string> compare_runs(
    const compared_run& baseline, const compared_run& candidate,
    const std::vector<metric_request>& requests, const compare_parameters& parameters) {
    if (!(parameters.alpha > 0 && parameters.alpha < 1)) {
        return fmt::format("--alpha {}: must be between 0 and 1, e.g. 0.05", parameters.alpha);
    }
    if (!std::isfinite(parameters.min_effect) || parameters.min_effect < 0) {
        return fmt::format("--min-effect: {} is not a share of 0 or more", parameters.min_effect);
    }
    const run_result& b = baseline.result;
    const run_result& c = candidate.result;
    comparison_result out;
    out.scenario = c.scenario;
    out.baseline_label = baseline.label;
    out.candidate_label = candidate.label;
    out.parameters = parameters;
    out.candidate_thresholds = c.thresholds;
    out.warnings = environment_warnings(b, c);
    out.differences = run_differences(b, c);

    compared_modes(b, c, out);
    note_schema_versions(baseline.written_schema_version, candidate.written_schema_version,
                         out.notes);
    if (!out.differences.empty() && !parameters.force) {
        out.refused = true;
        out.status = exit_status::usage;
        return out;
    }

    auto gates = select_gates(b, c, requests, out.modes);
    if (auto* error = std::get_if<std::string>(&gates)) return *error;
    auto& selection = std::get<gate_selection>(gates);
    out.notes.insert(out.notes.end(), selection.notes.begin(), selection.notes.end());
    for (const auto& mode : out.modes) {
        note_invalid_repetitions(out.notes, "baseline", mode, b.modes.at(mode));
        note_invalid_repetitions(out.notes, "candidate", mode, c.modes.at(mode));
    }
    for (const auto& g : selection.gates) {
        out.metrics.push_back(compare_samples(g, valid_values(b.modes.at(g.mode), g.metric),
                                              valid_values(c.modes.at(g.mode), g.metric),
                                              parameters));
    }
    for (const auto& mode : out.modes) {
        for (const auto& metric : builtin_metrics()) {
            if (!metric.correctness) continue;
            const std::string name(metric.name);
            out.correctness.push_back(
                {mode, name, total(b.modes.at(mode), name), total(c.modes.at(mode), name)});
        }
    }
    note_untrustworthy(out.untrustworthy, "baseline", b);
    note_untrustworthy(out.untrustworthy, "candidate", c);

    const bool worse =
        std::any_of(out.metrics.begin(), out.metrics.end(),
                    [](const auto& m) { return m.verdict == gate_verdict::worse; }) ||
        std::any_of(out.correctness.begin(), out.correctness.end(),
                    [](const auto& m) { return m.worse(); });
    out.status = worse                        ? exit_status::finding
                 : !out.untrustworthy.empty() ? exit_status::untrustworthy
                                              : exit_status::held;
    return out;
}

}  // namespace asyncbench
