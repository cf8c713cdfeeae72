// The Markdown of `asyncbench compare`; JUnit and BMF are in comparison_ci_report.cpp.
#include "reports/comparison_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "reports/comparison_text.hpp"
#include "reports/markdown_report.hpp"

namespace asyncbench {
namespace {

void write_row(std::ostream& out, const std::vector<std::string>& cells) {
    out << '|';
    for (const auto& cell : cells) out << ' ' << md_escape(cell) << " |";
    out << '\n';
}

void write_list(std::ostream& out, std::string_view heading,
                const std::vector<std::string>& items) {
    if (items.empty()) return;
    out << "\n## " << heading << "\n\n";
    for (const auto& item : items) out << "- " << md_escape(item) << '\n';
}

std::string verdict_cell(gate_verdict verdict) {
    const std::string text(verdict_text(verdict));
    return verdict == gate_verdict::worse ? "**" + text + "**" : text;
}

void write_mode_table(std::ostream& out, const comparison_result& c, const std::string& mode) {
    out << "\n## " << md_escape(mode) << "\n\n";
    const bool any = std::any_of(c.metrics.begin(), c.metrics.end(),
                                 [&](const auto& m) { return m.subject.mode == mode; });
    if (!any) {
        out << "No gate in this mode.\n";
        return;
    }
    write_row(out, {"Metric", "Baseline median (min - max, n)", "Candidate median (min - max, n)",
                    "Change", "p", "Verdict"});
    out << "|---|---:|---:|---:|---:|---|\n";
    for (const auto& m : c.metrics) {
        if (m.subject.mode != mode) continue;
        write_row(
            out,
            {fmt::format("{} ({})", m.subject.metric, direction_text(m.subject.direction)),
             spread_text(m.subject.metric, m.baseline), spread_text(m.subject.metric, m.candidate),
             change_text(m), p_text(m.p_value), verdict_cell(m.verdict)});
    }
}

void write_correctness(std::ostream& out, const comparison_result& c) {
    if (c.correctness.empty()) return;
    out << "\n## Correctness (worse by any amount, without statistics)\n\n";
    write_row(out, {"Mode", "Check", "Baseline", "Candidate", "Verdict"});
    out << "|---|---|---:|---:|---|\n";
    for (const auto& check : c.correctness) {
        std::string verdict = check.worse() ? "**worse**" : "held";
        if (check.worse() && check.baseline_total > 0) verdict += " (the baseline had it too)";
        write_row(
            out, {check.mode, check.metric, format_metric_value(check.metric, check.baseline_total),
                  format_metric_value(check.metric, check.candidate_total), verdict});
    }
    out << "\nSums over every repetition of each side.\n";
}

std::string held_summary(const comparison_result& c) {
    if (c.metrics.empty()) {
        return "no statistical gate declared (add thresholds to the scenario or pass --metric); "
               "correctness held.";
    }
    std::string counts;
    for (const auto verdict : {gate_verdict::unchanged, gate_verdict::better,
                               gate_verdict::not_enough_repetitions, gate_verdict::not_measured}) {
        const auto n = std::count_if(c.metrics.begin(), c.metrics.end(),
                                     [&](const auto& m) { return m.verdict == verdict; });
        if (n > 0)
            counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", n, verdict_text(verdict));
    }
    return fmt::format("{} comparison{} in {} mode{}: {}; correctness held.", c.metrics.size(),
                       c.metrics.size() == 1 ? "" : "s", c.modes.size(),
                       c.modes.size() == 1 ? "" : "s", counts);
}

}  // namespace

std::string comparison_verdict_line(const comparison_result& c) {
    const int code = exit_code(c.status);
    if (c.refused) {
        return fmt::format(
            "**Refused (exit {})**: the runs differ ({} difference{} listed below); --force "
            "compares them anyway.",
            code, c.differences.size(), c.differences.size() == 1 ? "" : "s");
    }
    if (c.status == exit_status::finding) {
        return fmt::format("**Worse (exit {})**: {}.", code, fmt::join(worse_findings(c), "; "));
    }
    if (c.status == exit_status::untrustworthy) {
        return fmt::format("**Not trustworthy (exit {})**: nothing is worse, but {}.", code,
                           fmt::join(c.untrustworthy, "; "));
    }
    return fmt::format("**No regression (exit {})**: {}", code, held_summary(c));
}

void write_comparison_markdown(const comparison_result& c, std::ostream& out) {
    out << "# AsyncBench comparison: " << md_escape(c.scenario) << "\n\n";
    out << md_escape(comparison_verdict_line(c)) << "\n\n";
    out << "Baseline: " << md_escape(c.baseline_label)
        << ". Candidate: " << md_escape(c.candidate_label) << ".\n";
    write_list(out, c.refused ? "Differences (refused)" : "Differences (compared anyway: --force)",
               c.differences);
    if (!c.refused) {
        for (const auto& mode : c.modes) write_mode_table(out, c, mode);
        write_correctness(out, c);
    }
    write_list(out, "Not trustworthy", c.untrustworthy);
    write_list(out, "Warnings", c.warnings);
    write_list(out, "Notes", c.notes);
    out << "\n## Parameters\n\n" << md_escape(parameters_text(c.parameters)) << '\n';
}

}  // namespace asyncbench
