#include "reports/fault_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "reports/verdict.hpp"

namespace asyncbench {

namespace {

// Lost ids shown inline in the invariants table; a longer list (up to inline_lost_id_limit)
// follows the downstream call checks.
constexpr std::size_t inline_lost_ids = 5;

// fmt::join, as a std::string for concatenation.
std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    return fmt::format("{}", fmt::join(parts, sep));
}

std::string format_signed(std::int64_t n) {
    return n < 0 ? "-" + format_count(static_cast<std::uint64_t>(-(n + 1)) + 1)
                 : format_count(static_cast<std::uint64_t>(n));
}

std::string action_line(const std::string& mode, const fault_record& f) {
    if (!f.applied) {
        return fmt::format("not applied to {}{}{}", mode, f.action.empty() ? "" : ": ", f.action);
    }
    std::string line = fmt::format("{}: {} (target {}), from {} s to {} s", mode,
                                   f.action.empty() ? "applied" : f.action,
                                   f.target.empty() ? "unnamed" : f.target,
                                   format_run_time(f.start_s), format_run_time(f.end_s));
    if (!f.calls_during.empty()) {
        std::vector<std::string> calls;
        for (const auto& [operation, n] : f.calls_during) {
            calls.push_back(operation + " " + format_count(n));
        }
        line += "; calls received meanwhile: " + join(calls, ", ");
    }
    return line;
}

std::string recovery_line(const std::string& mode, const fault_impact& impact) {
    std::string backlog = impact.backlog_recovered_s
                              ? "backlog back to pre-fault level after " +
                                    format_seconds(*impact.backlog_recovered_s) + " s"
                              : "backlog not back to pre-fault level within the run";
    std::string latency;
    const std::string& ref = impact.latency_reference;
    if (impact.latency_recovered_s) {
        latency = "latency back within " + ref + " after " +
                  format_seconds(*impact.latency_recovered_s) + " s";
    } else if (ref.empty() || ref.rfind("none", 0) == 0) {
        latency = "latency recovery not judged" + (ref.empty() ? "" : " (" + ref + ")");
    } else {
        latency = "latency not back within " + ref + " within the run";
    }
    return mode + ": " + backlog + "; " + latency + ".";
}

report_table window_table(const run_result& r, std::size_t index) {
    std::vector<std::pair<std::string, const fault_impact*>> columns;
    for (const auto& name : report_modes(r)) {
        if (const auto* impact = impact_of(r.modes.at(name), index)) {
            columns.emplace_back(name, impact);
        }
    }
    report_table t;
    if (columns.empty()) return t;
    t.header.push_back("Metric");
    for (const auto& [name, impact] : columns) {
        for (const char* phase : {"before", "during", "after"}) {
            t.header.push_back(name + " " + phase);
        }
    }
    auto add = [&](std::string label, auto cell) {
        std::vector<std::string> row{std::move(label)};
        for (const auto& [name, impact] : columns) {
            for (const auto* w : {&impact->before, &impact->during, &impact->after}) {
                row.push_back(cell(*w));
            }
        }
        t.rows.push_back(std::move(row));
    };
    add("Window (s)", [](const window_stats& w) {
        return format_run_time(w.start_s) + "-" + format_run_time(w.end_s);
    });
    add("Requests sent in it", [](const window_stats& w) { return format_count(w.requests); });
    add("Availability", [](const window_stats& w) {
        return w.requests == 0 ? "no requests" : format_percent(w.availability);
    });
    add("503 answers", [](const window_stats& w) { return format_count(w.rejected_503); });
    using ls = latency_summary;
    add("API p50, all answers (ms)", [](const window_stats& w) {
        return format_latency_ms(w.latency_all_us, &ls::p50_us, "no requests");
    });
    add("API p99, all answers (ms)", [](const window_stats& w) {
        return format_latency_ms(w.latency_all_us, &ls::p99_us, "no requests");
    });
    add("API p99, 2xx (ms)", [](const window_stats& w) {
        return format_latency_ms(w.latency_2xx_us, &ls::p99_us, "no 2xx");
    });
    add("Peak backlog", [](const window_stats& w) { return format_signed(w.peak_backlog); });
    return t;
}

std::string lost_cell(const reconciliation_result& rec) {
    std::string cell = format_count(rec.lost);
    if (rec.lost_ids.empty()) return cell;
    const std::size_t shown = std::min(rec.lost_ids.size(), inline_lost_ids);
    cell += " (" + join({rec.lost_ids.begin(), rec.lost_ids.begin() + shown}, ", ");
    if (rec.lost_ids.size() > shown) cell += ", ...";
    return cell + ")";
}

std::string duplicate_ids_cell(const reconciliation_result& rec) {
    if (rec.calls.empty()) return "none checked";
    std::vector<std::string> parts;
    for (const auto& c : rec.calls) {
        parts.push_back(c.system + "." + c.operation + " " + format_count(c.ids_with_duplicates));
    }
    return join(parts, ", ");
}

}  // namespace

