#include "reports/scenario_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "reports/verdict.hpp"

namespace asyncbench {

namespace {

bool fault_applied(const mode_result& m) {
    return std::any_of(m.faults.begin(), m.faults.end(),
                       [](const fault_record& f) { return f.applied; });
}

}  // namespace

std::vector<std::string> scenario_verdict_lines(const run_result& r) {
    std::vector<std::string> lines;
    const auto modes = report_modes(r);
    std::vector<std::string> rejected;
    bool any = false;
    std::set<std::uint64_t> counts;
    for (const auto& name : modes) {
        const std::uint64_t n = business_rejections(r.modes.at(name));
        any = any || n > 0;
        counts.insert(n);
        rejected.push_back(fmt::format("{} {}", name, format_count(n)));
    }
    if (any) {
        lines.push_back(fmt::format(
            "Business rejections (e.g. out of stock), all phases: {}{}.", fmt::join(rejected, ", "),
            modes.size() < 2     ? ""
            : counts.size() == 1 ? ": the same in every mode"
                                 : ": they differ, so the modes did not refuse the same work"));
    }
    for (const auto& name : modes) {
        for (const auto& i : r.modes.at(name).invariants) {
            if (i.passed == i.required) continue;  // held as required, or broke as expected
            if (!i.passed) {
                lines.push_back(fmt::format("{}: invariant {} BROKEN: {} (expected {}).", name,
                                            i.name, i.observed, i.expected));
            } else if (fault_applied(r.modes.at(name))) {  // else nothing could break it here
                lines.push_back(fmt::format(
                    "{}: invariant {} held although the scenario allows this run to break it "
                    "({}): the fault did not break it in this mode.",
                    name, i.name, i.observed));
            }
        }
        for (const auto& i : r.modes.at(name).invariants) {
            if (i.required || i.passed) continue;
            lines.push_back(
                fmt::format("{}: invariant {} broke, as this scenario expects (a "
                            "finding, not a failure): {}.",
                            name, i.name, i.observed));
        }
    }
    return lines;
}

report_table stage_table(const run_result& r) {
    report_table t{
        {"Mode", "Stage", "Finished", "Attempts", "Retried", "Rejected", "Dead-lettered"}, {}};
    for (const auto& name : report_modes(r)) {
        for (const auto& s : r.modes.at(name).stages) {
            t.rows.push_back({name, s.stage, format_count(s.finished), format_count(s.attempts),
                              format_count(s.retried), format_count(s.rejected),
                              format_count(s.dead_lettered)});
        }
    }
    return t;
}

report_table scenario_metric_table(const run_result& r) {
    report_table t{{"Mode", "Metric", "Value"}, {}};
    for (const auto& name : report_modes(r)) {
        for (const auto& m : r.modes.at(name).metrics) {
            t.rows.push_back({name, m.name, fmt::format("{:.6g}", m.value)});
        }
    }
    return t;
}

report_table scenario_invariant_table(const run_result& r) {
    report_table t{{"Mode", "Invariant", "Expected", "Observed", "Result"}, {}};
    for (const auto& name : report_modes(r)) {
        for (const auto& i : r.modes.at(name).invariants) {
            std::string verdict;
            if (i.required) {
                verdict = i.passed ? "held" : "BROKEN";
            } else {
                verdict = i.passed ? "held (expected to break)" : "broken (expected finding)";
            }
            t.rows.push_back({name, i.name, i.expected, i.observed, verdict});
        }
    }
    return t;
}

}  // namespace asyncbench