bool has_fault_records(const run_result& r) { return fault_count(r) > 0; }

std::size_t fault_count(const run_result& r) {
    std::size_t n = 0;
    for (const auto& [name, m] : r.modes) n = std::max(n, m.faults.size());
    return n;
}

const fault_impact* impact_of(const mode_result& m, std::size_t index) {
    if (index >= m.faults.size() || !m.faults[index].applied) return nullptr;
    std::size_t applied_before = 0;
    for (std::size_t i = 0; i < index; ++i) applied_before += m.faults[i].applied ? 1 : 0;
    const std::string& name = m.faults[index].name;
    if (applied_before < m.fault_impacts.size() && m.fault_impacts[applied_before].fault == name) {
        return &m.fault_impacts[applied_before];
    }
    for (const auto& impact : m.fault_impacts) {
        if (impact.fault == name) return &impact;
    }
    return nullptr;
}

const fault_record* representative_record(const run_result& r, std::size_t index) {
    const fault_record* any = nullptr;
    for (const auto& name : report_modes(r)) {
        const auto& faults = r.modes.at(name).faults;
        if (index >= faults.size()) continue;
        if (faults[index].applied) return &faults[index];
        if (any == nullptr) any = &faults[index];
    }
    return any;
}

std::vector<fault_section> fault_sections(const run_result& r) {
    std::vector<fault_section> out;
    const auto modes = report_modes(r);
    for (std::size_t i = 0; i < fault_count(r); ++i) {
        const fault_record* first = representative_record(r, i);
        fault_section section;
        section.title = first->kind.empty() ? first->name : first->name + " (" + first->kind + ")";
        for (const auto& name : modes) {
            const auto& m = r.modes.at(name);
            if (i >= m.faults.size()) continue;
            section.actions.push_back(action_line(name, m.faults[i]));
            if (const auto* impact = impact_of(m, i)) {
                section.recovery.push_back(recovery_line(name, *impact));
            }
        }
        section.windows = window_table(r, i);
        out.push_back(std::move(section));
    }
    return out;
}

std::vector<std::string> retry_amplification_lines(const run_result& r) {
    std::vector<std::string> out;
    for (const auto& name : report_modes(r)) {
        const auto& calls = r.modes.at(name).reconciliation.calls;
        if (calls.empty()) continue;
        std::vector<std::string> parts;
        for (const auto& c : calls) {
            std::string ratio =
                c.expected_calls == 0
                    ? fmt::format("n/a ({} received, none expected)",
                                  format_count(c.received_calls))
                    : fmt::format("{:.2f}x", static_cast<double>(c.received_calls) /
                                                 static_cast<double>(c.expected_calls));
            parts.push_back(c.system + "." + c.operation + " " + ratio);
        }
        out.push_back(name + ": " + join(parts, ", "));
    }
    return out;
}

report_table invariants_table(const run_result& r) {
    const auto modes = report_modes(r);
    report_table t;
    t.header.push_back("Invariant");
    for (const auto& m : modes) t.header.push_back(m);
    auto add = [&](std::string label, auto cell) {
        std::vector<std::string> row{std::move(label)};
        for (const auto& name : modes) row.push_back(cell(r.modes.at(name)));
        t.rows.push_back(std::move(row));
    };
    using rr = reconciliation_result;
    auto count_of = [](std::uint64_t rr::*field) {
        return [field](const mode_result& m) { return format_count(m.reconciliation.*field); };
    };
    add("Accepted (2xx)", count_of(&rr::accepted));
    add("Completed", count_of(&rr::completed));
    add("Dead-lettered", count_of(&rr::dead_lettered));
    add("Lost", [](const mode_result& m) { return lost_cell(m.reconciliation); });
    add("Duplicate effects", count_of(&rr::duplicate_effects));
    add("Redeliveries absorbed (idempotent)", count_of(&rr::redeliveries_absorbed));
    add("Ids reaching a mock more than once",
        [](const mode_result& m) { return duplicate_ids_cell(m.reconciliation); });
    add("503 answers (explicit backpressure)",
        [](const mode_result& m) { return format_count(m.errors.status_503); });
    return t;
}

}  // namespace asyncbench
